from .drafts import SetAsideDraft
from .pages import PolicyIndexPage, PolicyPage, PolicySection
from .site_settings import AccordSettings
from .translations import PolicyTranslation, TranslatedSection
from .versions import ImmutableVersionError, PolicyVersion, SectionVersion

__all__ = [
    "AccordSettings",
    "ImmutableVersionError",
    "PolicyIndexPage",
    "PolicyPage",
    "PolicySection",
    "PolicyTranslation",
    "PolicyVersion",
    "SectionVersion",
    "SetAsideDraft",
    "TranslatedSection",
]
