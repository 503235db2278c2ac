"""Template placeholders a declaration already answers, so a delegate is asked once.

The baseline's `[CONTACT METHOD]` is the declaration's reporting contact and its
`[GOVERNING BODY]` the body that enforces it locally: the declaration form asks for those two
and fills the placeholders with them, instead of asking "how to report" and "value for
[CONTACT METHOD]" side by side. Pure: no ORM."""

import re

# Words (in the placeholder's own language) that name the declaration field answering it.
_FIELD_WORDS = {
    "report_contact": {"CONTACT", "CONTACTO", "KONTAKT", "REPORT", "REPORTING"},
    "enforcement_body": {"GOVERNING", "ENFORCEMENT", "ENFORCING", "GREMIUM"},
}


def declaration_field_for(placeholder: str) -> str | None:
    """The Adoption field whose value fills `placeholder` (`"[CONTACT METHOD]"` →
    `"report_contact"`), or None when the declaration has to ask for it separately."""
    words = set(re.split(r"[\s_\-]+", placeholder.strip("[]").upper()))
    for field, names in _FIELD_WORDS.items():
        if words & names:
            return field
    return None


def fill_from_declaration(
    placeholders, parameters: dict[str, str], answers: dict[str, str]
) -> dict[str, str]:
    """`parameters` with every placeholder the declaration answers filled from `answers`
    (field name → value) where no value was given for it explicitly."""
    filled = dict(parameters)
    for placeholder in placeholders:
        value = (answers.get(declaration_field_for(placeholder) or "", "") or "").strip()
        if value and not filled.get(placeholder):
            filled[placeholder] = value[:200]
    return filled
