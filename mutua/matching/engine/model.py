"""Data model of the matching engine.

Two layers:

* a friendly, typed **object layer** (:class:`Person`, :class:`ExistingGroup`, :class:`Venue`,
  :class:`Instance` in; :class:`MatchResult` out) used by the Django app and the tests;
* a **columnar layer** (:class:`Population`, :class:`GroupTable`, :class:`Problem`,
  :class:`Solution`) of NumPy arrays that the solver works on.  A million Python objects cost
  more time and memory than the whole matching, so the benchmark builds the columnar layer
  directly.

Conventions (both layers):

* **Time.** A weekly slot is a *UTC hour-of-week* ``0..167`` of a concrete *reference week*:
  hour 0 is Monday 00:00 UTC of that week.  Availability is given already normalised to that
  week (see :mod:`.timezones` to convert local availability with daylight-saving rules).  A
  group meets once a week for one hour starting at its slot.
* **Hard preferences** are generic: a person *requires* a set of attributes that every member
  of their group must have (``women_only`` is ``requires={"woman"}``), and *has* a set of
  attributes.  A new group's rules are the union of its members' requirements and every member
  must satisfy them.  An existing group carries its rules as ``tags``; a newcomer must have all
  of them and may only require attributes that the group's rules already guarantee.
* **Place.** Online groups have no place.  In-person groups meet at a :class:`Venue`; every
  member must be within their own maximum travel distance (haversine, km) of it.
* **Experience.** Members of a group share their *primary* experience.  Secondary experiences
  only count for cohesion.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from enum import IntEnum, StrEnum
from typing import Any

import numpy as np
from numpy.typing import NDArray

HOURS_PER_WEEK = 168
AVAIL_BYTES = HOURS_PER_WEEK // 8  # packed availability bytes per person
MAX_LANGUAGES = 64  # languages are a uint64 bit mask
MAX_TAGS = 32  # attributes / requirements are a uint32 bit mask


class Mode(StrEnum):
    """How a person wants to meet."""

    ONLINE = "online"
    IN_PERSON = "in_person"
    EITHER = "either"


class ModeCode(IntEnum):
    """Integer codes of :class:`Mode` in the columnar layer."""

    ONLINE = 0
    IN_PERSON = 1
    EITHER = 2


MODE_CODES: dict[str, int] = {Mode.ONLINE: 0, Mode.IN_PERSON: 1, Mode.EITHER: 2}


# --------------------------------------------------------------------------- object layer
@dataclass(frozen=True, slots=True)
class Venue:
    """A possible meeting place for in-person groups."""

    id: Hashable
    lat: float
    lon: float


@dataclass(frozen=True, slots=True)
class Person:
    """One person waiting for a group.

    ``availability`` holds UTC hours-of-week (0..167) of the reference week; build it with
    :func:`mutua.matching.engine.timezones.local_availability_to_utc`.
    """

    id: Hashable
    experience: str
    languages: frozenset[str]
    availability: frozenset[int]
    mode: Mode = Mode.ONLINE
    lat: float | None = None
    lon: float | None = None
    max_travel_km: float = 0.0
    requires: frozenset[str] = frozenset()
    attributes: frozenset[str] = frozenset()
    waited_days: float = 0.0
    secondary_experience: str | None = None
    age_band: int | None = None
    utc_offset_minutes: int = 0


@dataclass(frozen=True, slots=True)
class ExistingGroup:
    """A running group with free seats.

    ``mode`` is ``online`` or ``in_person`` (then ``venue`` is where it meets); ``tags`` are its
    rules (attributes every member has, e.g. ``{"woman"}`` for a women-only group).
    """

    id: Hashable
    experience: str
    language: str
    slot: int
    free_seats: int
    mode: Mode = Mode.ONLINE
    venue: Venue | None = None
    tags: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Instance:
    """Everything one matching run needs."""

    people: Sequence[Person]
    groups: Sequence[ExistingGroup] = ()
    venues: Sequence[Venue] = ()
    min_size: int = 5
    max_size: int = 10
    target_size: int = 7


@dataclass(frozen=True, slots=True)
class NewGroup:
    """A proposed new group.  ``venue_id`` is ``None`` for online groups."""

    experience: str
    language: str
    slot: int
    venue_id: Hashable | None
    rules: frozenset[str]
    members: tuple[Hashable, ...]


@dataclass(frozen=True, slots=True)
class SeatAssignment:
    """A person proposed for a free seat of an existing group."""

    person_id: Hashable
    group_id: Hashable


class Reason(StrEnum):
    """Why a person could not be placed (rendered into prose by the Django side)."""

    #: fewer than ``min_size`` people share their experience and a language
    TOO_FEW_PEERS = "too_few_peers"
    #: enough peers, but no common slot / reachable place for ``min_size`` of them
    NO_COMMON_TIME_OR_PLACE = "no_common_time_or_place"
    #: a group was possible, but its people were needed by other groups
    TAKEN_BY_OTHER_GROUPS = "taken_by_other_groups"


@dataclass(frozen=True, slots=True)
class SlotSuggestion:
    """Adding ``slot`` (UTC hour-of-week) to one's availability would give ``people`` peers."""

    slot: int
    language: str
    venue_id: Hashable | None
    people: int
    completes_group: bool


