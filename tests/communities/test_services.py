import pytest
pytestmark = pytest.mark.django_db

def test_scratch(client, facilitator, participant):
    client.force_login(facilitator)
    r = client.post("/admin/snippets/communities/community/add/", {"name": "C", "slug": "c", "kind": "chapter"})
    print(r.status_code, r.get("Location"))
    r = client.get("/admin/")
    print(r.status_code, r.get("Location"))
    client.force_login(participant)
    r = client.post("/admin/snippets/communities/community/add/", {"name": "C", "slug": "c", "kind": "chapter"})
    print(r.status_code, r.get("Location"))
