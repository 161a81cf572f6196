"""Property-based fuzzing of the REST API against its own OpenAPI document: no 5xx,
every response (errors included) matches the declared schema and status codes."""

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from complaintloop.org.models import ApiToken
from complaintloop.wsgi import application

# Default phases: explicit examples, coverage (boundary and negative values), fuzzing.
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # Each operation is its own test with a fresh world; PBKDF2 for every persona would
    # cost seconds per operation.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def in_process_requests():
    # Calling the WSGI app directly fires request_started/finished, whose
    # close_old_connections would close the test's connection mid-transaction on
    # PostgreSQL; Django's own test client disconnects it the same way.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def api(world, in_process_requests):
    """A bearer token for the Nanjing supervisor and a few tickets it can act on."""
    tickets = [
        world.new_ticket(),
        world.new_ticket(category="0201", description="话费多扣"),
        world.new_ticket(dispatch=False, description="待派单"),
    ]
    _, key = ApiToken.issue(world.supervisor_nj)
    return {"headers": {"Authorization": f"Bearer {key}"}, "numbers": [t.number for t in tickets]}


@schema.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema(case, api):
    number = (case.path_parameters or {}).get("number")
    if isinstance(number, str) and len(number) % 2 == 0:
        # half the generated numbers hit a real ticket, so actions get past the 404
        case.path_parameters["number"] = api["numbers"][len(number) % 3]
    case.call_and_validate(headers=api["headers"], checks=CHECKS)


def test_openapi_document_is_3_1(db):
    document = Client().get("/api/v1/openapi.json").json()
    assert document["openapi"] == "3.1.0"
    assert document["info"]["title"] == "ComplaintLoop API"


def test_docs_page_is_served(db):
    assert Client().get("/api/v1/docs").status_code == 200


def test_write_with_a_bad_token_is_401_not_csrf(db):
    # An API client whose token expired must be told to authenticate again; the
    # browser-session CSRF check only applies to requests carrying a session cookie.
    response = Client().post(
        "/api/v1/tickets", {}, content_type="application/json", HTTP_AUTHORIZATION="Bearer stale"
    )
    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"
    assert set(response.json()) == {"code", "message", "fields"}


def test_browser_session_still_works_and_is_csrf_checked(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.agent_nj)
    assert client.get("/api/v1/tickets").status_code == 200
    # a cross-site form riding on the session cookie is refused
    forged = client.post("/api/v1/tickets", {}, content_type="application/json")
    assert forged.status_code == 403
