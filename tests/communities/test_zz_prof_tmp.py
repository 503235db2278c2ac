import time
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from tests.communities.test_import_communities import *  # noqa
from communities.models import Community

@pytest.mark.django_db
def test_prof(root, write_csv):
    UserFactory(username="ana")
    rows = "".join(f"Community {i},community-{i},wiki,en,https://c{i}.example.org,{'ana' if i % 10 == 0 else ''}\n" for i in range(1000))
    path = write_csv(HEADER + rows)
    t=time.perf_counter()
    with CaptureQueriesContext(connection) as ctx:
        run(path)
    print("import", time.perf_counter()-t, "queries", len(ctx.captured_queries), sum(float(q["time"]) for q in ctx.captured_queries))
    t=time.perf_counter()
    for i in range(1000):
        Community.objects.create(name=f"x{i}", slug=f"x{i}")
    print("1000 plain creates (+history)", time.perf_counter()-t)
