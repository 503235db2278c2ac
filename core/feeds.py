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
        self._entry_elements = [el for p in _entry_element_providers for el in p()]
        super().write(outfile, encoding)

    def root_attributes(self):
        attrs = super().root_attributes()
        if _entry_element_providers:
            for prefix, uri in NAMESPACES.items():
                attrs[f"xmlns:{prefix}"] = uri
        return attrs

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        for name, attrs in getattr(self, "_entry_elements", ()):
            handler.addQuickElement(name, None, attrs)


# Extra elements for every entry of every feed, contributed by later apps (the transparency
# log adds its head) without core importing them. A provider is called once per feed written
# and returns [(qualified name, attributes)]; each name's prefix must be in NAMESPACES.
NAMESPACES = {"accord": "https://accord.invalid/ns/transparency"}
_entry_element_providers: list = []


def register_entry_elements(provider) -> None:
    if provider not in _entry_element_providers:
        _entry_element_providers.append(provider)