@dataclass(frozen=True, slots=True)
class DistanceSuggestion:
    """Travelling ``extra_km`` further would reach ``venue_id`` where ``people`` peers meet."""

    venue_id: Hashable
    extra_km: float
    language: str
    slot: int
    people: int
    completes_group: bool


@dataclass(frozen=True, slots=True)
class Explanation:
    """Structured reason for one unplaced person (no prose: the UI translates it).

    * ``TOO_FEW_PEERS``: ``peers`` people (including them) share the experience and
      ``language``; ``more_needed`` more would allow a group.
    * ``NO_COMMON_TIME_OR_PLACE``: ``slot_suggestions`` / ``distance_suggestions`` list the
      extra hours or distances that would bring most peers together (best first).
    * ``TAKEN_BY_OTHER_GROUPS``: ``possible_slot`` etc. describe a group that was possible,
      with ``peers`` compatible people, who were placed elsewhere.
    """

    person_id: Hashable
    reason: Reason
    language: str | None = None
    peers: int = 0
    more_needed: int = 0
    slot_suggestions: tuple[SlotSuggestion, ...] = ()
    distance_suggestions: tuple[DistanceSuggestion, ...] = ()
    possible_slot: int | None = None
    possible_venue_id: Hashable | None = None


@dataclass(frozen=True, slots=True)
class MatchResult:
    """Output of :func:`mutua.matching.engine.match`."""

    new_groups: tuple[NewGroup, ...]
    seats: tuple[SeatAssignment, ...]
    unplaced: tuple[Explanation, ...]
    upper_bound: int
    stats: dict[str, float] = field(default_factory=dict, compare=False)

    @property
    def placed(self) -> int:
        return sum(len(g.members) for g in self.new_groups) + len(self.seats)


# --------------------------------------------------------------------------- columnar layer
def _arr(x: object, dtype: type) -> NDArray[Any]:
    return np.ascontiguousarray(np.asarray(x, dtype=dtype))


@dataclass(slots=True)
class Population:
    """Columnar people.  Codes index the vocabularies held by :class:`Problem`.

    ``availability`` is ``(n, 21) uint8``: bit ``h % 8`` (little-endian) of byte ``h // 8`` is
    set when the person is free at UTC hour-of-week ``h``.  ``lat``/``lon`` are NaN for people
    without a place.  ``secondary`` and ``age_band`` are -1 when unknown.
    """

    experience: NDArray[Any]
    languages: NDArray[Any]
    availability: NDArray[Any]
    mode: NDArray[Any]
    lat: NDArray[Any]
    lon: NDArray[Any]
    max_km: NDArray[Any]
    attributes: NDArray[Any]
    requires: NDArray[Any]
    waited_days: NDArray[Any]
    secondary: NDArray[Any]
    age_band: NDArray[Any]
    utc_offset_min: NDArray[Any]

    def __post_init__(self) -> None:
        self.experience = _arr(self.experience, np.int32)
        self.languages = _arr(self.languages, np.uint64)
        self.availability = _arr(self.availability, np.uint8).reshape(-1, AVAIL_BYTES)
        self.mode = _arr(self.mode, np.int8)
        self.lat = _arr(self.lat, np.float64)
        self.lon = _arr(self.lon, np.float64)
        self.max_km = _arr(self.max_km, np.float64)
        self.attributes = _arr(self.attributes, np.uint32)
        self.requires = _arr(self.requires, np.uint32)
        self.waited_days = _arr(self.waited_days, np.float32)
        self.secondary = _arr(self.secondary, np.int32)
        self.age_band = _arr(self.age_band, np.int16)
        self.utc_offset_min = _arr(self.utc_offset_min, np.int16)
        n = len(self.experience)
        for name in self.__slots__:
            if len(getattr(self, name)) != n:
                raise ValueError(f"Population.{name} has {len(getattr(self, name))} rows, expected {n}")

    def __len__(self) -> int:
        return len(self.experience)

    def subset(self, idx: NDArray[Any]) -> Population:
        """Rows ``idx`` (used to stream one experience at a time)."""
        return Population(**{name: getattr(self, name)[idx] for name in self.__slots__})

    @staticmethod
    def empty() -> Population:
        z = np.zeros(0)
        return Population(z, z, np.zeros((0, AVAIL_BYTES)), z, z, z, z, z, z, z, z, z, z)


