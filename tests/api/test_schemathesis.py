"""Schemathesis against the live OpenAPI schema: every operation (GET and POST), with generated
valid and invalid input, answers without a server error and as the schema documents: every
status code, content type, header and body documented; input the schema forbids refused, input
it allows accepted. These are schemathesis' default checks, as `schemathesis run` applies them.

One exception: a POST body can be valid by the schema and still refused with a documented 400,
because what it must name depends on the database (a section of the consulted version, an
existing policy) or on another field (opposing needs a reason), which a static schema cannot
say. So POSTs skip `positive_data_acceptance`; test_writes.py shows valid bodies succeed.

The schema is loaded from the running app (/api/schema/) through its WSGI handler inside the
test's database transaction, so the generated requests meet real data: half the cases keep
their generated path (ids that mostly point nowhere), half point at objects the `world` fixture
made. POSTs go out with a token of someone allowed to write (a participant for positions, the
community's delegate for declarations); reads as a facilitator or anonymously.

(Schemathesis' lazy `from_fixture` loader does not work with pytest 9's nodes, so each
operation runs as a subtest with `as_strategy`, schemathesis' Python API for custom tests.)"""

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

pytestmark = pytest.mark.django_db

# Deterministic (derandomized) and modest, to keep CI fast; a local run with more finds more.
EXAMPLES_PER_OPERATION = 15


@pytest.fixture
def keep_connection():
    """Django closes a connection after a request when it is not in autocommit, which the test's
    transaction never is; the test client stops that, and so must a bare WSGI handler."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def real_path_parameters(world, path: str) -> dict:
    """Path parameters naming objects that exist, for this operation's path."""
    names = {
        "/api/v1/policies/": {
            "slug": "baseline",
            "number": 2,
            "a": 1,
            "b": 2,
            "key": world.keys[0],
        },
        # The summarised consultation has a summary; the open one takes positions.
        "/api/v1/consultations/": {
            "id": (world.summarised if path.endswith("/summary/") else world.consultation).pk
        },
        "/api/v1/versions/": {"id": world.v2.pk},
        "/api/v1/translations/": {"id": world.translation.pk},
        "/api/v1/summaries/": {"id": world.summarised.summary.pk},
        "/api/v1/communities/": {"slug": world.community.slug},
        "/api/v1/votes/": {
            "id": (world.closed_vote if path.endswith("/results/") else world.open_vote).pk
        },
    }
    found = next((values for prefix, values in names.items() if path.startswith(prefix)), {})
    return {name: value for name, value in found.items() if f"{{{name}}}" in path}


def valid_body(world, path: str) -> dict | None:
    """A body the service accepts, so successful writes are checked against the schema too."""
    if path.endswith("/positions/"):
        return {"section_key": world.keys[1], "stance": "neutral", "reason": "Fine by me."}
    if path.endswith("/adoptions/"):
        return {"policy": "baseline", "status": "under_discussion", "decided_on": None}
    return None


def excluded_checks(case) -> list:
    """See the module's docstring: a POST body valid by the schema may name what does not
    exist."""
    return [positive_data_acceptance] if case.method.upper() == "POST" else []


def strategy(world, operation):
    """Generated cases (valid and invalid), the same aimed at real objects, and the plain
    successful request."""
    path = operation.path
    real = real_path_parameters(world, path)
    modes = [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]
    variants = [operation.as_strategy(mode) for mode in modes]
    variants += [operation.as_strategy(mode, path_parameters=real) for mode in modes]
    plain = {"path_parameters": real, "query": {}}
    if operation.method.upper() == "POST":
        plain.update(body=valid_body(world, path), media_type="application/json")
    variants.append(operation.as_strategy(GenerationMode.POSITIVE, **plain))
    return st.one_of(variants)


def test_every_operation_matches_the_schema(
    world, participant, delegate, facilitator, subtests, keep_connection
):
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())
    tokens = {
        name: Token.objects.create(user=user).key
        for name, user in {
            "participant": participant,
            "delegate": delegate,
            "facilitator": facilitator,
        }.items()
    }
    operations = [result.ok() for result in schema.get_all_operations()]
    methods = {operation.method.upper() for operation in operations}
    assert len(operations) >= 25 and methods == {"GET", "POST"}
    for operation in operations:
        path = operation.path
        if operation.method.upper() == "POST":
            writer = "delegate" if path.startswith("/api/v1/communities/") else "participant"
            identities = [{"Authorization": f"Token {tokens[writer]}"}]
        else:
            identities = [{}, {"Authorization": f"Token {tokens['facilitator']}"}]

        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(
            case=strategy(world, operation),
            who=st.sampled_from(identities),
        )
        def check(case, who):
            # Throttling and posting limits count in the cache: never reach them here.
            cache.clear()
            response = case.call(headers=who)
            case.validate_response(response, headers=who, excluded_checks=excluded_checks(case))

        with subtests.test(operation=operation.label):
            check()
