"""Shared set-up for benchmarks: Django on a throwaway test database, and bulk builders."""

import os
import sys
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "policysite.settings.test")


@contextmanager
def test_database():
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    if connection.vendor != "sqlite":
        # A database of its own: a test run on the same server may be using test_<name>.
        import os

        test = connection.settings_dict.setdefault("TEST", {})
        test["NAME"] = f"test_{connection.settings_dict['NAME']}_bench_{os.getpid()}"
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        yield connection
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def bulk_consultation(*, n_sections: int, n_positions: int, n_replies: int, slug: str = "bench"):
    """A published policy and an open consultation filled with rows in bulk."""
    from datetime import timedelta

    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from consultations import services
    from consultations.models import Position, Reply
    from tests.factories import EditorFactory, make_policy

    editor = EditorFactory(username=f"{slug}-editor")
    editor.groups.add(Group.objects.get(name="Facilitators"))
    page = make_policy(editor=editor, slug=slug, title=slug, n_sections=n_sections)
    version = page.versions.get()
    consultation = services.create_consultation(
        version=version,
        user=editor,
        title="Bench",
        closes_at=timezone.now() + timedelta(days=28),
        open_now=True,
    )
    keys = [s.key for s in version.sections.all()]
    per_user = len(keys)
    n_users = n_positions // per_user + 1
    User = get_user_model()
    User.objects.bulk_create(
        [User(username=f"{slug}-u{i}", password="!") for i in range(n_users)],  # noqa: S106
        batch_size=2000,
    )
    users = list(User.objects.filter(username__startswith=f"{slug}-u").values_list("pk", flat=True))
    now = timezone.now()
    stances = ["support", "oppose", "neutral"]
    Position.objects.bulk_create(
        [
            Position(
                consultation=consultation,
                section_key=keys[i % per_user],
                user_id=users[i // per_user],
                stance=stances[(i * 7) % 3],
                reason=f"Reason number {i}",
                created_at=now,
                updated_at=now,
            )
            for i in range(n_positions)
        ],
        batch_size=2000,
    )
    position_ids = list(
        Position.objects.filter(consultation=consultation).values_list("pk", flat=True)
    )
    Reply.objects.bulk_create(
        [
            Reply(
                position_id=position_ids[(i * 13) % len(position_ids)],
                user_id=users[i % len(users)],
                body=f"Reply {i}",
                created_at=now,
            )
            for i in range(n_replies)
        ],
        batch_size=2000,
    )
    return consultation
