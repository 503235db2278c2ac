from .pages import PolicyIndexPage, PolicyPage, PolicySection
from .versions import ImmutableVersionError, PolicyVersion, SectionVersion

__all__ = [
    "ImmutableVersionError",
    "PolicyIndexPage",
    "PolicyPage",
    "PolicySection",
    "PolicyVersion",
    "SectionVersion",
]
