"""Read a wiki consultation discussion into positions and replies.

Pure parsing: nothing here touches the database, so the rules can be tested on plain strings.
Two input formats describe the same page:

* ``wikitext`` — the MediaWiki source: ``== Section ==`` headings, ``*`` bullets with stance
  templates (``{{Support}}``, ``{{Weak oppose}}``, ``{{Support|weak}}``, ``{{s}}``…) and
  signatures ``[[User:Name|Name]] ([[User talk:Name|talk]]) HH:MM, D Month YYYY (UTC)``;
* ``rendered`` — the page as a reader copies it from the browser: headings end in ``[edit]``,
  bullets are ``•``, a stance template shows as its word twice ("Support Support"), signatures
  read ``Name (talk) HH:MM, D Month YYYY (UTC)[reply]`` and replies are indented further.

Both formats go through the same stance rules, so the same discussion gives the same result:

* Stance markers are stance templates (rendered: the doubled word) anywhere on the line, and a
  stance word at the very start of the comment when it is bold (wikitext) or followed by
  punctuation, a capitalised word or nothing ("Neutral, partly {{Oppose}}" is neutral). The first
  marker on the line is the stance and is removed from the reason; later stance templates stay in
  the text as their word ("partly Oppose"). Strength ("strong"/"weak") is a qualifier, the stance
  is the base word.
* Only top-level bullets are positions. Indented lines (``**``, ``*:``, ``:``; rendered: deeper
  indentation) are replies to the bullet above, even when they contain a stance template.
* The author is the last user link before the timestamp (``User:``/``User talk:`` in several
  languages, interwiki prefixes such as ``[[:de:Benutzer:X|X]]``, ``Special:Contributions/IP``),
  or the name in ``{{unsigned|Name}}``; a signature without a timestamp still counts. Without a
  signature the author is ``"unsigned"``.
* A bullet that is only ``..`` is a placeholder; it is listed in ``skipped``.
* Lines before the first section heading (page title, introduction) are ignored.
"""

from __future__ import annotations

import contextlib
import functools
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

import mwparserfromhell

UNSIGNED = "unsigned"
MAX_REPLY_DEPTH = 3

__all__ = [
    "DiscussionFormatError",
    "ImportedPosition",
    "ImportedReply",
    "ParsedDiscussion",
    "parse_rendered",
    "parse_wikitext",
]


class DiscussionFormatError(ValueError):
    """The text does not look like a discussion in the requested format."""


@dataclass
class ImportedReply:
    """A reply under a position.

    Replies form a flat list in page order; ``depth`` is 1 for a direct answer to the position and
    at most 3 (deeper replies are clamped), ``parent`` is the index in the same list of the reply
    this one answers, or None when it answers the position itself."""

    author: str
    body: str
    timestamp: datetime | None
    line: int
    depth: int = 1
    parent: int | None = None


@dataclass
class ImportedPosition:
    """A top-level bullet: a stance ("support", "oppose", "neutral", or "" for a plain comment)
    on one section, with its reason and the replies below it."""

    section_heading: str
    stance: str
    strength: str
    author: str
    reason: str
    timestamp: datetime | None
    line: int
    replies: list[ImportedReply] = field(default_factory=list)


@dataclass
class ParsedDiscussion:
    """What a discussion page contains. ``skipped`` lists (line number, why) for every line
    that looked like content but is not imported; ``headings`` lists every section heading in
    page order with its line, including sections without any position."""

    positions: list[ImportedPosition] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)
    headings: list[tuple[int, str]] = field(default_factory=list)


# --- shared vocabulary ---------------------------------------------------------------------

_BASE_STANCES = {
    "support": "support",
    "s": "support",
    "sup": "support",
    "supp": "support",
    "vs": "support",
    "pro": "support",
    "oppose": "oppose",
    "o": "oppose",
    "opp": "oppose",
    "vo": "oppose",
    "contra": "oppose",
    "neutral": "neutral",
    "n": "neutral",
    "neu": "neutral",
    "vn": "neutral",
}
_STRENGTHS = {"strong": "strong", "strongly": "strong", "weak": "weak", "weakly": "weak"}
_STANCE_WORDS = {"support": "Support", "oppose": "Oppose", "neutral": "Neutral"}

