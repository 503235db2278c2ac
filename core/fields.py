"""Every text field of every form and API serializer drops control characters.

Django's forms.CharField and DRF's CharField are the two places all typed or posted text passes
through: the site's forms, the Wagtail and Django admins, sign-in and the JSON API (including
the fields their subclasses derive: email, URL, slug, regex; and the strings inside list and
dict fields). Cleaning there, once, at start-up (core.apps), covers every form and serializer
without each declaring a special field, and ones added later too. The value is cleaned before
the field's own steps, so whitespace trimming, "required" and length checks see the cleaned
text. NUL is left in for the fields' own validators, which refuse it with a message. Password
inputs are left alone: a password is a secret compared as typed."""

from __future__ import annotations

from django import forms
from rest_framework import fields as api_fields

from core.text import strip_control_characters

_MARK = "strips_control_characters"


def _form_to_python(original):
    def to_python(self, value):
        if isinstance(value, str) and not isinstance(self.widget, forms.PasswordInput):
            value = strip_control_characters(value)
        return original(self, value)

    setattr(to_python, _MARK, True)
    return to_python


def _api_run_validation(original):
    def run_validation(self, data=api_fields.empty):
        if isinstance(data, str):
            data = strip_control_characters(data)
        return original(self, data)

    setattr(run_validation, _MARK, True)
    return run_validation


def strip_control_characters_from_text_fields() -> None:
    """Make forms.CharField and DRF's CharField (and their subclasses) clean what they are
    given. Safe to call more than once."""
    if not getattr(forms.CharField.to_python, _MARK, False):
        forms.CharField.to_python = _form_to_python(forms.CharField.to_python)
    if not getattr(api_fields.CharField.run_validation, _MARK, False):
        api_fields.CharField.run_validation = _api_run_validation(
            api_fields.CharField.run_validation
        )
