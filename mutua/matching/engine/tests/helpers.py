"""Small builders for hand-made instances."""

from mutua.matching.engine import Mode, Person


def person(pid, slots=(20,), exp="grief", langs=("de",), **kw):
    return Person(id=pid, experience=exp, languages=frozenset(langs), availability=frozenset(slots), **kw)


def in_person(pid, lat, lon, km, slots=(20,), mode=Mode.IN_PERSON, **kw):
    return person(pid, slots, mode=mode, lat=lat, lon=lon, max_travel_km=km, **kw)