_MONTHS = {
    name: number
    for number, name in enumerate(
        [
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ],
        start=1,
    )
}
_TIMESTAMP = re.compile(
    r"(?P<h>\d{1,2}):(?P<mi>\d{2}),\s+"
    r"(?:(?P<d1>\d{1,2})\s+(?P<m1>[A-Za-z]+)|(?P<m2>[A-Za-z]+)\s+(?P<d2>\d{1,2}),)"
    r"\s+(?P<y>\d{4})\s*\(UTC\)"
)

_PLACEHOLDER = re.compile(r"^(?:\.{2,}|…)$")
_MARKER = re.compile("\ue000(\\d+)\ue001")
_LEADING_WORD = re.compile(
    r"^(?:(?P<strength>strong(?:ly)?|weak(?:ly)?)\s+)?(?P<stance>support|oppose|neutral)\b",
    re.IGNORECASE,
)
_WORD_CHARS = re.compile(r"\w")
_SPACES = re.compile(r"[ \t\u00a0\u2009\u202f]+")
_TRAILING_SIG_DASH = re.compile(r"[\s\-–—~]+$")


def _word(stance: str, strength: str) -> str:
    base = _STANCE_WORDS[stance]
    return f"{strength.capitalize()} {base.lower()}" if strength else base


def _marker(index: int) -> str:
    return f"\ue000{index}\ue001"


def _parse_timestamp(match: re.Match) -> datetime | None:
    month = _MONTHS.get((match["m1"] or match["m2"]).lower())
    if month is None:
        return None
    try:
        return datetime(
            int(match["y"]),
            month,
            int(match["d1"] or match["d2"]),
            int(match["h"]),
            int(match["mi"]),
            tzinfo=UTC,
        )
    except ValueError:
        return None


def _last_timestamp(text: str) -> tuple[re.Match | None, datetime | None]:
    """The last well-formed UTC timestamp in `text` (a signature ends with one)."""
    for match in reversed(list(_TIMESTAMP.finditer(text))):
        value = _parse_timestamp(match)
        if value is not None:
            return match, value
    return None, None