@dataclass(slots=True)
class GroupTable:
    """Columnar existing groups.  ``mode`` is 0 (online) or 1 (in person, at ``lat``/``lon``)."""

    experience: NDArray[Any]
    language: NDArray[Any]
    slot: NDArray[Any]
    mode: NDArray[Any]
    lat: NDArray[Any]
    lon: NDArray[Any]
    free_seats: NDArray[Any]
    tags: NDArray[Any]

    def __post_init__(self) -> None:
        self.experience = _arr(self.experience, np.int32)
        self.language = _arr(self.language, np.int16)
        self.slot = _arr(self.slot, np.int16)
        self.mode = _arr(self.mode, np.int8)
        self.lat = _arr(self.lat, np.float64)
        self.lon = _arr(self.lon, np.float64)
        self.free_seats = _arr(self.free_seats, np.int32)
        self.tags = _arr(self.tags, np.uint32)

    def __len__(self) -> int:
        return len(self.experience)

    def subset(self, idx: NDArray[Any]) -> GroupTable:
        return GroupTable(**{name: getattr(self, name)[idx] for name in self.__slots__})

    @staticmethod
    def empty() -> GroupTable:
        z = np.zeros(0)
        return GroupTable(z, z, z, z, z, z, z, z)


@dataclass(slots=True)
class Problem:
    """A complete columnar instance plus the vocabularies to decode it."""

    people: Population
    groups: GroupTable
    venue_lat: NDArray[Any]
    venue_lon: NDArray[Any]
    min_size: int = 5
    max_size: int = 10
    target_size: int = 7
    experiences: Sequence[str] = ()
    languages: Sequence[str] = ()
    tags: Sequence[str] = ()

    def __post_init__(self) -> None:
        self.venue_lat = _arr(self.venue_lat, np.float64)
        self.venue_lon = _arr(self.venue_lon, np.float64)
        if not 1 <= self.min_size <= self.target_size <= self.max_size:
            raise ValueError("need 1 <= min_size <= target_size <= max_size")
        if self.max_size < 2 * self.min_size - 1:
            # Any n >= min_size must split into groups of min..max; that needs max >= 2*min-1.
            raise ValueError("max_size must be at least 2 * min_size - 1")


@dataclass(slots=True)
class Solution:
    """Columnar output.

    ``new_group[i]`` is the new group of person ``i`` (-1 if none), ``seat[i]`` the existing
    group whose free seat they take (-1 if none).  New group ``g`` meets in language
    ``ng_language[g]`` at slot ``ng_slot[g]``, at venue ``ng_venue[g]`` (-1: online), with rules
    ``ng_rules[g]`` (attribute bit mask).
    """

    new_group: NDArray[Any]
    seat: NDArray[Any]
    ng_experience: NDArray[Any]
    ng_language: NDArray[Any]
    ng_slot: NDArray[Any]
    ng_venue: NDArray[Any]
    ng_rules: NDArray[Any]
    upper_bound: int = 0
    stats: dict[str, float] = field(default_factory=dict)

    @property
    def placed(self) -> int:
        return int(np.count_nonzero((self.new_group >= 0) | (self.seat >= 0)))
