"""A consultation that requires translations opens only once they match the consulted version."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from consultations import services
from consultations.models import Consultation
from policies import services as policy_services

from .conftest import page_text

pytestmark = pytest.mark.django_db


def translate(version, code, editor):
    text = "\n\n".join(
        [f"# {code} {version.title}"]
        + [f"## {code} {s.heading}\n\n{code} {s.body}" for s in version.sections.all()]
    )
    policy_services.import_translation_markdown(
        data=text,
        slug=version.policy.slug,
        version_number=version.number,
        language_code=code,
        user=editor,
    )


def test_a_draft_consultation_opens_once_its_translations_exist(version, facilitator, editor):
    consultation = services.create_consultation(
        version=version,
        user=facilitator,
        title="Have your say",
        closes_at=timezone.now() + timedelta(days=28),
        required_languages=["es"],
    )
    with pytest.raises(ValidationError) as refused:
        services.open_consultation(consultation=consultation, user=facilitator)
    assert (
        "The consultation cannot open until its required translations are up to date. "
        "Spanish (es): there is no translation of version 1."
    ) in refused.value.messages
    assert Consultation.objects.get().state == "draft"

    translate(version, "es", editor)
    services.open_consultation(consultation=consultation, user=facilitator)
    assert Consultation.objects.get().state == "open"


def test_opening_straight_away_without_the_translation_writes_nothing(version, facilitator):
    with pytest.raises(ValidationError, match="Hebrew"):
        services.create_consultation(
            version=version,
            user=facilitator,
            title="Have your say",
            closes_at=timezone.now() + timedelta(days=28),
            open_now=True,
            required_languages=["he"],
        )
    assert not Consultation.objects.exists()


def test_the_create_form_offers_languages_and_explains_a_refusal(
    client, facilitator, policy, version
):
    client.force_login(facilitator)
    now = timezone.now()
    data = {
        "version": "1",
        "title": "Have your say",
        "opens_at": now.strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (now + timedelta(days=28)).strftime("%Y-%m-%dT%H:%M"),
        "open_now": "on",
        "required_languages": ["de", "ar"],
    }
    response = client.post(f"/{policy.slug}/consultations/new/", data)
    assert response.status_code == 400
    text = page_text(response)
    assert "German (de): there is no translation of version 1" in text
    assert "Arabic (ar): there is no translation of version 1" in text
    assert not Consultation.objects.exists()

    response = client.post(f"/{policy.slug}/consultations/new/", {**data, "open_now": ""})
    assert response.status_code == 302
    consultation = Consultation.objects.get()
    assert (consultation.state, consultation.required_languages) == ("draft", ["de", "ar"])
    response = client.post(
        f"/{policy.slug}/consultations/{consultation.pk}/state/", {"to": "open", "note": ""}
    )
    assert "German (de): there is no translation" in page_text(client.get(response["Location"]))
    assert Consultation.objects.get().state == "draft"
