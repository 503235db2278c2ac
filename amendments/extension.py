"""What amendments add to a consultation (consultations.extensions): pseudo-sections positions
may be taken on, the amendments under each section and on their own focused page, the actions
posted to the consultation page, the merge link, the summary's table and the export rows."""

from django.utils.translation import gettext_lazy as _

from consultations.extensions import Extension

from . import selectors, views

AMENDMENTS = Extension(
    name="amendments",
    open_keys=selectors.open_keys,
    page=selectors.consultation_page_part,
    detail_context=views.detail_context,
    actions={
        "amend": views.post_amend,
        "amend_revise": views.post_amend_revise,
        "amend_withdraw": views.post_amend_withdraw,
        "amend_decide": views.post_amend_decide,
    },
    section_end_template="amendments/_amendments.html",
    section_link=(_("Propose a change to this section"), "sections/{key}/propose/"),
    facilitator_template="amendments/_merge_link.html",
    summary=selectors.summary_amendments,
    summary_template="amendments/_summary_amendments.html",
    export=selectors.export_part,
    fingerprint=selectors.export_fingerprint,
)
