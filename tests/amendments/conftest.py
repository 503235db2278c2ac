"""The consultations' people, policy and consultations in each state, shared with the
amendments' tests."""

from tests.consultations.conftest import *  # noqa: F403
from tests.consultations.conftest import in_state, page_text  # noqa: F401
