"""The data migration that replaced `Circle.meeting_weekday/meeting_hour` keeps every group's slot."""

from datetime import date, time

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def _apps(executor: MigrationExecutor):  # type: ignore[no-untyped-def]
    return executor._create_project_state(with_applied_migrations=True).apps


@pytest.mark.django_db(transaction=True)
def test_each_weekly_slot_becomes_a_weekly_schedule_and_back():
    before = [("circles", "0005_pledge_version_2")]
    after = [("circles", "0006_schedule")]
    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()
    executor.migrate(before)
    apps = _apps(MigrationExecutor(connection))
    Family = apps.get_model("circles", "ExperienceFamily")
    Experience = apps.get_model("circles", "Experience")
    Circle = apps.get_model("circles", "Circle")
    names = {f"name_{lang}": "x" for lang in ("en", "es", "it", "ca")}
    experience = Experience.objects.create(family=Family.objects.create(slug="f", **names), slug="e", **names)
    madrid = Circle.objects.create(
        code="mig0000001", name="a", experience=experience, mode="online", meeting_weekday=1, meeting_hour=19
    )
    york = Circle.objects.create(
        code="mig0000002",
        name="b",
        experience=experience,
        mode="online",
        timezone="America/New_York",
        meeting_weekday=6,
        meeting_hour=0,
    )
    Circle.objects.create(code="mig0000003", name="c", experience=experience, mode="online")
    # Created late on 1 December UTC: already 2 December in Madrid, still 1 December in New York.
    Circle.objects.filter(pk__in=[madrid.pk, york.pk]).update(created_at="2026-12-01T23:30:00Z")

    MigrationExecutor(connection).migrate(after)
    Circle = _apps(MigrationExecutor(connection)).get_model("circles", "Circle")
    got = {
        c.code: (
            c.schedule_kind,
            c.schedule_weekday,
            c.schedule_start_time,
            c.schedule_start_date,
            c.timezone,
        )
        for c in Circle.objects.all()
    }
    assert got["mig0000001"] == ("weekly", 1, time(19, 0), date(2026, 12, 2), "Europe/Madrid")
    assert got["mig0000002"] == ("weekly", 6, time(0, 0), date(2026, 12, 1), "America/New_York")
    assert got["mig0000003"][:4] == ("", None, None, None)

    # Backwards: the slot comes back from the weekly schedule.
    MigrationExecutor(connection).migrate(before)
    Circle = _apps(MigrationExecutor(connection)).get_model("circles", "Circle")
    back = {c.code: (c.meeting_weekday, c.meeting_hour) for c in Circle.objects.all()}
    assert back == {"mig0000001": (1, 19), "mig0000002": (6, 0), "mig0000003": (None, None)}

    MigrationExecutor(connection).migrate(leaves)


@pytest.mark.django_db(transaction=True)
def test_online_and_hybrid_groups_without_a_room_get_one():
    before = [("meetings", "0001_initial")]
    after = [("meetings", "0002_rooms_for_existing_groups")]
    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()
    executor.migrate(before)
    apps = _apps(MigrationExecutor(connection))
    Family = apps.get_model("circles", "ExperienceFamily")
    Experience = apps.get_model("circles", "Experience")
    Circle = apps.get_model("circles", "Circle")
    Room = apps.get_model("meetings", "Room")
    names = {f"name_{lang}": "x" for lang in ("en", "es", "it", "ca")}
    experience = Experience.objects.create(family=Family.objects.create(slug="f", **names), slug="e", **names)
    _online, _hybrid, _in_person, has_one = (
        Circle.objects.create(code=f"rm{i}", name="x", experience=experience, mode=mode)
        for i, mode in enumerate(["online", "hybrid", "in_person", "online"])
    )
    Room.objects.create(circle=has_one, name="mutua-kept")

    MigrationExecutor(connection).migrate(after)
    Room = _apps(MigrationExecutor(connection)).get_model("meetings", "Room")
    rooms = {
        code: sorted(Room.objects.filter(circle__code=code).values_list("name", flat=True))
        for code in ["rm0", "rm1", "rm2", "rm3"]
    }
    assert len(rooms["rm0"]) == 1 and len(rooms["rm1"]) == 1 and rooms["rm0"] != rooms["rm1"]
    assert all(len(name) >= 6 + 27 for name in rooms["rm0"] + rooms["rm1"])  # 160 random bits
    assert rooms["rm2"] == [] and rooms["rm3"] == ["mutua-kept"]

    MigrationExecutor(connection).migrate(leaves)
