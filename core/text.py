"""Control characters in text people send us (pure: text in, text out).

Pasted text sometimes carries invisible C0 control characters (a vertical tab from a word
processor, a stray \\x01 from a terminal). They mean nothing to a reader, and XML 1.0 cannot
hold them, so one stored in a title or a rationale used to break the Atom feeds for good. Text
entered in a form or the API loses them (see core.fields); a file to import that holds NUL is
refused, since NUL there means a binary or mis-encoded file rather than a stray keystroke.
Tab, line feed and carriage return are text and are kept."""

from __future__ import annotations

import re

# C0 controls except NUL (refused, not stripped), tab, line feed and carriage return.
CONTROL_CHARACTERS = re.compile("[\x01-\x08\x0b\x0c\x0e-\x1f]")
# What an XML 1.0 document cannot contain at all: C0 controls but tab, LF and CR; lone
# surrogates; U+FFFE and U+FFFF.
NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def strip_control_characters(text: str) -> str:
    """`text` without C0 control characters other than NUL, tab, line feed and carriage
    return. NUL is left for the caller to refuse."""
    return CONTROL_CHARACTERS.sub("", text)


def xml_safe(text: str) -> str:
    """`text` without the characters XML 1.0 cannot hold, for output that must stay valid
    whatever was stored before input was cleaned."""
    return NOT_IN_XML.sub("", text)


class NulCharacterError(ValueError):
    """A file to import holds a NUL character; `line` is where (counting from 1)."""

    def __init__(self, line: int):
        self.line = line
        super().__init__(
            f"line {line} contains a NUL character (\\x00): the file looks binary or is not "
            "saved as UTF-8 text."
        )


def imported_text(text: str) -> str:
    """The decoded content of a file to import, without control characters. Raises
    NulCharacterError, naming the first line holding one, when it contains NUL."""
    position = text.find("\x00")
    if position >= 0:
        raise NulCharacterError(text.count("\n", 0, position) + 1)
    return strip_control_characters(text)


def one_line(text: str) -> str:
    """Text for a single-line slot (an email subject, a header): every run of whitespace,
    line breaks included, becomes one space. A title that holds a line break would otherwise
    make the mail library refuse the whole message."""
    return " ".join(str(text).split())


# Quotation marks people put around a whole sentence, opening → closing.
_ENCLOSING_QUOTES = {
    '"': '"',
    "'": "'",
    "“": "”",
    "„": "“",
    "‘": "’",
    "«": "»",
    "»": "«",
    "「": "」",
}


def without_enclosing_quotes(text: str) -> str:
    """`text` without one pair of quotation marks around the whole of it, for a page that puts
    its own quotes around it: an edit summary typed as “Fix typo” would otherwise read
    ““Fix typo””. Quotes inside the text, or around only part of it, are kept."""
    stripped = str(text).strip()
    if len(stripped) >= 2 and _ENCLOSING_QUOTES.get(stripped[0]) == stripped[-1]:
        inner = stripped[1:-1]
        # "A" and "B": the first and last marks belong to different quotations.
        if stripped[0] not in inner and stripped[-1] not in inner:
            return inner.strip()
    return stripped
