"""Mutua matching engine: forms mutual-aid groups from people waiting for one.

A pure library (NumPy/SciPy, no Django).  See README.md for the model and the algorithm.
"""

from .api import from_solution, match, to_problem
from .checker import check_result, check_solution
from .core import Options, solve
from .explain import ColumnarExplanation
from .geo import haversine_km
from .metrics import cohesion_scores
from .model import (
    DistanceSuggestion,
    ExistingGroup,
    Explanation,
    GroupTable,
    Instance,
    MatchResult,
    Mode,
    NewGroup,
    Person,
    Population,
    Problem,
    Reason,
    SeatAssignment,
    SlotSuggestion,
    Solution,
    Venue,
)
from .timezones import local_availability_to_utc, local_slot_to_utc, utc_offset_minutes, utc_slot_to_local

__all__ = [
    "ColumnarExplanation",
    "DistanceSuggestion",
    "ExistingGroup",
    "Explanation",
    "GroupTable",
    "Instance",
    "MatchResult",
    "Mode",
    "NewGroup",
    "Options",
    "Person",
    "Population",
    "Problem",
    "Reason",
    "SeatAssignment",
    "SlotSuggestion",
    "Solution",
    "Venue",
    "check_result",
    "check_solution",
    "cohesion_scores",
    "from_solution",
    "haversine_km",
    "local_availability_to_utc",
    "local_slot_to_utc",
    "match",
    "solve",
    "to_problem",
    "utc_offset_minutes",
    "utc_slot_to_local",
]
