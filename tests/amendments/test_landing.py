"""Amendment forms on the consultation page land where the reader acted: a failed one under
its error summary, scrolled to by its fragment; a success at the amendment itself."""

import pytest

from amendments.models import Amendment
from consultations.selectors import consultation_url
from tests.consultations.test_landing import form_holding, summary_of

from .test_amendment_rules import body, propose, reword

pytestmark = pytest.mark.django_db


def test_an_amendment_without_a_rationale_lands_on_its_form_then_on_itself(
    client, consultation, version, keys, participant
):
    url = consultation_url(consultation)
    client.force_login(participant)
    data = {
        "action": "amend",
        "section_key": keys[0],
        "kind": "replace",
        "text": reword(body(version, keys[0]), "word0", "kindness"),
        "rationale": "",
    }
    r = client.post(url, data)
    assert r.status_code == 400 and not Amendment.objects.exists()
    html = r.content.decode()
    assert f'href="#rationale-{keys[0]}"' in summary_of(html)
    form = form_holding(html, f"rationale-{keys[0]}")
    assert f'action="{url}#error-summary-{keys[0]}"' in form
    assert f'id="error-summary-{keys[0]}"' in form
    assert f'aria-describedby="rationale-{keys[0]}-error"' in form
    r = client.post(url, {**data, "rationale": "Kinder."})
    amendment = Amendment.objects.get()
    assert r["Location"] == f"{url}?section={amendment.key}#amendment-{amendment.pk}"


def test_a_decision_without_a_reason_lands_on_its_form(
    client, consultation, keys, version, participant, facilitator
):
    amendment = propose(
        consultation, participant, keys[0], reword(body(version, keys[0]), "word0", "x")
    )
    url = consultation_url(consultation)
    client.force_login(facilitator)
    r = client.post(
        f"{url}?section={amendment.key}",
        {"action": "amend_decide", "amendment": amendment.pk, "state": "accepted", "reason": ""},
    )
    assert r.status_code == 400
    html = r.content.decode()
    summary = summary_of(html)
    assert f'<a href="#reason-decide-{amendment.pk}">Give a public reason' in summary
    form = form_holding(html, f"reason-decide-{amendment.pk}")
    assert f'#error-summary-decide-{amendment.pk}"' in form
    assert f'id="error-summary-decide-{amendment.pk}"' in form


def test_a_section_has_its_own_page_for_proposing_a_change(
    client, consultation, version, keys, participant
):
    """The first view links every text section to a page holding the proposing form, the
    section's text above it and in the form; a failed proposal comes back to that page."""
    url = consultation_url(consultation)
    propose_url = f"{url}sections/{keys[0]}/propose/"
    assert client.get(propose_url)["Location"].startswith("/accounts/login/")
    client.force_login(participant)
    first_view = client.get(url).content.decode()
    assert f'href="sections/{keys[0]}/propose/">Propose a change to this section</a>' in first_view
    html = client.get(propose_url).content.decode()
    text = body(version, keys[0])
    assert f'id="text-{keys[0]}"' in html and f">{text}</textarea>" in html
    assert "The section as it reads now" in html
    data = {"action": "amend", "section_key": keys[0], "kind": "replace", "rationale": ""}
    r = client.post(propose_url, {**data, "text": reword(text, "word0", "kindness")})
    assert r.status_code == 400 and not Amendment.objects.exists()
    html = r.content.decode()
    assert f'href="#rationale-{keys[0]}"' in summary_of(html)
    assert f'action="{propose_url}#error-summary-{keys[0]}"' in form_holding(
        html, f"rationale-{keys[0]}"
    )
    assert "kindness" in html  # what they wrote is kept
    r = client.post(
        propose_url, {**data, "text": reword(text, "word0", "kindness"), "rationale": "Kinder."}
    )
    amendment = Amendment.objects.get()
    assert r["Location"] == f"{url}?section={amendment.key}#amendment-{amendment.pk}"
    assert client.get(f"{url}sections/no-such/propose/").status_code == 404
