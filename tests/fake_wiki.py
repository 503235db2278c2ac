"""A fake MediaWiki action API on loopback, for every wiki feature's tests (no internet).

It answers what Accord asks and what MediaWiki's API documentation promises:
`action=query&prop=revisions` (formatversion 2, batched `titles=`, `redirects=1`, normalised
titles, missing and invalid pages), `action=sitematrix` (format version 1, optionally split
by `smcontinue`), and edits by OAuth 2 bearer tokens: `action=query&meta=tokens` and a POST of
`action=edit` (edit conflicts by `baserevid`, `createonly`, blocked users, protected pages,
unknown or expired bearer tokens, bad CSRF tokens). Faults are queued per test and served one
per request, in order:
"maxlag" (error code maxlag with Retry-After), "429" (with Retry-After), "500", "html" (a 200
HTML page), "slow" (sleeps `slow_seconds` before answering), "ok" (answers normally).

    wiki = FakeWiki.serve()          # or FakeWiki() inside another fake (tests/accounts/fakes)
    wiki.set_page("Talk:Code", text)  # a new revision each time
    wiki.faults += ["maxlag", "429"]
    wiki.bearers["secret"] = "Dana"   # an OAuth 2 access token and the wiki user it edits as
    wiki.blocked.add("Dana"); wiki.protected.add("Code")
    ... wiki.api_url ...
    wiki.stop()
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs

__all__ = ["FakeWiki"]

_START = datetime(2025, 3, 10, 12, 0, tzinfo=UTC)


def _title(raw: str) -> str:
    text = " ".join(raw.replace("_", " ").split())
    return text[:1].upper() + text[1:]


class FakeWiki:
    def __init__(self):
        self.pages: dict[str, dict] = {}  # title → {"pageid", "revisions": [...]}
        self.redirects: dict[str, str] = {}  # old title → new title
        self.sitematrix_groups: dict[str, dict] = {}
        self.sitematrix_specials: list[dict] = []
        self.sitematrix_page_size = 0  # >0: split the language groups with smcontinue
        self.faults: list[str] = []
        self.slow_seconds = 1.0
        self.retry_after = "0"
        self.requests: list[dict[str, str]] = []
        self.user_agents: list[str] = []
        self.bearers: dict[str, str] = {}  # OAuth 2 access token → wiki user name
        self.blocked: set[str] = set()  # user names
        self.protected: set[str] = set()  # page titles
        self.edits: list[dict[str, str]] = []  # every accepted edit's parameters
        self._revid = 1000
        self._pageid = 0
        self.server = None
        self.url = ""

    # --- running it on its own --------------------------------------------------------------

    @classmethod
    def serve(cls) -> FakeWiki:
        from tests.accounts.fakes import Loopback

        wiki = cls()
        wiki.server = Loopback(wiki)
        wiki.url = wiki.server.url
        return wiki

    @property
    def api_url(self) -> str:
        return f"{self.url}/w/api.php"

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") != "/w/api.php":
            return self._send(start_response, "404 Not Found", "<html>Not found</html>", "html")
        return self.api(environ, start_response)

    # --- content ----------------------------------------------------------------------------

    def set_page(self, title: str, content: str, *, user: str = "Editor") -> int:
        """Save a new revision of `title` (creating the page); returns its revision id."""
        title = _title(title)
        page = self.pages.setdefault(title, {"pageid": self._next_page(), "revisions": []})
        self._revid += 1
        stamp = _START + timedelta(hours=len(page["revisions"]) + self._revid - 1000)
        page["revisions"].append(
            {
                "revid": self._revid,
                "parentid": page["revisions"][-1]["revid"] if page["revisions"] else 0,
                "user": user,
                "timestamp": stamp.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "content": content,
            }
        )
        return self._revid

    def move_page(self, old: str, new: str) -> None:
        """Rename a page, leaving a redirect behind (as MediaWiki does)."""
        old, new = _title(old), _title(new)
        self.pages[new] = self.pages.pop(old)
        self.redirects[old] = new

    def content(self, title: str) -> str:
        return self.pages[_title(title)]["revisions"][-1]["content"]

    def add_wiki(
        self,
        *,
        lang: str,
        dbname: str,
        url: str,
        code="wiki",
        sitename="Wikipedia",
        localname="",
        **flags,
    ) -> None:
        """A site in the sitematrix; flags: closed=True, private=True, fishbowl=True."""
        group = None
        for candidate in self.sitematrix_groups.values():
            if candidate["code"] == lang:
                group = candidate
        if group is None:
            group = {
                "code": lang,
                "name": localname or lang,
                "site": [],
                "dir": "ltr",
                "localname": localname or lang,
            }
            self.sitematrix_groups[str(len(self.sitematrix_groups))] = group
        site = {"url": url, "dbname": dbname, "code": code, "sitename": sitename}
        site.update({k: "" for k, v in flags.items() if v})
        group["site"].append(site)

    def add_special(self, *, dbname: str, url: str, code: str, sitename: str, **flags) -> None:
        site = {"url": url, "dbname": dbname, "code": code, "sitename": sitename, "lang": "en"}
        site.update({k: "" for k, v in flags.items() if v})
        self.sitematrix_specials.append(site)

    def _next_page(self) -> int:
        self._pageid += 1
        return self._pageid

    # --- the API ----------------------------------------------------------------------------

    def api(self, environ, start_response):
        params = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        if environ.get("REQUEST_METHOD") == "POST":
            size = int(environ.get("CONTENT_LENGTH") or 0)
            body = environ["wsgi.input"].read(size).decode() if size else ""
            params.update({k: v[0] for k, v in parse_qs(body, keep_blank_values=True).items()})
            params["_method"] = "POST"
        self.requests.append(params)
        self.user_agents.append(environ.get("HTTP_USER_AGENT", ""))
        if self.faults:
            fault = self.faults.pop(0)
            answer = self._fault(fault, start_response)
            if answer is not None:
                return answer
        if params.get("action") == "sitematrix":
            return self._send(start_response, "200 OK", self._sitematrix(params))
        if params.get("action") == "query" and params.get("prop") == "revisions":
            return self._send(start_response, "200 OK", self._revisions(params))
        if params.get("action") == "query" and params.get("meta") == "tokens":
            return self._send(start_response, "200 OK", self._tokens(environ))
        if params.get("action") == "edit":
            return self._send(start_response, "200 OK", self._edit(environ, params))
        error = {"error": {"code": "badvalue", "info": "Unrecognized parameters."}}
        return self._send(start_response, "200 OK", error)

    def _fault(self, fault: str, start_response):
        if fault == "maxlag":
            body = {
                "error": {
                    "code": "maxlag",
                    "info": "Waiting for 10.0.0.1: 7 seconds lagged",
                    "host": "10.0.0.1",
                    "lag": 7,
                }
            }
            headers = [("Retry-After", self.retry_after), ("X-Database-Lag", "7")]
            return self._send(start_response, "200 OK", body, headers=headers)
        if fault == "429":
            headers = [("Retry-After", self.retry_after)]
            return self._send(
                start_response, "429 Too Many Requests", "Slow down", "text", headers=headers
            )
        if fault == "500":
            return self._send(
                start_response,
                "503 Service Unavailable",
                "<html><body>Our servers are busy</body></html>",
                "html",
            )
        if fault == "html":
            return self._send(
                start_response,
                "200 OK",
                "<!DOCTYPE html><html><body><h1>Main Page</h1></body></html>",
                "html",
            )
        if fault == "ok":  # answer this request normally (to aim a later fault)
            return None
        if fault == "slow":
            time.sleep(self.slow_seconds)
            return None
        raise ValueError(f"unknown fault {fault}")

    def _revisions(self, params) -> dict:
        query: dict = {"pages": []}
        normalized, redirects = [], []
        for raw in params.get("titles", "").split("|"):
            title = _title(raw)
            if title != raw:
                normalized.append({"fromencoded": False, "from": raw, "to": title})
            if params.get("redirects") and title in self.redirects:
                redirects.append({"from": title, "to": self.redirects[title]})
                title = self.redirects[title]
            if not title or "[" in title or "]" in title:
                query["pages"].append(
                    {
                        "title": raw,
                        "invalidreason": "The requested page title contains invalid characters.",
                        "invalid": True,
                    }
                )
                continue
            page = self.pages.get(title)
            if page is None and title in self.redirects:
                target = self.redirects[title]
                query["pages"].append(
                    {
                        "pageid": 9000 + len(title),
                        "ns": 1,
                        "title": title,
                        "redirect": True,
                        "revisions": [
                            self._rev(
                                {
                                    "revid": 1,
                                    "parentid": 0,
                                    "user": "Mover",
                                    "timestamp": "2025-03-01T00:00:00Z",
                                    "content": f"#REDIRECT [[{target}]]",
                                }
                            )
                        ],
                    }
                )
                continue
            if page is None:
                query["pages"].append({"ns": 0, "title": title, "missing": True})
                continue
            query["pages"].append(
                {
                    "pageid": page["pageid"],
                    "ns": 1,
                    "title": title,
                    "revisions": [self._rev(page["revisions"][-1])],
                }
            )
        if normalized:
            query["normalized"] = normalized
        if redirects:
            query["redirects"] = redirects
        return {"batchcomplete": True, "query": query}

    # --- edits ------------------------------------------------------------------------------

    def csrf_for(self, user: str) -> str:
        return f"csrf-{user}+\\"

    def _bearer_user(self, environ) -> str | None:
        """The user an `Authorization: Bearer` header signs in; "" for none, None for a token
        the wiki does not know (expired or withdrawn)."""
        header = environ.get("HTTP_AUTHORIZATION", "")
        if not header:
            return ""
        if not header.startswith("Bearer "):
            return None
        return self.bearers.get(header[len("Bearer ") :])

    @staticmethod
    def _error(code: str, info: str) -> dict:
        return {"error": {"code": code, "info": info}}

    def _tokens(self, environ) -> dict:
        user = self._bearer_user(environ)
        if user is None:
            return self._error(
                "mwoauth-invalid-authorization",
                "The authorization headers in your request are not valid: Invalid access token",
            )
        token = self.csrf_for(user) if user else "+\\"
        return {"batchcomplete": True, "query": {"tokens": {"csrftoken": token}}}

    def _edit(self, environ, params) -> dict:
        user = self._bearer_user(environ)
        if user is None:
            return self._error(
                "mwoauth-invalid-authorization",
                "The authorization headers in your request are not valid: Invalid access token",
            )
        if params.get("_method") != "POST":
            return self._error("mustbeposted", "The edit module requires a POST request.")
        if not user and params.get("assert") == "user":
            return self._error("assertuserfailed", "You are no longer logged in.")
        if params.get("token") != self.csrf_for(user):
            return self._error("badtoken", "Invalid CSRF token.")
        title = _title(params.get("title", ""))
        if user in self.blocked:
            return self._error("blocked", "You have been blocked from editing.")
        if title in self.protected:
            return self._error(
                "protectedpage", "This page has been protected to prevent editing or other actions."
            )
        page = self.pages.get(title)
        if params.get("createonly") and page is not None:
            return self._error(
                "articleexists", "The article you tried to create has been created already."
            )
        base = params.get("baserevid")
        if base and page is not None and int(base) != page["revisions"][-1]["revid"]:
            return self._error("editconflict", "Edit conflict.")
        if page is not None and page["revisions"][-1]["content"] == params.get("text", ""):
            latest = page["revisions"][-1]
            return {
                "edit": {
                    "result": "Success",
                    "pageid": page["pageid"],
                    "title": title,
                    "contentmodel": "wikitext",
                    "nochange": True,
                    "oldrevid": latest["revid"],
                }
            }
        old = page["revisions"][-1]["revid"] if page else 0
        revid = self.set_page(title, params.get("text", ""), user=user)
        self.edits.append({k: v for k, v in params.items() if k != "token"})
        latest = self.pages[title]["revisions"][-1]
        return {
            "edit": {
                "result": "Success",
                "pageid": self.pages[title]["pageid"],
                "title": title,
                "contentmodel": "wikitext",
                "oldrevid": old,
                "newrevid": revid,
                "newtimestamp": latest["timestamp"],
                **({"new": True} if not old else {}),
            }
        }

    @staticmethod
    def _rev(revision: dict) -> dict:
        data = {k: v for k, v in revision.items() if k != "content"}
        data["slots"] = {
            "main": {
                "contentmodel": "wikitext",
                "contentformat": "text/x-wiki",
                "content": revision["content"],
            }
        }
        return data

    def _sitematrix(self, params) -> dict:
        keys = sorted(self.sitematrix_groups, key=int)
        start = int(params.get("smcontinue") or 0)
        size = self.sitematrix_page_size or len(keys) or 1
        chosen = keys[start : start + size]
        matrix: dict = {"count": sum(len(self.sitematrix_groups[k]["site"]) for k in chosen)}
        for key in chosen:
            matrix[key] = self.sitematrix_groups[key]
        answer: dict = {"sitematrix": matrix}
        if start + size < len(keys):
            answer["continue"] = {"smcontinue": str(start + size), "continue": "-||"}
        else:
            matrix["specials"] = self.sitematrix_specials
            matrix["count"] += len(self.sitematrix_specials)
        return answer

    @staticmethod
    def _send(start_response, status, body, kind="json", headers=()):
        types = {
            "json": "application/json; charset=utf-8",
            "html": "text/html; charset=utf-8",
            "text": "text/plain; charset=utf-8",
        }
        if not isinstance(body, str):
            body = json.dumps(body)
        start_response(status, [("Content-Type", types[kind]), *headers])
        return [body.encode()]
