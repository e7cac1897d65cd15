"""`core.i18n.zone_of`: the zone a stored name means, UTC for a name no zone has."""

import pytest

from mutua.core.i18n import zone_of


@pytest.mark.parametrize("name", ["Europe/Madrid", "America/New_York", "UTC"])
def test_a_known_name_is_its_zone(name):
    assert zone_of(name).key == name


@pytest.mark.parametrize("name", ["", "Mars/Olympus", "../etc/passwd", "x" * 80])
def test_anything_else_is_utc(name):
    assert zone_of(name).key == "UTC"
