"""Reading and writing policy documents as Markdown, and exporting them as MediaWiki wikitext.

This package is pure Python: it knows nothing about Django or the database, so it can be used
from management commands, views and tests alike. One module per concern; the names below are
re-exported here, so ``from policies.markdown_io import parse_policy`` works as well as
``from policies.markdown_io.parsing import parse_policy``.

Importing (:mod:`.parsing`)
    :func:`parse_policy` turns a Markdown file (bytes or text) into a :class:`ParsedPolicy`: a
    title, the front matter (YAML between ``---`` lines or TOML between ``+++`` lines) and a flat
    list of :class:`ParsedSection`, split at the headings of one level (``##`` by default).
    Problems a user can fix are reported as :class:`PolicyFormatError` with a readable message.

Rendering (:mod:`.rendering`, :mod:`.placeholders`)
    :func:`render_markdown` converts a section body to HTML and sanitises it with an explicit
    allow-list; :func:`highlight_placeholders` then marks template placeholders such as
    ``[INSERT CONTACT METHOD]`` (found in source text by :func:`find_placeholders`).

Versioning (:mod:`.keys`)
    :func:`slugify_key` derives a stable key from a heading, and :func:`match_section_keys`
    works out which sections of a newly imported version continue which sections of the
    current one, so keys survive renumbering, renames and light edits.

Exporting (:mod:`.markdown_out`, :mod:`.wikitext`)
    :func:`to_markdown` writes a document that :func:`parse_policy` reads back unchanged;
    :func:`to_wikitext` writes MediaWiki markup for pasting into a wiki page.

:mod:`.blocks` holds the line-level reading of Markdown's block structure (headings, code
fences, lists, quotes, link definitions) that the parser, the renderer and the wikitext writer
share.
"""

from .keys import match_section_keys, slugify_key
from .markdown_out import to_markdown
from .parsing import ParsedPolicy, ParsedSection, PolicyFormatError, parse_policy
from .placeholders import PLACEHOLDER_RE, find_placeholders, highlight_placeholders
from .rendering import render_markdown
from .wikitext import to_wikitext

__all__ = [
    "PLACEHOLDER_RE",
    "ParsedPolicy",
    "ParsedSection",
    "PolicyFormatError",
    "find_placeholders",
    "highlight_placeholders",
    "match_section_keys",
    "parse_policy",
    "render_markdown",
    "slugify_key",
    "to_markdown",
    "to_wikitext",
]
