"""Words that care (issue 12): the interface promises only what the product does, names the
organisation running the site, and keeps apart words that a translation had merged."""

import polib
import pytest
from django.test import override_settings

from conftest import client_for, join
from mutua.circles import services
from mutua.circles.consent import current_pledge
from mutua.circles.models import Membership, MembershipStatus, Pledge
from mutua.core.errors import DomainError

LANGS = ("es", "it", "ca")


def catalogue(lang):
    return {e.msgid: e.msgstr for e in polib.pofile(f"locale/{lang}/LC_MESSAGES/django.po") if not e.obsolete}


# --------------------------------------------------------------------------- the organisation (item 16)


@override_settings(ORGANISATION_NAME="Fundació Exemple")
def test_about_names_the_organisation_running_the_site(client, db):
    body = client.get("/about/").content.decode()
    assert "This site is run by Fundació Exemple." in body


@override_settings(ORGANISATION_NAME="")
def test_about_names_nobody_when_no_organisation_is_set(client, db):
    assert "This site is run by" not in client.get("/about/").content.decode()


@override_settings(ORGANISATION_NAME="Fundació Exemple")
def test_sign_up_says_who_sees_your_name(client, db):
    body = client.get("/account/signup/").content.decode()
    assert "Only you and Fundació Exemple can see it." in body
    assert "the host" not in body


@override_settings(ORGANISATION_NAME="")
def test_without_a_name_each_language_says_the_people_who_run_this_site(client, db):
    body = client.get("/account/signup/", headers={"Accept-Language": "es"}).content.decode()
    assert "Solo es visible para ti y para quien gestiona este sitio." in body


def test_a_missing_pledge_asks_to_tell_the_organisation_not_this_mutua(db):
    Pledge.objects.all().delete()
    with override_settings(ORGANISATION_NAME="Fundació Exemple"), pytest.raises(DomainError) as err:
        current_pledge()
    assert "Please tell Fundació Exemple." in str(err.value)


# --------------------------------------------------------------------------- words that change meaning


def test_browse_groups_and_find_me_a_group_differ_in_every_language():
    for lang in LANGS:
        cat = catalogue(lang)
        browse, find = cat["Browse groups"], cat["Find me a group"]
        assert browse and find and browse.split()[0] != find.split()[0], lang


def test_italian_log_out_and_leave_are_different_words():
    it = catalogue("it")
    assert it["Log out"] != it["Leave"] and "Esci" not in (it["Log out"], it["Leave"])
    assert it["Stay"] != "Resto"


def test_catalan_and_italian_say_how_a_group_gathers_not_how_it_feels():
    assert catalogue("ca")["How the group meets"] == "Com es reuneix el grup"
    assert catalogue("it")["How the group meets"] == "Come si riunisce il gruppo"


def test_join_page_frames_the_experience_for_every_item_and_asks_if_it_is_yours(make_circle, make_user):
    circle = make_circle()
    body = client_for(make_user()).get(f"/groups/{circle.code}/join/").content.decode()
    assert "The experience this group shares: <strong>" in body
    assert "This is my experience too, now or in the past." in body
    assert "living with" not in body and "I share this" not in body


# --------------------------------------------------------------------------- promises the product keeps


def test_a_seat_offer_says_where_it_is_how_long_it_lasts_and_what_silence_does(make_circle, make_user):
    circle = make_circle(max_members=5)
    members = [make_user() for _ in range(4)]
    for u in members:
        join(circle, u)
    waiting = make_user()
    join(circle, waiting, "Heron")
    services.membership_leave(circle=circle, user=members[0])
    assert Membership.objects.get(user=waiting).status == MembershipStatus.OFFERED
    body = client_for(waiting).get(f"/groups/{circle.code}/status/").content.decode()
    assert "this seat is kept for you" in body
    # A date never ends a sentence: English times end in "a.m." and the period doubled ("a.m..").
    assert ".." not in body
    assert "in your inbox" in body
    assert "you go to the end of the waiting list" in body
    assert "you stay on the list" not in body


def test_the_public_page_promises_no_meeting_place_link_or_times(make_circle, client):
    body = client.get(f"/groups/{make_circle().code}/").content.decode()
    assert "meeting place" not in body and "online link" not in body
    assert "members see them after joining" not in body
    assert "Nobody outside the group sees who is in it." in body


def test_about_promises_no_meeting_place(client, db):
    assert "meeting place" not in client.get("/about/").content.decode()
