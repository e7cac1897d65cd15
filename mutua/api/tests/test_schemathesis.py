"""Property-based run over the OpenAPI schema: every response (status, content type, body) matches the
schema, and no input causes a server error (§3.10)."""

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
def test_every_api_response_matches_the_schema(case, token):
    # Every response is checked against the schema: status code documented, body valid, content type right.
    # Rules beyond the schema (a real IANA time zone, a known country, no NUL character) answer a
    # documented 400 with a message, so "schema-valid data must be accepted" does not apply here.
    case.call_and_validate(
        headers={"Authorization": f"Bearer {token}"},
        excluded_checks=[schemathesis.checks.positive_data_acceptance],
    )


# The meetings operations again, as a member of a real group at a real meeting: with the random codes
# above they only ever reach the gate's 404, so here the code and the key are the caller's own and the
# rest of each request (bodies, a moved start, a schedule) is fuzzed past the gate.
meetings = schema.include(tag="meetings")


@pytest.fixture
def member_at_a_meeting(make_circle, make_user):
    from datetime import timedelta

    from django.utils import timezone

    from mutua.accounts.services import api_token_create
    from mutua.circles import services
    from mutua.meetings import selectors
    from mutua.meetings.schedule import weekly

    person = make_user()
    circle = make_circle(founder=person, mode="hybrid")
    start = timezone.now() + timedelta(days=1)
    services.circle_schedule_set(
        circle=circle, rhythm=weekly(start.weekday(), 19, "Europe/Madrid", start.date()), user=person
    )
    circle.refresh_from_db()
    upcoming = selectors.next_meeting(circle=circle)
    assert upcoming is not None
    _row, raw = api_token_create(user=person, name="fuzz")
    return raw, circle.code, selectors.key_slug(upcoming.key)


@meetings.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_meeting_operations_inside_a_group_match_the_schema(case, member_at_a_meeting):
    token, code, key = member_at_a_meeting
    params = dict(case.path_parameters or {})
    params["code"] = code
    if "key" in params:
        params["key"] = key
    case.path_parameters = params
    # The code and key are replaced by real ones, so a case generated to break them is no longer
    # negative: "negative data must be rejected" would judge a request that was never sent. The test
    # above, with the generated code and key, keeps that check.
    case.call_and_validate(
        headers={"Authorization": f"Bearer {token}"},
        excluded_checks=[
            schemathesis.checks.positive_data_acceptance,
            schemathesis.checks.negative_data_rejection,
        ],
    )


# The proposals operations again, as a member of a real group with a real open proposal (opened by the
# other member, so the caller may take a stance and write in its thread): the code and the proposal's
# code are filled in, and the bodies (every kind of proposal, stances, outcomes) are fuzzed past the gate.
proposals = schema.include(tag="proposals")


@pytest.fixture
def member_with_a_proposal(make_circle, make_user):
    from conftest import join
    from mutua.accounts.services import api_token_create
    from mutua.governance import services

    person, other = make_user(), make_user()
    circle = make_circle(founder=person)
    join(circle, other, "Other")
    proposal = services.proposal_open(circle=circle, user=other, kind="question", title="Tea?")
    _row, raw = api_token_create(user=person, name="fuzz")
    return raw, circle.code, proposal.code


@proposals.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_proposal_operations_inside_a_group_match_the_schema(case, member_with_a_proposal):
    token, code, pcode = member_with_a_proposal
    params = dict(case.path_parameters or {})
    params["code"] = code
    if "pcode" in params:
        params["pcode"] = pcode
    case.path_parameters = params
    # As above: the codes are replaced, so "negative data must be rejected" would judge a request that
    # was never sent; the site-wide run keeps that check.
    case.call_and_validate(
        headers={"Authorization": f"Bearer {token}"},
        excluded_checks=[
            schemathesis.checks.positive_data_acceptance,
            schemathesis.checks.negative_data_rejection,
        ],
    )
