"""The profile offers the countries the host serves (from the crisis directory), and keeps the one
chosen: the crisis page then leads with that country's numbers."""

from conftest import client_for
from mutua.care.models import CrisisCountry


def _country(code: str, name: str) -> CrisisCountry:
    return CrisisCountry.objects.create(
        code=code, emergency_number="112", name_en=name, name_es=name, name_it=name, name_ca=name
    )


def test_profile_offers_the_served_countries_and_saves_the_choice(make_user):
    _country("IE", "Ireland")
    _country("PT", "Portugal")
    user = make_user()
    c = client_for(user)
    form = c.get("/account/profile/").context["form"]
    assert form.fields["country"].choices[1:] == [("IE", "Ireland"), ("PT", "Portugal")]
    r = c.post(
        "/account/profile/",
        {"display_name": "Marta", "language": "en", "timezone": "Europe/Lisbon", "country": "PT"},
    )
    assert r.status_code == 302
    user.refresh_from_db()
    assert user.country == "PT"


def test_profile_refuses_a_country_the_host_does_not_serve(make_user):
    _country("IE", "Ireland")
    user = make_user()
    r = client_for(user).post(
        "/account/profile/",
        {"display_name": "Marta", "language": "en", "timezone": "Europe/Dublin", "country": "FR"},
    )
    assert r.status_code == 200
    user.refresh_from_db()
    assert user.country == ""
