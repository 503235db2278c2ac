from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _


class ImportPolicyForm(forms.Form):
    file = forms.FileField(
        label=_("Markdown file"),
        help_text=_("UTF-8 Markdown; optional YAML (---) or TOML (+++) front matter."),
    )
    slug = forms.SlugField(
        label=_("Policy slug"),
        max_length=100,
        help_text=_("An existing policy gets a new version; a new slug creates the policy."),
    )
    title = forms.CharField(
        label=_("Title"),
        required=False,
        max_length=255,
        help_text=_("Leave empty to take it from the file."),
    )
    label = forms.CharField(
        label=_("Label"),
        required=False,
        max_length=20,
        validators=[RegexValidator(r"^[\w.\-]*$", _("Use letters, digits, dots and dashes."))],
        help_text=_('Optional version label, such as "2.1".'),
    )
    summary = forms.CharField(
        label=_("Summary"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Required: what this version changes and why. A draft keeps it for publishing."
        ),
    )
    level = forms.TypedChoiceField(
        label=_("Split sections at"),
        choices=[(1, _("# level 1")), (2, _("## level 2")), (3, _("### level 3"))],
        coerce=int,
        initial=2,
    )
    DRAFT, PUBLISH = "draft", "publish"
    then = forms.ChoiceField(
        label=_("After the import"),
        choices=[
            (DRAFT, _("Save it as a draft to preview and correct, then publish from the editor")),
            (PUBLISH, _("Publish it at once as a new version")),
        ],
        initial=DRAFT,
        required=False,
        widget=forms.RadioSelect,
        help_text=_("A published version is a permanent public record; a draft is not."),
    )

    def clean_then(self):
        return self.cleaned_data.get("then") or self.DRAFT


class TranslationUploadForm(forms.Form):
    """A translator uploads a translated Markdown file of one published version."""

    language = forms.ChoiceField(label=_("Language"))
    version = forms.IntegerField(label=_("Translates version"), min_value=1)
    file = forms.FileField(
        label=_("Markdown file"),
        help_text=_(
            "UTF-8 Markdown with one “##” heading per section, in the same order as the version."
        ),
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=500,
        help_text=_("Who translated it, and how."),
    )

    def __init__(self, *args, languages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [
            (lang.code, f"{lang.name_local} ({lang.code})") for lang in languages
        ]
