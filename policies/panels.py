"""Editor panels of the policy page."""

from wagtail.admin.panels import Panel


class WorkingDraftPanel(Panel):
    """Shows, above the fields, what the draft being edited would change if published, and any
    drafts set aside after a refused publication. An editor never publishes text they have
    not been shown."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "policies/admin/working_draft_panel.html"

        def get_context_data(self, parent_context=None):
            from .selectors import working_draft

            context = super().get_context_data(parent_context)
            context["working"] = working_draft(self.instance)
            return context