def _tidy(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def _resolve_stance(
    plain: str, markers: list[tuple[str, str]], *, bold_lead: bool, reply: bool = False
) -> tuple[str, str, str]:
    """Pick the first stance marker on the line; return (stance, strength, reason).

    `plain` is the comment as plain text in which every stance template stands as a marker
    (index into `markers`). A stance word at the very start counts when it is bold or followed
    by punctuation, a capitalised word or nothing. A reply takes no stance: every marker stays
    in its text as a word."""
    text = plain.lstrip()
    stance = strength = ""
    start = end = None
    lead = None if reply else _LEADING_WORD.match(text)
    if lead:
        rest = text[lead.end() :].lstrip()
        if bold_lead or not rest or rest[0] in ",.:;!?–—-(\"“'‘" or rest[0].isupper():
            stance = lead["stance"].lower()
            strength = _STRENGTHS.get((lead["strength"] or "").lower(), "")
            start, end = 0, lead.end()
    if start is None and not reply:
        first = _MARKER.search(text)
        if first:
            stance, strength = markers[int(first[1])]
            start, end = first.start(), first.end()
    if start is not None:
        before, after = text[:start].rstrip(), text[end:].lstrip()
        if not before:
            after = after.lstrip(",:;.–—- ")
            text = after
        elif after and after[0] in ",.;:!?)":
            text = before + after
        else:
            text = f"{before} {after}"
    reason = _MARKER.sub(lambda m: _word(*markers[int(m[1])]), text)
    return stance, strength, _tidy(reason)


# --- wikitext -------------------------------------------------------------------------------

_HEADING = re.compile(r"^(?P<eq>={1,6})\s*(?P<title>.+?)\s*(?P=eq)\s*(?:<!--.*?-->\s*)*$")
_LIST_PREFIX = re.compile(r"^(?P<prefix>[*#:;]+)\s*(?P<rest>.*)$")
_WIKILINK = re.compile(r"\[\[(?P<target>[^\[\]|]*)(?:\|(?P<label>(?:[^\[\]]|\[[^\[\]]*\])*))?\]\]")
_HTML_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
_ENTITY = re.compile(r"&(?:#\d+|#x[0-9A-Fa-f]+|[A-Za-z]+);")
_BOLD_LEAD = re.compile(
    r"^\s*(?:<b>|'''+)\s*(?:(?:strong(?:ly)?|weak(?:ly)?)\s+)?(?:support|oppose|neutral)\s*(?:</b>|''')",
    re.IGNORECASE,
)

# Namespaces of user pages and user talk pages (English and a few large wikis), compared
# after lower-casing and turning underscores into spaces.
_USER_NAMESPACES = {
    "user",
    "user talk",
    "u",
    "ut",
    "benutzer",
    "benutzerin",
    "benutzer diskussion",
    "benutzerin diskussion",
    "bd",
    "utilisateur",
    "utilisatrice",
    "discussion utilisateur",
    "discussion utilisatrice",
    "usuario",
    "usuaria",
    "usuario discusión",
    "usuaria discusión",
    "usuário",
    "usuária",
    "usuário discussão",
    "utilizador",
    "utilizador discussão",
    "utente",
    "discussioni utente",
    "gebruiker",
    "overleg gebruiker",
    "wikipedysta",
    "wikipedystka",
    "dyskusja wikipedysty",
    "dyskusja wikipedystki",
    "användare",
    "användardiskussion",
    "участник",
    "участница",
    "обсуждение участника",
    "обсуждение участницы",
    "利用者",
    "利用者‐会話",
    "利用者-会話",
}
_SPECIAL_NAMESPACES = {
    "special",
    "spezial",
    "spécial",
    "especial",
    "speciale",
    "speciaal",
    "specjalna",
    "служебная",
    "特別",
}
_CONTRIBUTIONS = {
    "contributions",
    "contribs",
    "beiträge",
    "contribuciones",
    "contributi",
    "bijdragen",
    "wkład",
    "вклад",
    "投稿記録",
}
_INTERWIKI_PREFIX = re.compile(r"^[a-z][a-z0-9-]{0,19}$")
_QUOTE_TEMPLATES = {"tq", "talkquote", "talk quote", "xt", "quote", "q", "green"}
_UNSIGNED_NAME_FIRST = {"unsigned", "unsignedip", "unsigniert", "nonsigné", "nosign"}
_UNSIGNED_DATE_FIRST = {"unsigned2", "unsignedip2"}


def _template_name(template) -> str:
    name = str(template.name).strip().replace("_", " ")
    name = re.sub(r"^template:\s*", "", name, flags=re.IGNORECASE)
    return _tidy(name).lower()


def _stance_template(template) -> tuple[str, str] | None:
    """(stance, strength) when `template` is a stance template such as {{Weak oppose}}."""
    name = _template_name(template)
    strength = ""
    first, _, rest = name.partition(" ")
    if rest and first in _STRENGTHS:
        strength, name = _STRENGTHS[first], rest
    stance = _BASE_STANCES.get(name)
    if stance is None:
        return None
    if not strength and template.has("1"):
        strength = _STRENGTHS.get(str(template.get("1").value).strip().lower(), "")
    return stance, strength


def _user_from_target(target: str) -> str | None:
    """The user a link target names: User:X, User talk:X/sub, :de:Benutzer:X or
    Special:Contributions/X; None for any other page."""
    parts = [p.strip() for p in target.replace("_", " ").split(":")]
    if parts and not parts[0]:
        parts = parts[1:]
    for i, part in enumerate(parts[:-1]):
        namespace = _tidy(part).lower()
        rest = ":".join(parts[i + 1 :])
        if namespace in _USER_NAMESPACES:
            name = rest.split("/")[0].split("#")[0]
            return _tidy(name) or None
        if namespace in _SPECIAL_NAMESPACES:
            page, _, user = rest.partition("/")
            if _tidy(page).lower() in _CONTRIBUTIONS and user:
                return _tidy(user.split("/")[0].split("#")[0]) or None
            return None
        if not _INTERWIKI_PREFIX.match(namespace):
            return None
    return None


def _only_punctuation(raw: str) -> bool:
    """True when `raw` (wikitext between parts of a signature) has no words of its own."""
    text = _WIKILINK.sub(" ", raw)
    text = _HTML_TAG.sub(" ", text)
    text = _ENTITY.sub(" ", text)
    text = re.sub(r"\{\{[^{}]*\}\}", " ", text)
    text = text.replace("'''", " ").replace("''", " ")
    return not _WORD_CHARS.search(text)


def _unsigned_template(code) -> tuple[object, str, datetime | None] | None:
    for template in code.filter_templates(recursive=True):
        name = _template_name(template).replace(" ", "").replace("-", "")
        if name in _UNSIGNED_NAME_FIRST:
            name_param, date_param = "1", "2"
        elif name in _UNSIGNED_DATE_FIRST:
            name_param, date_param = "2", "1"
        else:
            continue
        author = _tidy(str(template.get(name_param).value)) if template.has(name_param) else ""
        stamp = None
        if template.has(date_param):
            _, stamp = _last_timestamp(str(template.get(date_param).value))
        return template, author or UNSIGNED, stamp
    return None


def _wikitext_signature(content: str) -> tuple[str, datetime | None, str]:
    """Split a comment into (author, timestamp, the text before the signature)."""
    code = mwparserfromhell.parse(content)
    unsigned = _unsigned_template(code)
    ts_match, stamp = _last_timestamp(content)
    if unsigned is not None:
        template, author, own_stamp = unsigned
        cut = content.find(str(template))
        if ts_match is not None and ts_match.start() < cut:
            cut = ts_match.start()
        body = content[: max(cut, 0)]
        return author, own_stamp or stamp, _TRAILING_SIG_DASH.sub("", body)

    limit = ts_match.start() if ts_match else len(content)
    links = [
        (m, user)
        for m in _WIKILINK.finditer(content, 0, limit)
        if (user := _user_from_target(m["target"])) is not None
    ]
    if links and _only_punctuation(content[links[-1][0].end() : limit]):
        author = links[-1][1]
        first = len(links) - 1
        while first > 0 and _only_punctuation(
            content[links[first - 1][0].end() : links[first][0].start()]
        ):
            first -= 1
        body = content[: links[first][0].start()]
        # Custom signatures open markup (<span>, <small>, ''') before the first link.
        body = re.sub(r"(?:<[A-Za-z][^<>]*>|(?:^|(?<=\s))'{2,}|\s)+$", "", body)
        return author, stamp, _TRAILING_SIG_DASH.sub("", body)
    if ts_match is not None:
        return UNSIGNED, stamp, _TRAILING_SIG_DASH.sub("", content[: ts_match.start()])
    return UNSIGNED, None, content


def _wikitext_plain(raw: str) -> tuple[str, list[tuple[str, str]]]:
    """Wikitext → plain text; stance templates become markers, other templates disappear
    (quotation templates keep their text), links keep their label."""
    code = mwparserfromhell.parse(raw)
    markers: list[tuple[str, str]] = []
    for link in code.filter_wikilinks(recursive=True):
        namespace = str(link.title).strip().lstrip(":").split(":")[0].strip().lower()
        if namespace in {"file", "image", "category", "datei", "bild", "kategorie", "fichier"}:
            with contextlib.suppress(ValueError):
                code.remove(link)
    for template in code.filter_templates(recursive=True):
        stance = _stance_template(template)
        if stance is not None:
            replacement = _marker(len(markers))
            markers.append(stance)
        elif _template_name(template) in _QUOTE_TEMPLATES and template.has("1"):
            replacement = str(template.get("1").value.strip_code())
        else:
            replacement = ""
        with contextlib.suppress(ValueError):  # nested in a template that is already gone
            code.replace(template, replacement)
    plain = code.strip_code(normalize=True, collapse=True, keep_template_params=False)
    return _tidy(plain), markers


def _wikitext_comment(
    content: str, *, reply: bool = False
) -> tuple[str, str, str, datetime | None, str]:
    """(stance, strength, author, timestamp, reason) for the text of one bullet."""
    author, stamp, body = _wikitext_signature(content)
    plain, markers = _wikitext_plain(body)
    stance, strength, reason = _resolve_stance(
        plain, markers, bold_lead=bool(_BOLD_LEAD.match(body)), reply=reply
    )
    return stance, strength, author, stamp, reason


def parse_wikitext(text: str) -> ParsedDiscussion:
    """Parse the MediaWiki source of a consultation discussion.

    Headings of level 2 and deeper start a section; a level-1 heading (the page title) ends it.
    Raises DiscussionFormatError when the text has no section heading at all."""
    lines = []
    for number, line in enumerate(text.splitlines(), start=1):
        heading = _HEADING.match(line.strip())
        if heading:
            level = len(heading["eq"])
            title = _tidy(mwparserfromhell.parse(heading["title"]).strip_code())
            lines.append((number, "heading" if level > 1 else "title", title, 0))
            continue
        item = _LIST_PREFIX.match(line)
        if item:
            prefix = item["prefix"]
            top = len(prefix) == 1 and prefix in "*#"
            lines.append((number, "position" if top else "reply", item["rest"], len(prefix) - 1))
        else:
            lines.append((number, "text", line, 0))
    if not any(kind == "heading" for _, kind, _, _ in lines):
        raise DiscussionFormatError(
            "No section heading (== Heading ==) found; is this MediaWiki source?"
        )
    return _assemble(lines, _wikitext_comment, _wikitext_has_text)


def _wikitext_has_text(line: str) -> bool:
    plain, _ = _wikitext_plain(line)
    return bool(_WORD_CHARS.search(plain))


# --- rendered text --------------------------------------------------------------------------

_RENDERED_HEADING = re.compile(r"^(?P<title>.+?)\s*\[\s*edit(?:\s*\|\s*edit source)?\s*\]\s*$")
_BULLET = re.compile(r"^[•◦▪‣▸·*]\s*")
_REPLY_LINK = re.compile(r"\s*\[\s*reply\s*\]", re.IGNORECASE)
_TALK = re.compile(r"\(\s*talk(?:\s*[•·|]\s*contribs)?\s*\)\s*$", re.IGNORECASE)
_UNSIGNED_RENDERED = re.compile(
    r"[\s—–-]*Preceding\s+(?:unsigned|undated)\s+comment\s+added\s+by\s+(?P<name>.+?)\s*$",
    re.IGNORECASE,
)
# A rendered stance template: its word twice, capitalised ("Support Support", "Weak oppose
# Weak oppose"), so that running text such as "we support support staff" is left alone.
_DOUBLED = re.compile(
    r"(?<!\w)(?P<w>(?:Strong|Weak|Strongly|Weakly)\s+(?:[Ss]upport|[Oo]ppose|[Nn]eutral)"
    r"|Support|Oppose|Neutral|Pro|Contra)\s+(?P=w)(?!\w)"
)
_NAME_STOP = ".!?;:,"
_DASHES = ("--", "—", "–", "~")
_STANCE_TOKEN = re.compile(r"^(?:support|oppose|neutral|comment)$", re.IGNORECASE)


def _rendered_name(before: str, known: frozenset[str] = frozenset()) -> tuple[str, str, bool]:
    """Split `text Name` (what precedes "(talk)") into (text, Name, confident).

    The rendered page has no link boundaries, so the name is taken as the capitalised words
    (at most four) right before "(talk)", stopping at a word that ends a sentence, at a stance
    word and at a signature dash ("--Name"); those stops make the split `confident`. Otherwise
    the longest ending of the candidate that is a name signed confidently elsewhere on the
    page (`known`) wins, so "Support Clear Ann (talk)" gives Ann when Ann signed elsewhere."""
    tokens = before.split()
    name: list[str] = []
    confident = False
    while tokens and len(name) < 4:
        token = tokens[-1]
        if token.startswith(_DASHES):
            stripped = token.lstrip("-—–~")
            if stripped:
                name.insert(0, stripped)
            tokens.pop()
            confident = True
            break
        if token[-1] in _NAME_STOP or _STANCE_TOKEN.match(token):
            confident = True
            break
        if not (token[0].isupper() or token[0].isdigit() or token[0] == "("):
            break
        name.insert(0, token)
        tokens.pop()
    while name and name[0].startswith("("):
        tokens.append(name.pop(0))
    if not confident and " ".join(name) not in known:
        for start in range(1, len(name)):
            if " ".join(name[start:]) in known:
                tokens.extend(name[:start])
                name = name[start:]
                break
    return " ".join(tokens), " ".join(name), confident


def _rendered_signature(
    content: str, known: frozenset[str] = frozenset()
) -> tuple[str, datetime | None, str, bool]:
    """Split a rendered comment into (author, timestamp, the text before the signature,
    whether the author's name was found without guessing)."""
    content = _REPLY_LINK.sub("", content).rstrip()
    ts_match, stamp = _last_timestamp(content)
    before = content[: ts_match.start()].rstrip() if ts_match else content
    unsigned = _UNSIGNED_RENDERED.search(before)
    if unsigned:
        name = _TALK.sub("", unsigned["name"]).strip()
        return name or UNSIGNED, stamp, before[: unsigned.start()], True
    talk = _TALK.search(before)
    if talk:
        body, name, confident = _rendered_name(before[: talk.start()], known)
        if name:
            return name, stamp, _TRAILING_SIG_DASH.sub("", body), confident
    if ts_match is not None:
        return UNSIGNED, stamp, _TRAILING_SIG_DASH.sub("", before), True
    return UNSIGNED, None, content, True


def _rendered_plain(raw: str) -> tuple[str, list[tuple[str, str]]]:
    markers: list[tuple[str, str]] = []

    def to_marker(match: re.Match) -> str:
        words = match["w"].lower().split()
        strength = _STRENGTHS.get(words[0], "") if len(words) > 1 else ""
        markers.append((_BASE_STANCES[words[-1]], strength))
        return _marker(len(markers) - 1)

    return _tidy(_DOUBLED.sub(to_marker, raw)), markers


def _rendered_comment(
    content: str, *, reply: bool = False, known: frozenset[str] = frozenset()
) -> tuple[str, str, str, datetime | None, str]:
    """(stance, strength, author, timestamp, reason) for the text of one rendered bullet."""
    author, stamp, body, _ = _rendered_signature(content, known)
    plain, markers = _rendered_plain(body)
    stance, strength, reason = _resolve_stance(plain, markers, bold_lead=False, reply=reply)
    return stance, strength, author, stamp, reason


def parse_rendered(text: str) -> ParsedDiscussion:
    """Parse a discussion page copied from the browser.

    Headings are lines ending in "[edit]". In each section the least indented bullets are
    positions; anything indented further is a reply, one level per deeper indentation.
    Raises DiscussionFormatError when no heading ends in "[edit]"."""
    raw_lines = text.replace("\u00a0", " ").splitlines()
    sections: list[list[tuple[int, str]]] = [[]]
    lines: list[tuple[int, str, str, int]] = []
    for number, line in enumerate(raw_lines, start=1):
        heading = _RENDERED_HEADING.match(line.strip())
        if heading:
            lines.append((number, "heading", _tidy(heading["title"]), 0))
            sections.append([])
        elif lines:
            sections[-1].append((number, line.expandtabs(4)))
    if not lines:
        raise DiscussionFormatError('No section heading ending in "[edit]" found.')

    body: dict[int, list[tuple[int, str, str, int]]] = {}
    for index, section in enumerate(sections[1:]):
        indents = [
            len(line) - len(line.lstrip())
            for _, line in section
            if _BULLET.match(line.lstrip()) and line.strip()
        ] or [len(line) - len(line.lstrip()) for _, line in section if line.strip()]
        base = min(indents, default=0)
        stack = [base]
        items = []
        for number, line in section:
            if not line.strip():
                continue
            indent = len(line) - len(line.lstrip())
            stripped = line.strip()
            bullet = _BULLET.match(stripped)
            content = stripped[bullet.end() :] if bullet else stripped
            if indent <= base:
                stack = [base]
                items.append((number, "position" if bullet else "text", content, 0))
            else:
                while len(stack) > 1 and stack[-1] >= indent:
                    stack.pop()
                stack.append(indent)
                items.append((number, "reply", content, len(stack) - 1))
        body[index] = items

    merged: list[tuple[int, str, str, int]] = []
    for index, heading_line in enumerate(lines):
        merged.append(heading_line)
        merged.extend(body.get(index, []))
    # Names signed unambiguously ("... text. Name (talk)") help to split the others.
    known = frozenset(
        author
        for _, kind, content, _ in merged
        if kind in ("position", "reply")
        for author, _, _, confident in [_rendered_signature(content.strip())]
        if confident and author != UNSIGNED
    )
    return _assemble(
        merged,
        functools.partial(_rendered_comment, known=known),
        lambda line: bool(_WORD_CHARS.search(line)),
    )


# --- shared assembly ------------------------------------------------------------------------


def _assemble(lines, read_comment, has_text) -> ParsedDiscussion:
    """Turn classified lines (number, kind, content, depth) into positions and replies."""
    result = ParsedDiscussion()
    section: str | None = None
    current: ImportedPosition | None = None
    for number, kind, content, depth in lines:
        if kind == "heading":
            section, current = content, None
            result.headings.append((number, content))
            continue
        if kind == "title":
            section = current = None
            continue
        if section is None:
            continue  # page title and introduction
        stripped = content.strip()
        if kind == "text":
            if stripped and has_text(stripped):
                result.skipped.append((number, "text outside a list item"))
            continue
        if kind == "position":
            current = None
            if not stripped:
                result.skipped.append((number, "empty bullet"))
                continue
            if _PLACEHOLDER.match(stripped):
                result.skipped.append((number, f"placeholder “{stripped}”, not a comment"))
                continue
            stance, strength, author, stamp, reason = read_comment(stripped)
            if not stance and not reason:
                result.skipped.append((number, "bullet without a stance or any text"))
                continue
            current = ImportedPosition(
                section_heading=section,
                stance=stance,
                strength=strength,
                author=author,
                reason=reason,
                timestamp=stamp,
                line=number,
            )
            result.positions.append(current)
            continue
        # a reply
        if not stripped or _PLACEHOLDER.match(stripped):
            continue
        if current is None:
            result.skipped.append((number, "indented reply without a position above it"))
            continue
        _, _, author, stamp, body = read_comment(stripped, reply=True)
        if not body:
            result.skipped.append((number, "reply without any text"))
            continue
        _add_reply(current, ImportedReply(author, body, stamp, number, max(depth, 1)))
    return result


def _add_reply(position: ImportedPosition, reply: ImportedReply) -> None:
    """Append `reply`, keeping depths contiguous (at most one deeper than the reply above and
    at most MAX_REPLY_DEPTH) and pointing `parent` at the reply it answers."""
    previous = position.replies[-1].depth if position.replies else 0
    reply.depth = max(1, min(reply.depth, previous + 1, MAX_REPLY_DEPTH))
    reply.parent = None
    if reply.depth > 1:
        for index in range(len(position.replies) - 1, -1, -1):
            if position.replies[index].depth == reply.depth - 1:
                reply.parent = index
                break
    position.replies.append(reply)
