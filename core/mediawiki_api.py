"""A small client for the MediaWiki action API (api.php), shared by every wiki feature.

It speaks only what MediaWiki's API documentation promises: a descriptive User-Agent, a
`maxlag` parameter on every request, and patience when the wiki asks for it. A request that
meets replication lag (error code ``maxlag``), a rate limit (HTTP 429), a server error (5xx),
a timeout or a dropped connection is retried with exponential back-off, honouring the
``Retry-After`` header. Everything else fails at once with one of the exceptions below, whose
``str()`` is a sentence a person can read; none of them is ever a half answer.

`requests` is already installed (django-allauth needs it; accounts.mediawiki uses it)."""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass
from datetime import datetime

import requests
from django.conf import settings
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

__all__ = [
    "EditResult",
    "MediaWikiClient",
    "PageRevision",
    "SitematrixSite",
    "WikiApiCodeError",
    "WikiApiError",
    "WikiHttpError",
    "WikiMaxlagExhausted",
    "WikiNotJson",
    "WikiPageMissing",
    "WikiPageRedirected",
    "WikiRateLimited",
    "WikiTimeout",
    "WikiUnreachable",
]

# The edit token MediaWiki gives a reader who is not signed in.
_ANONYMOUS_TOKEN = "+\\"  # noqa: S105 (a public constant, not a secret)

# Tests replace this to see the waits without waiting.
_sleep = time.sleep


class WikiApiError(Exception):
    """Any failed API request; str() is a sentence a person can read."""


class WikiTimeout(WikiApiError):
    """The wiki did not answer in time, every time we asked."""


class WikiUnreachable(WikiApiError):
    """No connection to the wiki (name lookup, refused connection, TLS)."""


class WikiMaxlagExhausted(WikiApiError):
    """The wiki kept saying its database replicas lag behind; we gave up politely."""


class WikiRateLimited(WikiApiError):
    """HTTP 429 on every attempt."""


class WikiHttpError(WikiApiError):
    """An HTTP error status (a 5xx after every retry, or a 4xx other than 429)."""

    def __init__(self, message: str, *, status: int):
        super().__init__(message)
        self.status = status


class WikiNotJson(WikiApiError):
    """The address answered with HTML (or anything but JSON): not an api.php, or an error page."""


class WikiApiCodeError(WikiApiError):
    """The API answered with an error code (badtoken, readapidenied, invalidtitle …)."""

    def __init__(self, message: str, *, code: str, info: str):
        super().__init__(message)
        self.code = code
        self.info = info


class WikiPageMissing(WikiApiError):
    """The page does not exist (or its title is not valid)."""

    def __init__(self, message: str, *, title: str):
        super().__init__(message)
        self.title = title


class WikiPageRedirected(WikiApiError):
    """The page is a redirect (it was renamed) and the caller asked not to follow it."""

    def __init__(self, message: str, *, title: str, target: str):
        super().__init__(message)
        self.title = title
        self.target = target


@dataclass(frozen=True)
class PageRevision:
    """The current revision of one page. `requested_title` is what the caller asked for;
    `title` is the page that was read, which differs when the wiki normalised the title or
    `redirected_from` names the redirect that was followed (the page was renamed)."""

    requested_title: str
    title: str
    page_id: int
    revision_id: int
    timestamp: datetime | None
    user: str
    content: str
    redirected_from: str = ""


@dataclass(frozen=True)
class EditResult:
    """What the wiki saved: the page and the revision the edit made (the current one when the
    text was already the same: `unchanged`)."""

    title: str
    page_id: int
    revision_id: int
    timestamp: datetime | None
    unchanged: bool = False


@dataclass(frozen=True)
class SitematrixSite:
    """One wiki of a farm, from action=sitematrix. `language` is the language code of its
    group ("" for the special wikis), `project` the site code ("wiki", "wiktionary" …)."""

    dbname: str
    url: str
    project: str
    sitename: str
    language: str
    language_name: str
    closed: bool = False
    private: bool = False
    fishbowl: bool = False
    special: bool = False


