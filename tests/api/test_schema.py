"""The API's OpenAPI description, and the API held to it: every operation called with
generated and hostile input through the WSGI app, never a server error, every answer as the
schema says."""

import json

import pytest
import schemathesis
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.conftest import bearer

OPERATIONS = {
    "/api/v1/people/",
    "/api/v1/people/{ref}/",
    "/api/v1/episodes/",
    "/api/v1/contacts/",
    "/api/v1/assessments/",
    "/api/v1/reqol/",
    "/api/v1/crisis-events/",
    "/api/v1/accommodation/",
    "/api/v1/referrals/",
    "/api/v1/allocations/",
    "/api/v1/mdt-figures/",
    "/api/v1/returns/",
}


def test_the_schema_describes_every_endpoint_and_nothing_else():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    assert set(schema["paths"]) == OPERATIONS
    for path, operations in schema["paths"].items():
        assert set(operations) == {"get"}, path
    assert schema["components"]["securitySchemes"]["token"]["scheme"] == "bearer"
    person = schema["components"]["schemas"]["Person"]
    # What only an identifiable token is given is never promised.
    assert "first_name" in person["properties"]
    assert not {"first_name", "nhs_number", "date_of_birth"} & set(person["required"])
    assert not [path for path in schema["paths"] if "tokens" in path]


def test_the_schema_is_valid_openapi_made_without_a_warning(tmp_path):
    """drf-spectacular warns where it has to guess (a field's type, an unknown authenticator)."""
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", tmp_path / "api.yml")
    assert "/api/v1/people/" in (tmp_path / "api.yml").read_text()


@pytest.mark.django_db
def test_the_schema_and_its_docs_page_are_served(client):
    schema = client.get(reverse("api:schema"), {"format": "json"})
    assert schema.status_code == 200
    assert set(schema.json()["paths"]) == OPERATIONS
    docs = client.get(reverse("api:docs"))
    assert docs.status_code == 200
    page = docs.content.decode()
    for path in OPERATIONS:
        assert f"GET {path}" in page
    assert "<script" not in page.split("</header>")[-1].split("<footer")[0]


# --- every operation, fuzzed ----------------------------------------------------------------------


@pytest.fixture
def inside_the_test_transaction():
    """Django closes the database connection after each request through its WSGI app, which
    would end the transaction the test's data lives in (its test client avoids it the same
    way)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _described():
    """The schema as the app serves it, made without a request (it reads no data)."""
    generated = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(generated))


schema = schemathesis.openapi.from_dict(_described())
schema.app = get_wsgi_application()
# Hostile input as well as valid input; a bounded number of examples, the same on every run.
schema.config.generation.update(
    modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE], max_examples=25, deterministic=True
)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_with_hostile_input(case, hub, settings, inside_the_test_transaction):
    settings.API_RATE_LIMIT = "100000/m"
    key = hub["keys"]["notes"] if case.path.endswith("{ref}/") else hub["keys"]["pseudonymised"]
    headers = {"Authorization": bearer(key)["HTTP_AUTHORIZATION"]}
    response = case.call(headers=headers)
    case.validate_response(response, checks=CHECKS)
