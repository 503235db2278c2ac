"""The consultations' people, policy and consultations in each state, shared with the
amendments' tests."""

import pytest

from tests.consultations.conftest import *  # noqa: F403
from tests.consultations.conftest import in_state, page_text  # noqa: F401


@pytest.fixture(autouse=True)
def _facilitators_do_not_publish(db):
    """The amendments' tables tell a facilitator who may not publish policy text from one who
    may (`mona`, also an editor and moderator): merging writes the policy, so only the second
    merges. Facilitators publish by default (policies/0007); a site can take that from them in
    the admin's Groups, and these tests run on such a site."""
    from wagtail.models import GroupPagePermission

    GroupPagePermission.objects.filter(
        group__name="Facilitators", permission__codename="publish_page"
    ).delete()
