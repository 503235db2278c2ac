from django import forms
from django.core.validators import RegexValidator


class ImportPolicyForm(forms.Form):
    file = forms.FileField(
        label="Markdown file",
        help_text="UTF-8 Markdown; optional YAML (---) or TOML (+++) front matter.",
    )
    slug = forms.SlugField(
        label="Policy slug",
        max_length=100,
        help_text="An existing policy gets a new version; a new slug creates the policy.",
    )
    title = forms.CharField(
        required=False, max_length=255, help_text="Leave empty to take it from the file."
    )
    label = forms.CharField(
        required=False,
        max_length=20,
        validators=[RegexValidator(r"^[\w.\-]*$", "Use letters, digits, dots and dashes.")],
        help_text='Optional version label, such as "2.1".',
    )
    summary = forms.CharField(
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required: what this version changes and why.",
    )
    level = forms.TypedChoiceField(
        label="Split sections at",
        choices=[(1, "# level 1"), (2, "## level 2"), (3, "### level 3")],
        coerce=int,
        initial=2,
    )
