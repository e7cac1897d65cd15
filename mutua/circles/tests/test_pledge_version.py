"""The confidentiality pledge in short sentences is a NEW version (issue 12, item 18): members who
accepted the old text are asked to accept the new one by the consent gate (P7, decision 0007)."""

import importlib
import json
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command

from mutua.circles import services
from mutua.circles.consent import current_pledge_version
from mutua.circles.models import Membership, Pledge
from mutua.circles.policies import ConsentRequired, Need, access_circle

DATA = Path(__file__).resolve().parents[1] / "data" / "agreements.json"
migration = importlib.import_module("mutua.circles.migrations.0005_pledge_version_2")


def shipped_pledge() -> dict:
    return json.loads(DATA.read_text(encoding="utf-8"))["pledge"]


def test_the_shipped_pledge_is_a_new_version_and_the_migration_carries_the_same_text():
    pledge = shipped_pledge()
    assert pledge["version"] == migration.VERSION == 2
    assert pledge["text"] == migration.TEXT and pledge["title"] == migration.TITLE


@pytest.mark.parametrize("lang", ["en", "es", "it", "ca"])
def test_the_pledge_is_written_in_short_sentences(lang):
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", shipped_pledge()["text"][lang]) if s]
    assert len(sentences) >= 5
    assert max(len(s.split()) for s in sentences) <= 16, sentences


def test_a_member_who_accepted_version_1_is_gated_after_the_migration(make_circle, make_user):
    circle = make_circle()  # the `content` fixture's pledge is version 1, as on a running instance
    member = Membership.objects.get(circle=circle)
    assert member.pledge_version == 1
    access_circle(member.user, circle.code, Need.MEMBER)  # current consent: in

    migration.publish(apps, None)

    assert current_pledge_version() == 2
    assert Pledge.objects.get(version=2).text_es == shipped_pledge()["text"]["es"]
    with pytest.raises(ConsentRequired):
        access_circle(member.user, circle.code, Need.MEMBER)
    # Reading and accepting the new text opens the gate again.
    services.membership_consent_renew(
        circle=circle, user=member.user, accepts_pledge=True, pledge_version=2, agreements_version=1
    )
    assert access_circle(member.user, circle.code, Need.MEMBER)[0].pk == circle.pk


def test_load_content_on_a_running_instance_also_publishes_version_2_and_gates(make_circle):
    circle = make_circle()
    member = Membership.objects.get(circle=circle)
    call_command("load_content", verbosity=0)
    assert set(Pledge.objects.values_list("version", flat=True)) == {1, 2}
    with pytest.raises(ConsentRequired):
        access_circle(member.user, circle.code, Need.MEMBER)


def test_the_migration_leaves_a_fresh_database_to_load_content(db):
    migration.publish(apps, None)
    assert not Pledge.objects.exists()


def test_the_migration_keeps_a_newer_pledge_the_host_published(content):
    Pledge.objects.create(
        version=3, **{f"{f}_{lang}": "x" for f in ("title", "text") for lang in ["en", "es", "it", "ca"]}
    )
    migration.publish(apps, None)
    assert set(Pledge.objects.values_list("version", flat=True)) == {1, 3}
