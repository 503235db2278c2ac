from allauth.account.forms import LoginForm as AllauthLoginForm
from django import forms
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _


class LoginForm(AllauthLoginForm):
    """allauth's sign-in form; the name field keeps the id the old form had (id_username), so
    links, scripts and tests that focus it keep working."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["login"]
        # allauth sets no limit; a megabyte-long "name" would reach the database as a pattern.
        field.max_length = 254
        field.validators.append(MaxLengthValidator(254))
        field.widget.attrs["maxlength"] = "254"
        field.label = _("Username or email")
        field.widget.attrs.update({"id": "id_username", "autofocus": True})
        field.widget.attrs.pop("placeholder", None)
        self.fields["password"].widget.attrs.pop("placeholder", None)


class DeleteAccountForm(forms.Form):
    confirm = forms.CharField(
        label=_("Type your username to confirm"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_confirm(self):
        value = self.cleaned_data["confirm"].strip()
        if value != self.user.get_username():
            raise forms.ValidationError(_("That is not your username; nothing was deleted."))
        return value
