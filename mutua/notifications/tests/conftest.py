from typing import Any

import pytest

from conftest import join
from mutua.circles import services as circle_services


@pytest.fixture
def full_group(make_user: Any, make_circle: Any) -> dict[str, Any]:
    """A full group (5 of 5) with two people on its waiting list, in the order they joined it."""
    founder = make_user()
    circle = make_circle(founder=founder, name="Tuesday Lighthouse", max_members=5)
    members = [founder]
    for name in ("Kestrel", "Heron", "Osprey", "Plover"):
        m = make_user()
        join(circle, m, name)
        members.append(m)
    first, second = make_user(language="es"), make_user()
    join(circle, first, "Avocet")
    join(circle, second, "Curlew")
    circle.refresh_from_db()
    return {"circle": circle, "members": members, "first": first, "second": second}


def free_a_seat(group: dict[str, Any]) -> None:
    circle_services.membership_leave(circle=group["circle"], user=group["members"][-1])
