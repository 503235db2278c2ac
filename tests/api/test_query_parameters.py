"""Query parameters mean what the schema says they mean: a value not of the documented type is a
400 naming the parameter, never silently ignored; and the schema documents every error response
an operation gives."""

import pytest

from tests.api.conftest import results

pytestmark = pytest.mark.django_db

PAGE_SIZE_MESSAGE = "page_size must be a whole number between 1 and 100."


@pytest.mark.parametrize(
    "value", ["null", "true", "false", "0", "101", "-5", "1.5", "1e1", "abc", "%00", "%C2%B2"]
)
def test_page_size_must_be_a_whole_number_between_1_and_100(api, world, value):
    response = api.get(f"/api/v1/communities/?page_size={value}")
    assert response.status_code == 400
    assert response.json() == {"page_size": [PAGE_SIZE_MESSAGE]}


def test_page_size_in_range_is_used(api, world):
    assert len(results(api.get("/api/v1/communities/?page_size=1"))) == 1
    assert len(results(api.get("/api/v1/communities/?page_size=100"))) == 2


@pytest.mark.parametrize("value", ["0", "-1", "abc", "1.0", "null"])
def test_page_must_be_a_whole_number_from_1(api, world, value):
    response = api.get(f"/api/v1/communities/?page={value}")
    assert response.status_code == 400
    assert list(response.json()) == ["page"]


def test_a_page_past_the_last_is_404(api, world):
    assert api.get("/api/v1/communities/?page=2").status_code == 404
    assert api.get("/api/v1/communities/?page=" + "9" * 40).status_code == 404


@pytest.mark.parametrize(
    "query",
    [
        "/api/v1/consultations/?state=",
        "/api/v1/consultations/?version=",
        "/api/v1/communities/?page_size=",
        "/api/v1/votes/?state=",
        "/api/v1/adoptions/?status=",
        "/api/v1/consultations/{pk}/positions/?ordering=",
        "/api/v1/consultations/{pk}/positions/?stance=",
        "/api/v1/consultations/{pk}/replies/?position=",
        "/api/v1/consultations/{pk}/amendments/?state=",
        "/api/v1/consultations/{pk}/amendments/?section=",
        "/api/v1/policies/baseline/compare/1/2/?ops=",
    ],
)
def test_an_empty_value_is_refused_unless_text(api, world, query):
    response = api.get(query.format(pk=world.consultation.pk))
    assert response.status_code == 400
    [(name, [message])] = response.json().items()
    assert message == f"Give {name} a value, or leave it out."


def test_empty_text_filters_filter_nothing(api, world):
    assert len(results(api.get("/api/v1/consultations/?policy="))) == 2
    assert len(results(api.get("/api/v1/communities/?q="))) == 2


@pytest.mark.parametrize(
    "query",
    [
        "/api/v1/consultations/?state=open&state=closed",
        "/api/v1/consultations/?policy=baseline&policy=other",
        "/api/v1/communities/?page_size=1&page_size=2",
        "/api/v1/communities/?page=1&page=1",
        "/api/v1/consultations/{pk}/amendments/?state=proposed&state=accepted",
        "/api/v1/policies/baseline/compare/1/2/?ops=true&ops=false",
    ],
)
def test_a_parameter_given_twice_is_refused(api, world, query):
    response = api.get(query.format(pk=world.consultation.pk))
    assert response.status_code == 400
    [(name, [message])] = response.json().items()
    assert message == f"Give {name} once."


@pytest.mark.parametrize("value", ["1", "yes", "TRUE", "on"])
def test_ops_is_true_or_false(api, world, value):
    response = api.get(f"/api/v1/policies/baseline/compare/1/2/?ops={value}")
    assert response.status_code == 400
    assert response.json() == {"ops": ["ops must be true or false."]}
    without = api.get("/api/v1/policies/baseline/compare/1/2/?ops=false").json()
    assert without["sections"][0]["ops"] is None


def test_a_path_with_a_newline_is_a_json_404(api, world):
    response = api.get("/api/v1/communities/a%0Ab/")
    assert response.status_code == 404
    assert response.json() == {"detail": "No such API endpoint."}


# --- what the schema documents ----------------------------------------------------------------


@pytest.fixture
def schema(api, world):
    return api.get("/api/schema/?format=json").json()


def operations(schema):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield method.upper(), path, operation


def test_every_operation_documents_its_errors(schema):
    for method, path, operation in operations(schema):
        parameters = operation.get("parameters", [])
        expected = {"200", "401", "429"}
        if any(p["in"] == "query" for p in parameters):
            expected.add("400")
        if "{" in path or any(p["name"] == "page" for p in parameters):
            expected.add("404")
        if method == "POST":
            expected |= {"201", "400", "403", "413", "415"}
        assert set(operation["responses"]) >= expected, (method, path)
        for status, response in operation["responses"].items():
            if status.startswith("4"):
                assert response["description"], (method, path, status)
                assert "application/json" in response["content"], (method, path, status)


def test_error_bodies_have_a_documented_shape(schema):
    components = schema["components"]["schemas"]
    assert components["Error"]["required"] == ["detail"]
    assert "additionalProperties" in components["InvalidRequest"]
    positions = schema["paths"]["/api/v1/consultations/{id}/positions/"]
    assert positions["post"]["responses"]["400"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/InvalidRequest"
    }
    assert positions["get"]["responses"]["404"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"
    }


def test_pagination_parameters_say_their_range(schema):
    parameters = schema["paths"]["/api/v1/communities/"]["get"]["parameters"]
    by_name = {p["name"]: p["schema"] for p in parameters}
    assert by_name["page"] == {"type": "integer", "minimum": 1}
    assert by_name["page_size"] == {"type": "integer", "minimum": 1, "maximum": 100}
    assert by_name["q"]["maxLength"] == 100


@pytest.mark.parametrize("value", [",", "created_at,", ",created_at", "created_at,,-updated_at"])
def test_a_list_with_an_empty_item_is_refused(api, world, value):
    response = api.get(f"/api/v1/consultations/{world.consultation.pk}/positions/?ordering={value}")
    assert response.status_code == 400
    assert list(response.json()) == ["ordering"]
    listed = api.get(
        f"/api/v1/consultations/{world.consultation.pk}/positions/?ordering=-created_at"
    )
    assert listed.status_code == 200
