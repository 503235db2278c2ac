"""A vote that requires translations cannot open while any of them is missing or does not match
the version put to the vote; the facilitator is told which language and which sections."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from policies import services as policy_services
from ratification import services
from ratification.models import AuditEntry, Vote

from .conftest import DAY, HOUR, make_vote, page_text

pytestmark = pytest.mark.django_db


def translate(version, code, editor, prefix):
    text = "\n\n".join(
        [f"# {prefix} {version.title}"]
        + [f"## {prefix} {s.heading}\n\n{prefix} {s.body}" for s in version.sections.all()]
    )
    return policy_services.import_translation_markdown(
        data=text,
        slug=version.policy.slug,
        version_number=version.number,
        language_code=code,
        user=editor,
    )


def test_a_vote_waits_for_its_required_translations(version, facilitator, editor):
    vote = make_vote(version, facilitator, open_it=False, required_languages=("ar", "de"))
    assert vote.required_languages == ["de", "ar"]  # kept in the configured order

    with pytest.raises(ValidationError) as refused:
        services.open_vote(vote=vote, user=facilitator)
    message = " ".join(refused.value.messages)
    assert message.startswith("The vote cannot open until its required translations are up to")
    assert "German (de): there is no translation of version 2" in message
    assert "Arabic (ar): there is no translation of version 2" in message

    # A German translation of version 1: every section changed in version 2.
    translate(version.policy.versions.get(number=1), "de", editor, "DE")
    translate(version, "ar", editor, "AR")
    with pytest.raises(ValidationError) as refused:
        services.open_vote(vote=vote, user=facilitator)
    message = " ".join(refused.value.messages)
    assert "Arabic" not in message
    assert (
        "German (de): the translation of version 1 is outdated against version 2 in "
        "“Section 1” (outdated), “Section 2” (outdated), “Section 3” (outdated)"
    ) in message
    vote.refresh_from_db()
    assert vote.state == Vote.State.DRAFT
    assert not AuditEntry.objects.filter(vote=vote, action="opened").exists()

    translate(version, "de", editor, "DE")
    opened = services.open_vote(vote=vote, user=facilitator)
    assert opened.state == Vote.State.OPEN
    assert "translations required in de, ar" in AuditEntry.objects.get(action="opened").message


def test_required_languages_are_frozen_once_the_vote_opens(version, facilitator):
    vote = make_vote(version, facilitator)
    assert "required_languages" in Vote.FROZEN_FIELDS
    now = timezone.now()
    config = services.VoteSettings(
        question=vote.question,
        opens_at=now - HOUR,
        closes_at=now + DAY,
        required_languages=("de",),
    )
    with pytest.raises(ValidationError, match="attempt has been logged"):
        services.update_vote(vote=vote, user=facilitator, config=config)
    vote.refresh_from_db()
    assert vote.required_languages == []


def test_an_unknown_required_language_is_refused(version, facilitator):
    with pytest.raises(ValidationError) as refused:
        make_vote(version, facilitator, open_it=False, required_languages=("de", "tlh"))
    assert "Unknown translation language tlh" in str(refused.value.message_dict)
    assert not Vote.objects.exists()


def test_the_facilitator_chooses_languages_and_reads_why_the_vote_cannot_open(
    client, facilitator, version, editor
):
    client.force_login(facilitator)
    now = timezone.now()
    form = client.get("/baseline/ratification/votes/new/")
    assert 'name="required_languages" value="he"' in form.content.decode()
    response = client.post(
        "/baseline/ratification/votes/new/",
        {
            "version": "2",
            "question": "Ratify?",
            "options": "Yes = for\nNo = against\nAbstain = abstain",
            "opens_at": (now - HOUR).strftime("%Y-%m-%dT%H:%M"),
            "closes_at": (now + 3 * DAY).strftime("%Y-%m-%dT%H:%M"),
            "threshold_numerator": "2",
            "threshold_denominator": "3",
            "quorum_ballots": "0",
            "quorum_communities": "0",
            "breakdown_min_group": "10",
            "min_contributions": "0",
            "min_community_edits": "0",
            "required_languages": ["fr"],
        },
    )
    assert response.status_code == 302, page_text(response)
    vote = Vote.objects.get()
    assert vote.required_languages == ["fr"]
    edit = client.get(f"/votes/{vote.pk}/edit/").content.decode()
    assert 'value="fr" id="id_required_languages_1" checked' in edit

    response = client.post(f"/votes/{vote.pk}/open/")
    assert response.status_code == 409
    assert "French (fr): there is no translation of version 2" in page_text(response)
    translate(version, "fr", editor, "FR")
    assert client.post(f"/votes/{vote.pk}/open/").status_code == 302
    terms = page_text(client.get(f"/votes/{vote.pk}/"))
    assert "Required up to date before voting opens: fr" in terms
