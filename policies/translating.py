"""Is a translation still accurate? A pure module: plain data in, section states out; no ORM.

A translation was made from one published version. Against a later (or the same) version of
the policy, each section is judged by key:

* up to date — the target version's section has the same heading and body hash as the source
  section that was translated;
* outdated   — the section exists in both but its heading or body changed since;
* missing    — the target version has a section the translation does not cover;
* removed    — the translation covers a section the target version no longer has.

The translation as a whole is up to date only when every section is; a language with no
translation at all is missing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

UP_TO_DATE = "up_to_date"
OUTDATED = "outdated"
MISSING = "missing"
REMOVED = "removed"

SECTION_STATES = [UP_TO_DATE, OUTDATED, MISSING, REMOVED]
TRANSLATION_STATES = [UP_TO_DATE, OUTDATED, MISSING]

STATE_LABELS = {
    UP_TO_DATE: _("up to date"),
    OUTDATED: _("outdated"),
    MISSING: _("missing"),
    REMOVED: _("removed from the source"),
}


@dataclass(frozen=True)
class SourceSection:
    """A section of a published version (what is translated, or what is current)."""

    key: str
    heading: str
    body: str
    body_hash: str


@dataclass(frozen=True)
class TranslatedText:
    """One translated section and the source section it was made from."""

    key: str
    heading: str
    body: str
    source: SourceSection


@dataclass
class SectionFreshness:
    key: str
    state: str
    # What the reader is shown: the translated text where there is one.
    translated: TranslatedText | None
    # The target version's section (None when the source removed it).
    current: SourceSection | None

    @property
    def heading(self) -> str:
        if self.translated is not None:
            return self.translated.heading
        return self.current.heading if self.current else self.key

    @property
    def label(self) -> str:
        return STATE_LABELS[self.state]

    @property
    def heading_changed(self) -> bool:
        return bool(
            self.translated
            and self.current
            and self.translated.source.heading != self.current.heading
        )

    @property
    def is_stale(self) -> bool:
        return self.state != UP_TO_DATE


@dataclass
class Freshness:
    sections: list[SectionFreshness] = field(default_factory=list)

    def _with(self, state: str) -> list[SectionFreshness]:
        return [s for s in self.sections if s.state == state]

    @property
    def outdated(self) -> list[SectionFreshness]:
        return self._with(OUTDATED)

    @property
    def missing(self) -> list[SectionFreshness]:
        return self._with(MISSING)

    @property
    def removed(self) -> list[SectionFreshness]:
        return self._with(REMOVED)

    @property
    def stale(self) -> list[SectionFreshness]:
        return [s for s in self.sections if s.is_stale]

    @property
    def state(self) -> str:
        return UP_TO_DATE if not self.stale else OUTDATED

    @property
    def is_up_to_date(self) -> bool:
        return self.state == UP_TO_DATE


def freshness(translated: Sequence[TranslatedText], target: Sequence[SourceSection]) -> Freshness:
    """Judge each translated section against the target version's sections, by key.

    Sections come out in the target version's order; sections the source has removed since
    follow at the end, so a translator sees them after everything still current."""
    by_key = {t.key: t for t in translated}
    target_keys = {s.key for s in target}
    rows: list[SectionFreshness] = []
    for current in target:
        done = by_key.get(current.key)
        if done is None:
            state = MISSING
        elif done.source.body_hash == current.body_hash and done.source.heading == current.heading:
            state = UP_TO_DATE
        else:
            state = OUTDATED
        rows.append(
            SectionFreshness(key=current.key, state=state, translated=done, current=current)
        )
    for done in translated:
        if done.key not in target_keys:
            rows.append(
                SectionFreshness(key=done.key, state=REMOVED, translated=done, current=None)
            )
    return Freshness(sections=rows)


# --- languages ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Language:
    code: str
    name: str  # in English, as Django names it
    name_local: str  # in the language itself
    bidi: bool

    @property
    def direction(self) -> str:
        return "rtl" if self.bidi else "ltr"


def language(code: str) -> Language:
    """Name and writing direction of a language code Django knows; KeyError otherwise."""
    info = get_language_info(code)
    return Language(
        code=code, name=info["name"], name_local=info["name_local"], bidi=bool(info["bidi"])
    )


def target_languages(configured: Iterable[str], source: str) -> list[Language]:
    """The languages a policy is translated into: every configured one but the source's."""
    return [language(code) for code in configured if code != source]
