"""Atom feeds that stay valid XML whatever text was stored.

Input is cleaned of control characters (core.fields), but rows stored before that, or written
by code that bypasses the forms, may still hold them; Django's feed writer then raises and the
feed answers 500 until the row changes. Every feed uses this generator instead of Atom1Feed."""

from __future__ import annotations

from django.utils.feedgenerator import Atom1Feed

from core.text import xml_safe


def _xml_safe_value(value):
    if isinstance(value, str):
        return xml_safe(value)
    if isinstance(value, list | tuple):
        return type(value)(_xml_safe_value(v) for v in value)
    return value


class XmlSafeAtom1Feed(Atom1Feed):
    """Atom 1.0, with the characters XML 1.0 cannot hold dropped from every text of the feed
    and its entries (titles, descriptions, authors, links, categories)."""

    def write(self, outfile, encoding):
        self.feed = {key: _xml_safe_value(value) for key, value in self.feed.items()}
        self.items = [
            {key: _xml_safe_value(value) for key, value in item.items()} for item in self.items
        ]
        super().write(outfile, encoding)
