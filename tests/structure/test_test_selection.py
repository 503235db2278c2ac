"""CI's second backend runs only the tests that reach the database (tests/conftest.py)."""

import pytest

from tests.conftest import uses_database


class _Item:
    def __init__(self, *fixtures, marker=None):
        self.fixturenames = ["django_db_blocker", "_fresh_cache", *fixtures]
        self._marker = marker

    def get_closest_marker(self, name):
        return self._marker if name == "django_db" else None


def test_a_pure_test_is_left_to_the_first_backend():
    assert not uses_database(_Item("monkeypatch", "corpus"))


@pytest.mark.parametrize(
    "item",
    [
        _Item(marker=pytest.mark.django_db.mark),
        _Item("db"),
        _Item("transactional_db"),
        _Item("live_server"),
        _Item("django_db_setup"),  # module data built through django_db_blocker.unblock()
        _Item("admin_client"),
    ],
)
def test_anything_that_reaches_the_database_runs_on_both(item):
    assert uses_database(item)


@pytest.mark.django_db
def test_this_module_shows_both_kinds(request):
    assert uses_database(request.node)
