"""Personal API tokens: only the exact, live token of an active, verified person opens the API, and a
hidden group answers exactly like a missing one (§3.10, P7)."""

import pytest

from conftest import client_for
from mutua.accounts.models import ApiToken
from mutua.accounts.services import api_token_create, api_token_revoke


@pytest.fixture
def person_and_token(make_user):
    person = make_user()
    row, raw = api_token_create(user=person, name="phone")
    return person, row, raw


def me(raw: str):
    return client_for(None).get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"})


def test_the_exact_token_opens_the_api(person_and_token):
    person, _row, raw = person_and_token
    response = me(raw)
    assert response.status_code == 200
    assert response.json()["display_name"] == person.display_name


def test_a_wrong_token_is_refused(person_and_token):
    assert me("mt_" + "x" * 43).status_code == 401


@pytest.mark.parametrize(
    "variant", ["prefix", "prefix_plus_garbage", "one_char_changed", "truncated", "longer"]
)
def test_a_token_that_only_resembles_the_real_one_is_refused(person_and_token, variant):
    _person, row, raw = person_and_token
    assert raw.startswith("mt_" + row.prefix)
    last = "A" if raw[-1] != "A" else "B"
    forged = {
        "prefix": "mt_" + row.prefix,
        "prefix_plus_garbage": "mt_" + row.prefix + "z" * (len(raw) - 9),
        "one_char_changed": raw[:-1] + last,
        "truncated": raw[:-1],
        "longer": raw + "A",
    }[variant]
    assert forged != raw
    assert me(forged).status_code == 401


def test_a_revoked_token_is_refused(person_and_token):
    person, row, raw = person_and_token
    assert me(raw).status_code == 200
    api_token_revoke(user=person, token_id=row.pk)
    assert not ApiToken.objects.filter(pk=row.pk).exists()
    assert me(raw).status_code == 401


def test_a_token_of_a_deactivated_person_is_refused(person_and_token):
    person, _row, raw = person_and_token
    person.is_active = False
    person.save(update_fields=["is_active"])
    assert me(raw).status_code == 401


def test_another_persons_token_cannot_be_revoked(person_and_token, make_user):
    _person, row, raw = person_and_token
    other = make_user()
    _r, other_raw = api_token_create(user=other, name="other")
    response = client_for(None).delete(
        f"/api/v1/me/tokens/{row.pk}", headers={"Authorization": f"Bearer {other_raw}"}
    )
    assert response.status_code == 404
    assert me(raw).status_code == 200


def test_api_404_for_a_hidden_group_is_byte_identical_to_a_missing_one(personas):
    _row, raw = api_token_create(user=personas["outsider"], name="probe")
    client = client_for(None)
    headers = {"Authorization": f"Bearer {raw}"}
    code = personas["circle"].code
    for suffix, method in (
        ("home", "get"),
        ("leave", "post"),
        ("seat/accept", "post"),
        ("seat/decline", "post"),
    ):
        hidden = getattr(client, method)(f"/api/v1/groups/{code}/{suffix}", headers=headers)
        missing = getattr(client, method)(f"/api/v1/groups/zzzzzzzzzz/{suffix}", headers=headers)
        assert hidden.status_code == missing.status_code == 404, suffix
        assert hidden.content == missing.content, suffix
        assert hidden["Content-Type"] == missing["Content-Type"]
