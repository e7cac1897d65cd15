"""Logging out tells the browser to forget what the session left behind (a shared computer)."""

from conftest import client_for


def test_logout_sends_clear_site_data_and_ends_the_session(make_user):
    client = client_for(make_user())
    assert client.get("/me/groups/").status_code == 200
    response = client.post("/account/logout/")
    assert response.status_code == 302
    assert response["Clear-Site-Data"] == '"cache", "cookies", "storage"'
    assert "_auth_user_id" not in client.session
    assert client.get("/me/groups/").status_code == 302


def test_logout_by_get_changes_nothing(make_user):
    client = client_for(make_user())
    response = client.get("/account/logout/")
    assert response.status_code == 405
    assert "Clear-Site-Data" not in response
    assert "_auth_user_id" in client.session
