"""Pseudonyms are compared by a confusables skeleton: case, width, invisible characters and
look-alike letters from other scripts cannot make two members look like one."""

import pytest
from django.db import IntegrityError, transaction

from conftest import client_for, join
from mutua.circles import services
from mutua.circles.models import Membership, MembershipStatus
from mutua.circles.pseudonyms import clean_pseudonym, pseudonym_key
from mutua.core.errors import DomainError

SAM_VARIANTS = [
    "sam",
    "SAM",
    "Ѕаm",  # Cyrillic dze and a
    "Ѕam",  # Cyrillic dze only
    "Sаm",  # Cyrillic a only
    "ЅАМ",  # Cyrillic capitals
    "Sarn",  # "rn" reads as "m" (TR39 maps m to rn)
    "S\u200bam",  # zero-width space
    "S\u2060am",  # word joiner
    "Sa\u034fm",  # combining grapheme joiner
    "Ｓａｍ",  # full width
    " Sam ",
    "Sam\ufe0f",  # variation selector
]


@pytest.mark.parametrize("variant", SAM_VARIANTS)
def test_look_alikes_share_one_key(variant):
    assert pseudonym_key(clean_pseudonym(variant)) == pseudonym_key(clean_pseudonym("Sam"))


@pytest.mark.parametrize("other", ["Sám", "Sem", "Samuel", "Alba", "José"])
def test_different_names_keep_different_keys(other):
    assert pseudonym_key(clean_pseudonym(other)) != pseudonym_key(clean_pseudonym("Sam"))


def test_cleaning_removes_invisible_characters_and_width():
    assert clean_pseudonym("Ｓ\u200ba\u200dm") == "Sam"
    assert clean_pseudonym("  Río \t Blau ") == "Río Blau"


@pytest.mark.parametrize(
    "bad", ["Sam\u202e", "\u202dSam", "Sa\u2066m", "S\u200fam", "Sam\x00", "Sam\x07", "Sa\ue000m"]
)
def test_bidi_controls_control_and_private_characters_are_refused(bad):
    with pytest.raises(DomainError):
        clean_pseudonym(bad)


@pytest.mark.parametrize("variant", SAM_VARIANTS)
def test_join_refuses_a_look_alike_of_a_live_pseudonym(make_circle, make_user, variant):
    circle = make_circle()
    join(circle, make_user(), "Sam")
    person = make_user()
    with pytest.raises(DomainError, match="already uses that pseudonym"):
        join(circle, person, variant)
    assert not Membership.objects.filter(user=person).exists()


def test_waiting_people_count_and_former_members_do_not(make_circle, make_user):
    circle = make_circle(max_members=5)
    for _ in range(4):
        join(circle, make_user())
    join(circle, make_user(), "Heron")  # waiting
    with pytest.raises(DomainError, match="already uses"):
        join(circle, make_user(), "heron")
    leaver = make_user()
    other = make_circle()
    join(other, leaver, "Wren")
    services.membership_leave(circle=other, user=leaver)
    assert join(other, make_user(), "wren").status == MembershipStatus.MEMBER


def test_the_database_refuses_two_live_memberships_with_one_key(make_circle, make_user):
    circle = make_circle()
    first = join(circle, make_user(), "Sam")
    second = join(circle, make_user(), "Ana")
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.filter(pk=second.pk).update(pseudonym_key=first.pseudonym_key)
    # A former member's key does not block anyone.
    Membership.objects.filter(pk=first.pk).update(status=MembershipStatus.LEFT)
    Membership.objects.filter(pk=second.pk).update(pseudonym_key=first.pseudonym_key)


def test_join_stores_the_cleaned_pseudonym_and_its_key(make_circle, make_user):
    m = join(make_circle(), make_user(), "Ｓ\u200bam")
    m.refresh_from_db()
    assert (m.pseudonym, m.pseudonym_key) == ("Sam", pseudonym_key("Sam"))


def test_member_can_change_pseudonym_but_not_to_a_look_alike(make_circle, make_user):
    circle = make_circle()
    join(circle, make_user(), "Sam")
    person = make_user()
    join(circle, person, "Ana")
    c = client_for(person)
    assert c.get(f"/groups/{circle.code}/pseudonym/").status_code == 200
    r = c.post(f"/groups/{circle.code}/pseudonym/", {"pseudonym": "ЅАМ"})
    assert r.status_code == 400 and b"already uses" in r.content
    r = c.post(f"/groups/{circle.code}/pseudonym/", {"pseudonym": "Lluna"})
    assert r.status_code == 302
    m = Membership.objects.get(user=person)
    assert (m.pseudonym, m.must_choose_pseudonym) == ("Lluna", False)


def test_waiting_person_cannot_change_pseudonym(make_circle, make_user):
    circle = make_circle(max_members=5)
    for _ in range(4):
        join(circle, make_user())
    waiting = make_user()
    join(circle, waiting, "Heron")
    with pytest.raises(DomainError):
        services.membership_pseudonym_change(circle=circle, user=waiting, pseudonym="Kestrel")
    assert client_for(waiting).get(f"/groups/{circle.code}/pseudonym/").status_code == 404
