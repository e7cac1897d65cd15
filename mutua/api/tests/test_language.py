"""The API's messages follow the person's profile language, as the pages do; without one (or without
an account), the browser's Accept-Language."""

import pytest

from conftest import client_for
from mutua.accounts.services import api_token_create

NAMELESS = {"name": " "}  # passes the schema, then the service refuses it with a translated message


@pytest.mark.parametrize(
    ("profile", "header", "expected"), [("es", "en", "Ponle un nombre"), ("", "es", "Ponle")]
)
def test_token_answers_in_the_profile_language_else_accept_language(make_user, profile, header, expected):
    person = make_user()
    person.language = profile
    person.save(update_fields=["language"])
    _row, raw = api_token_create(user=person, name="phone")
    response = client_for(None).post(
        "/api/v1/me/tokens",
        NAMELESS,
        content_type="application/json",
        headers={"Authorization": f"Bearer {raw}", "Accept-Language": header},
    )
    assert response.status_code == 400
    assert response.json()["detail"].startswith(expected)
    assert response.headers["Content-Language"] == (profile or header)


def test_english_profile_wins_over_a_spanish_browser(make_user):
    person = make_user()
    person.language = "en"
    person.save(update_fields=["language"])
    _row, raw = api_token_create(user=person, name="phone")
    response = client_for(None).post(
        "/api/v1/me/tokens",
        NAMELESS,
        content_type="application/json",
        headers={"Authorization": f"Bearer {raw}", "Accept-Language": "es"},
    )
    assert response.json()["detail"] == "Give the token a name so you can recognise it later."
