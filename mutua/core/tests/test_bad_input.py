"""Hostile or broken input gets a 4xx or a clean page, never a 500 — on SQLite and PostgreSQL."""

import pytest

from conftest import client_for

NUL_URLS = [
    "/groups/?experience=%00&language=%00&place=%00",
    "/api/v1/directory?experience=%00&language=%00&place=%00",
    "/groups/ab%00cd/",
    "/api/v1/groups/ab%00cd",
]


@pytest.mark.parametrize("url", NUL_URLS)
def test_nul_bytes_in_input_never_cause_a_server_error(client, content, url):
    response = client.get(url)
    assert response.status_code < 500


def test_nul_bytes_in_forms_are_rejected_with_a_message(make_user, make_circle):
    circle = make_circle()
    response = client_for(make_user()).post(
        f"/groups/{circle.code}/join/",
        {"pseudonym": "Al\x00ba", "confirms_experience": "on", "accepts_pledge": "on", "pledge_version": 1},
    )
    assert response.status_code == 400
    assert b"error-summary" in response.content


def test_very_long_code_is_a_404(client, db):
    assert client.get("/groups/" + "x" * 5000 + "/").status_code == 404


def test_nul_bytes_in_json_are_a_400(make_user, make_circle):
    from mutua.accounts.services import api_token_create

    circle = make_circle()
    person = make_user()
    _row, raw = api_token_create(user=person, name="t")
    response = client_for(None).post(
        f"/api/v1/groups/{circle.code}/join",
        data='{"pseudonym": "Al\\u0000ba", "confirms_experience": true, "accepts_pledge": true, '
        '"pledge_version": 1}',
        content_type="application/json",
        headers={"Authorization": f"Bearer {raw}"},
    )
    assert response.status_code == 400 and response.json()["code"] == "invalid"
    assert not person.memberships.exists()
