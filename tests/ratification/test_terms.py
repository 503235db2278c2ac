"""The vote's terms are declared once (ratification/terms.py): the model, the frozen fields, the
service's checks, the set-up form and the API all follow that declaration."""

import pytest
from django.core.exceptions import ValidationError

from ratification import api, services
from ratification.forms import VoteForm
from ratification.models import Vote, default_options
from ratification.terms import RELATIONS, TERMS, Kind

from .conftest import make_vote, settings_for


def _stored(term):
    """A term's default as the vote stores it."""
    if term.kind is Kind.OPTIONS:
        return default_options()  # no options given: the default ones
    return list(term.default) if isinstance(term.default, tuple) else term.default


def test_every_term_is_a_column_of_the_vote_with_the_same_default():
    for name, term in TERMS.items():
        column = Vote._meta.get_field(name)
        if term.kind in RELATIONS:
            assert column.many_to_many, name
        elif not term.required:
            assert column.get_default() == _stored(term), name


def test_a_vote_made_with_only_the_required_terms_takes_every_default(version, facilitator):
    vote = make_vote(version, facilitator, open_it=False)
    for name, term in TERMS.items():
        if term.kind in RELATIONS:
            assert not getattr(vote, name).exists(), name
        elif not term.required:
            assert getattr(vote, name) == _stored(term), name


def test_the_form_asks_for_the_version_then_every_term_with_its_bounds():
    form = VoteForm(versions=())
    assert list(form.fields) == ["version", *TERMS]
    for name, term in TERMS.items():
        field = form.fields[name]
        assert field.label == term.label
        if term.kind is Kind.NUMBER:
            assert (field.min_value, field.max_value, field.initial) == (
                term.least,
                term.most,
                term.default,
            )
        if term.kind in (Kind.TEXT, Kind.MARKDOWN):
            assert (field.max_length, field.required) == (term.limit, term.required)


@pytest.mark.parametrize("name", [name for name, term in TERMS.items() if term.kind is Kind.NUMBER])
def test_the_service_refuses_a_number_below_the_least_on_its_field(name, version, facilitator):
    term = TERMS[name]
    with pytest.raises(ValidationError) as caught:
        services.create_vote(
            version=version, user=facilitator, config=settings_for(**{name: term.least - 1})
        )
    assert caught.value.message_dict == {term.field_for_errors: [str(term.refusal)]}


def test_the_api_shows_the_public_terms_where_the_terms_say():
    vote_fields = api.VoteSerializer().fields
    for name, term in TERMS.items():
        shown_as = term.api_name or name
        if term.api == "vote":
            assert shown_as in vote_fields, name
        elif term.api == "eligibility":
            assert shown_as in vote_fields["eligibility"].fields, name
        else:
            assert shown_as not in vote_fields and shown_as not in vote_fields["eligibility"].fields
    # The threshold is shown as one fraction; who is on the include and exclude lists is not.
    assert {"threshold", "eligibility"} <= set(vote_fields)
    assert not {"include_voters", "exclude_voters", "required_languages"} & set(vote_fields)