def _flag(entry: dict, key: str) -> bool:
    # format=json (version 1) marks a true flag with an empty string; version 2 with true.
    return key in entry and entry[key] is not False


def _host(url: str) -> str:
    return requests.utils.urlparse(url).hostname or url


class MediaWikiClient:
    """One wiki's action API. Build it with `from_settings(api_url)` to use the project's user
    agent, timeout, maxlag and retry settings."""

    def __init__(
        self,
        api_url: str,
        *,
        user_agent: str,
        timeout: float = 5.0,
        maxlag: int | None = 5,
        retries: int = 3,
        backoff: float = 1.0,
        max_wait: float = 30.0,
    ):
        self.api_url = api_url
        self.user_agent = user_agent
        self.timeout = timeout
        self.maxlag = maxlag
        self.retries = max(0, retries)
        self.backoff = backoff
        self.max_wait = max_wait
        self.requests_made = 0

    @classmethod
    def from_settings(cls, api_url: str) -> MediaWikiClient:
        return cls(
            api_url,
            user_agent=settings.ACCORD_MEDIAWIKI_USER_AGENT,
            timeout=settings.ACCORD_MEDIAWIKI_TIMEOUT,
            maxlag=settings.ACCORD_MEDIAWIKI_MAXLAG,
            retries=settings.ACCORD_MEDIAWIKI_RETRIES,
            backoff=settings.ACCORD_MEDIAWIKI_BACKOFF,
            max_wait=settings.ACCORD_MEDIAWIKI_MAX_WAIT,
        )

    # --- the wire ---------------------------------------------------------------------------

    def _wait(self, attempt: int, retry_after: str | None) -> None:
        """Sleep before the next attempt: Retry-After when the wiki gave one (in seconds),
        else backoff × 2^attempt; never longer than max_wait."""
        delay = self.backoff * (2**attempt)
        if retry_after:
            # An HTTP date instead of seconds is rare for api.php: keep the back-off then.
            with contextlib.suppress(ValueError):
                delay = max(float(retry_after), 0.0)
        _sleep(min(delay, self.max_wait))

    def get(self, params: dict[str, str], *, bearer: str = "") -> dict:
        """GET api.php with `params` (plus maxlag) and return the decoded JSON object.

        Retries maxlag, 429, 5xx, timeouts and dropped connections up to `retries` times.
        `bearer`: an OAuth 2 access token, to ask as the person it belongs to."""
        return self._call("GET", params, bearer=bearer)

    def post(self, params: dict[str, str], *, bearer: str = "") -> dict:
        """POST api.php (a write, such as action=edit) and return the decoded JSON object.

        Only answers that say the wiki did nothing (maxlag, 429) are retried: after a timeout,
        a dropped connection or a server error the write may have happened, so the caller is
        told instead of writing twice."""
        return self._call("POST", params, bearer=bearer)

    def _call(self, method: str, params: dict[str, str], *, bearer: str = "") -> dict:
        params = dict(params)
        if self.maxlag is not None:
            params["maxlag"] = str(self.maxlag)
        headers = {"User-Agent": self.user_agent, "Accept": "application/json"}
        if bearer:
            headers["Authorization"] = f"Bearer {bearer}"
        host = _host(self.api_url)
        writing = method == "POST"
        for attempt in range(self.retries + 1):
            last = attempt == self.retries
            self.requests_made += 1
            try:
                if writing:
                    response = requests.post(
                        self.api_url, data=params, headers=headers, timeout=self.timeout
                    )
                else:
                    response = requests.get(
                        self.api_url, params=params, headers=headers, timeout=self.timeout
                    )
            except requests.Timeout as exc:
                if last or writing:
                    raise WikiTimeout(
                        _("%(host)s did not answer within %(seconds)s seconds (%(tries)s tries).")
                        % {"host": host, "seconds": self.timeout, "tries": attempt + 1}
                    ) from exc
                self._wait(attempt, None)
                continue
            except requests.RequestException as exc:
                if last or writing:
                    raise WikiUnreachable(
                        _("%(host)s could not be reached: %(error)s")
                        % {"host": host, "error": exc.__class__.__name__}
                    ) from exc
                self._wait(attempt, None)
                continue
            retry_after = response.headers.get("Retry-After")
            status = response.status_code
            if status == 429:
                if last:
                    raise WikiRateLimited(
                        _("%(host)s is limiting our requests (HTTP 429); try again later.")
                        % {"host": host}
                    )
                self._wait(attempt, retry_after)
                continue
            data = self._decode(response, host)
            error = data.get("error") if isinstance(data, dict) else None
            if isinstance(error, dict) and error.get("code") == "maxlag":
                if last:
                    raise WikiMaxlagExhausted(
                        _(
                            "%(host)s is busy (its database replicas lag behind) and asked us "
                            "to come back later; gave up after %(tries)s tries."
                        )
                        % {"host": host, "tries": attempt + 1}
                    )
                self._wait(attempt, retry_after)
                continue
            if status >= 500:
                if last or writing:
                    raise WikiHttpError(
                        _("%(host)s had a server error (HTTP %(status)s) every time we asked.")
                        % {"host": host, "status": status},
                        status=status,
                    )
                self._wait(attempt, retry_after)
                continue
            if status >= 400 and not error:
                raise WikiHttpError(
                    _("%(host)s refused the request (HTTP %(status)s).")
                    % {"host": host, "status": status},
                    status=status,
                )
            if isinstance(error, dict):
                code = str(error.get("code", ""))[:100]
                info = str(error.get("info", ""))[:300]
                raise WikiApiCodeError(
                    _("%(host)s refused the request: %(info)s (%(code)s)")
                    % {"host": host, "info": info, "code": code},
                    code=code,
                    info=info,
                )
            return data
        raise AssertionError("unreachable")

    def _decode(self, response, host: str) -> dict:
        """The JSON object of an answer; WikiNotJson for an HTML page or anything else.

        A 5xx page in HTML is left to the retry loop (an empty dict), so a passing outage is
        retried like any other server error."""
        kind = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
        try:
            data = response.json()
        except ValueError:
            data = None
        if isinstance(data, dict):
            return data
        if response.status_code >= 500:
            return {}
        what = _("an HTML page") if "html" in kind or response.text.lstrip()[:1] == "<" else kind
        raise WikiNotJson(
            _(
                "%(url)s answered with %(what)s instead of JSON; is it the wiki's api.php "
                "address (e.g. https://example.org/w/api.php)?"
            )
            % {"url": self.api_url, "what": what or _("something unreadable")}
        )

    # --- reading pages ----------------------------------------------------------------------

    def fetch_pages(
        self, titles: list[str], *, follow_redirects: bool = True
    ) -> dict[str, PageRevision | WikiApiError]:
        """The current revision of each of up to 50 pages in one request, by requested title;
        a page that cannot be read maps to the exception that says why (missing, invalid,
        hidden, or a redirect when `follow_redirects` is off)."""
        if not titles:
            return {}
        if len(titles) > 50:
            raise ValueError("The action API takes at most 50 titles per request.")
        params = {
            "action": "query",
            "prop": "revisions",
            "rvprop": "ids|timestamp|user|content",
            "rvslots": "main",
            "format": "json",
            "formatversion": "2",
            "titles": "|".join(titles),
        }
        if follow_redirects:
            params["redirects"] = "1"
        data = self.get(params)
        query = data.get("query")
        if not isinstance(query, dict):
            raise WikiNotJson(
                _("%(url)s answered without a query result; is it a MediaWiki api.php?")
                % {"url": self.api_url}
            )
        # Follow each requested title through normalisation and redirects to the page read.
        steps: dict[str, str] = {}
        redirect_sources: set[str] = set()
        for item in query.get("normalized") or []:
            steps[item.get("from", "")] = item.get("to", "")
        for item in query.get("redirects") or []:
            steps[item.get("from", "")] = item.get("to", "")
            redirect_sources.add(item.get("from", ""))
        pages = {
            page.get("title", ""): page
            for page in query.get("pages") or []
            if isinstance(page, dict)
        }
        results: dict[str, PageRevision | WikiApiError] = {}
        for requested in titles:
            title, redirect_from = requested, ""
            for _hop in range(5):
                if title not in steps:
                    break
                if title in redirect_sources and not redirect_from:
                    redirect_from = title
                title = steps[title]
            results[requested] = self._page_result(requested, title, redirect_from, pages)
        return results

    def _page_result(self, requested, title, redirect_from, pages) -> PageRevision | WikiApiError:
        page = pages.get(title)
        host = _host(self.api_url)
        if page is None or page.get("missing") or page.get("invalid"):
            reason = (page or {}).get("invalidreason")
            message = (
                _("“%(title)s” is not a valid page title on %(host)s: %(reason)s")
                if reason
                else _("%(host)s has no page “%(title)s”.")
            )
            return WikiPageMissing(
                message % {"title": title, "host": host, "reason": reason}, title=title
            )
        revisions = page.get("revisions") or []
        if not revisions:
            return WikiPageMissing(
                _("%(host)s shows no revision of “%(title)s”.") % {"host": host, "title": title},
                title=title,
            )
        revision = revisions[0]
        main = (revision.get("slots") or {}).get("main") or {}
        content = main.get("content")
        if main.get("texthidden") or not isinstance(content, str):
            return WikiApiCodeError(
                _("The current text of “%(title)s” on %(host)s is hidden.")
                % {"title": title, "host": host},
                code="texthidden",
                info="",
            )
        stamp = revision.get("timestamp")
        return PageRevision(
            requested_title=requested,
            title=str(page.get("title", title)),
            page_id=int(page.get("pageid") or 0),
            revision_id=int(revision.get("revid") or 0),
            timestamp=parse_datetime(stamp) if isinstance(stamp, str) else None,
            user=str(revision.get("user", "")),
            content=content,
            redirected_from=redirect_from,
        )

    def fetch_page(self, title: str, *, follow_redirects: bool = True) -> PageRevision:
        """The current revision of one page. Raises WikiPageMissing, or WikiPageRedirected when
        the page is a redirect and `follow_redirects` is off; a followed redirect shows in
        `redirected_from`."""
        result = self.fetch_pages([title], follow_redirects=follow_redirects)[title]
        if isinstance(result, WikiApiError):
            raise result
        if not follow_redirects and _is_redirect(result.content):
            target = _redirect_target(result.content)
            raise WikiPageRedirected(
                _("“%(title)s” was moved: it now redirects to “%(target)s”.")
                % {"title": result.title, "target": target},
                title=result.title,
                target=target,
            )
        return result

    # --- writing pages ---------------------------------------------------------------------

    def csrf_token(self, *, bearer: str) -> str:
        """The edit token of the person `bearer` belongs to (action=query&meta=tokens)."""
        data = self.get(
            {"action": "query", "meta": "tokens", "type": "csrf", "format": "json",
             "formatversion": "2"},
            bearer=bearer,
        )  # fmt: skip
        token = ((data.get("query") or {}).get("tokens") or {}).get("csrftoken")
        if not isinstance(token, str) or not token or token == _ANONYMOUS_TOKEN:
            # "+\\" is the token of a reader who is not signed in: the bearer token was not taken.
            raise WikiApiCodeError(
                _("%(host)s did not accept your wiki sign-in.") % {"host": _host(self.api_url)},
                code="notloggedin",
                info="",
            )
        return token

    def edit(
        self,
        *,
        bearer: str,
        title: str,
        text: str,
        summary: str,
        baserevid: int | None = None,
        basetimestamp: str = "",
        createonly: bool = False,
    ) -> EditResult:
        """Save `text` as the new content of `title`, as the person `bearer` belongs to.

        With `baserevid`/`basetimestamp` the wiki refuses the edit (editconflict) when someone
        saved another revision since; with `createonly` it refuses when the page exists
        (articleexists). Any refusal raises WikiApiCodeError with the wiki's error code."""
        token = self.csrf_token(bearer=bearer)
        params = {
            "action": "edit",
            "title": title,
            "text": text,
            "summary": summary,
            "assert": "user",
            "format": "json",
            "formatversion": "2",
        }
        if baserevid:
            params["baserevid"] = str(baserevid)
        if basetimestamp:
            params["basetimestamp"] = basetimestamp
        if createonly:
            params["createonly"] = "1"
        params["token"] = token  # last, as MediaWiki recommends: a cut-off request fails
        data = self.post(params, bearer=bearer)
        result = data.get("edit")
        if not isinstance(result, dict):
            raise WikiNotJson(
                _("%(url)s answered the edit without a result.") % {"url": self.api_url}
            )
        if result.get("result") != "Success":
            info = str(result.get("info") or result.get("code") or result.get("result") or "")
            raise WikiApiCodeError(
                _("%(host)s did not save the edit: %(info)s")
                % {"host": _host(self.api_url), "info": info[:300]},
                code="editfailure",
                info=info[:300],
            )
        revision = result.get("newrevid") or (
            result.get("oldrevid") if result.get("nochange") else 0
        )
        if not revision:
            revision = self.fetch_page(str(result.get("title") or title)).revision_id
        stamp = result.get("newtimestamp")
        return EditResult(
            title=str(result.get("title") or title),
            page_id=int(result.get("pageid") or 0),
            revision_id=int(revision),
            timestamp=parse_datetime(stamp) if isinstance(stamp, str) else None,
            unchanged=bool(result.get("nochange")),
        )

    # --- a wiki farm ------------------------------------------------------------------------

    def sitematrix(self) -> list[SitematrixSite]:
        """Every wiki of the farm (action=sitematrix), following `continue` to the end."""
        sites: list[SitematrixSite] = []
        params = {"action": "sitematrix", "format": "json"}
        cont: dict[str, str] = {}
        for _page in range(1000):
            data = self.get({**params, **cont})
            matrix = data.get("sitematrix")
            if not isinstance(matrix, dict):
                raise WikiNotJson(
                    _(
                        "%(url)s answered without a sitematrix; does the wiki farm run the "
                        "SiteMatrix extension?"
                    )
                    % {"url": self.api_url}
                )
            for key, group in matrix.items():
                if key == "specials":
                    sites.extend(_site(entry, group=None) for entry in group or [])
                elif key.isdigit() and isinstance(group, dict):
                    sites.extend(_site(entry, group=group) for entry in group.get("site") or [])
            following = data.get("continue")
            if not isinstance(following, dict) or not following:
                return sites
            cont = {str(k): str(v) for k, v in following.items()}
        raise WikiApiError(_("The sitematrix kept asking to continue; gave up."))


def _site(entry: dict, *, group: dict | None) -> SitematrixSite:
    special = group is None
    return SitematrixSite(
        dbname=str(entry.get("dbname", "")),
        url=str(entry.get("url", "")),
        project=str(entry.get("code", "")),
        sitename=str(entry.get("sitename", "")),
        language=str(entry.get("lang", "") if special else group.get("code", "")),
        language_name="" if special else str(group.get("localname") or group.get("name") or ""),
        closed=_flag(entry, "closed"),
        private=_flag(entry, "private"),
        fishbowl=_flag(entry, "fishbowl"),
        special=special,
    )


def _is_redirect(content: str) -> bool:
    return content.lstrip()[:9].upper() == "#REDIRECT"


def _redirect_target(content: str) -> str:
    start, end = content.find("[["), content.find("]]")
    return content[start + 2 : end].split("|")[0].strip() if 0 <= start < end else ""
