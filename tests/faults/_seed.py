"""Builds what the fault tests act on, in the private PostgreSQL (run as a child process with
the server's environment): a published policy with ten sections, an open consultation on it,
an open vote, and people already signed in (their session keys, written as login() would)."""

import json
import string
import sys
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import (  # noqa: E402
    BACKEND_SESSION_KEY,
    HASH_SESSION_KEY,
    SESSION_KEY,
    get_user_model,
)
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.contrib.sessions.models import Session  # noqa: E402
from django.utils import timezone  # noqa: E402
from django.utils.crypto import get_random_string  # noqa: E402

from consultations import services as consultation_services  # noqa: E402
from consultations.selectors import consultation_url  # noqa: E402
from ratification import services as vote_services  # noqa: E402
from tests.factories import EditorFactory, make_policy  # noqa: E402

PEOPLE = 60


def main(out: Path) -> None:
    facilitator = EditorFactory(username="faults-facilitator")
    facilitator.groups.add(Group.objects.get(name="Facilitators"))
    page = make_policy(editor=facilitator, slug="faults", title="Faults Code", n_sections=10)
    version = page.versions.get()
    now = timezone.now()
    consultation = consultation_services.create_consultation(
        version=version,
        user=facilitator,
        title="Faults consultation",
        closes_at=now + timedelta(days=28),
        open_now=True,
    )
    config = vote_services.VoteSettings(
        question="Do you ratify the Faults Code?",
        opens_at=now - timedelta(minutes=1),
        closes_at=now + timedelta(days=7),
    )
    vote = vote_services.create_vote(version=version, user=facilitator, config=config)
    vote = vote_services.open_vote(vote=vote, user=facilitator)

    User = get_user_model()
    users = User.objects.bulk_create(
        [User(username=f"faulty{i:02d}", password=make_password(None)) for i in range(PEOPLE)]
    )
    store = SessionStore()
    backend = "django.contrib.auth.backends.ModelBackend"
    keys = [get_random_string(32, string.ascii_lowercase + string.digits) for _ in users]
    Session.objects.bulk_create(
        Session(
            session_key=key,
            session_data=store.encode(
                {
                    SESSION_KEY: str(user.pk),
                    BACKEND_SESSION_KEY: backend,
                    HASH_SESSION_KEY: user.get_session_auth_hash(),
                }
            ),
            expire_date=now + timedelta(seconds=settings.SESSION_COOKIE_AGE),
        )
        for user, key in zip(users, keys, strict=True)
    )
    out.write_text(
        json.dumps(
            {
                "policy_url": page.url,
                "consultation_id": consultation.pk,
                "consultation_url": consultation_url(consultation),
                "sections": [s.key for s in version.sections.all()],
                "vote_id": vote.pk,
                "people": [[u.pk, u.username, k] for u, k in zip(users, keys, strict=True)],
            }
        )
    )


if __name__ == "__main__":
    main(Path(sys.argv[1]))
