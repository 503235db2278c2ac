"""Settings editors choose in the admin (Settings → Accord)."""

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting


@register_setting(icon="doc-full")
class AccordSettings(BaseGenericSetting):
    baseline_policy = models.ForeignKey(
        "policies.PolicyPage",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"live": True},
        verbose_name=_("baseline policy"),
        help_text=_(
            "The shared code of conduct communities adopt. The registry, the adoption "
            "dashboard and its exports show it unless another policy is chosen."
        ),
    )

    panels = [FieldPanel("baseline_policy", widget=forms.Select)]

    class Meta:
        verbose_name = _("Accord")
