"""Property-based run over the OpenAPI schema: malformed input never causes a server error (§3.10)."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from mutua.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@pytest.fixture(autouse=True)
def _keep_test_connection_open():
    """Calling the WSGI app directly fires request_started/finished, which close the database connection
    holding the test transaction; Django's own test client disconnects it the same way."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def token(make_circle, make_user):
    from mutua.accounts.services import api_token_create

    person = make_user()
    make_circle(founder=person)
    _row, raw = api_token_create(user=person, name="fuzz")
    return raw


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_api_never_answers_with_a_server_error(case, token):
    case.headers = {**(case.headers or {}), "Authorization": f"Bearer {token}"}
    response = case.call()
    assert response.status_code < 500, f"{case.method} {case.formatted_path} -> {response.status_code}"
