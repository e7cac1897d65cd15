"""The join request operations fuzzed past the gate (§3.10): with random codes the main schemathesis run
only reaches the gate's 404, so here the group is real and reviews newcomers, `ref` is a real open
request, and every response (joining with 202, answering, one's own request, withdrawing) must match the
schema, with no server error."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from mutua.api.tests.test_schemathesis import _keep_test_connection_open, schema  # noqa: F401 - fixture

join_requests = schema.include(path_regex=r"^/api/v1/groups/\{code\}/(join|requests?(/\{ref\})?)$")


@pytest.fixture
def reviewing_group(make_circle, make_user):
    """A group of three that reviews newcomers, one open request in it, and two tokens: a member's
    (answers, lists) and a newcomer's (asks, reads and withdraws their own)."""
    from conftest import join
    from mutua.accounts.services import api_token_create
    from mutua.circles import services
    from mutua.circles.models import Circle

    member = make_user()
    circle = make_circle(founder=member)
    for _ in range(2):
        join(circle, make_user())
    Circle.objects.filter(pk=circle.pk).update(reviews_newcomers=True)
    circle.refresh_from_db()
    asked = services.membership_join(
        circle=circle,
        user=make_user(),
        pseudonym="Asker",
        confirms_experience=True,
        accepts_pledge=True,
        pledge_version=1,
        message="Hello",
    )
    _row, member_token = api_token_create(user=member, name="fuzz")
    _row, newcomer_token = api_token_create(user=make_user(), name="fuzz")
    return circle.code, asked.request_ref, member_token, newcomer_token


@join_requests.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_join_request_operations_inside_a_reviewing_group_match_the_schema(case, reviewing_group):
    code, ref, member_token, newcomer_token = reviewing_group
    params = dict(case.path_parameters or {})
    params["code"] = code
    if "ref" in params:
        params["ref"] = ref
    case.path_parameters = params
    # Joining and one's own request as the newcomer; the group's requests as a member.
    token = newcomer_token if case.path.endswith(("/join", "/request")) else member_token
    # The code and ref are replaced by real ones, so "negative data must be rejected" would judge a
    # request that was never sent (as for the meetings and proposals runs).
    case.call_and_validate(
        headers={"Authorization": f"Bearer {token}"},
        excluded_checks=[
            schemathesis.checks.positive_data_acceptance,
            schemathesis.checks.negative_data_rejection,
        ],
    )
