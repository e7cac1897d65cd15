"""Who is offered a practical role at a meeting next: pure Python, no Django (CONVENTIONS: pure cores).

A group's practical roles (coordinator, timekeeper, welcomer) rotate among the members who volunteered
for each (P5: a role is a task, not power). `choose()` names the volunteer to offer one role to at one
meeting; the services ask again, with that person added to `declined`, when they decline.

The rule, in order:
1. **Who can be asked**: a volunteer for the role who has not declined it at this meeting and has not
   said they can't come. Nobody else, ever.
2. **Who is coming first**: those who answered "coming" are preferred; only when none of them can be
   asked does the offer go to a volunteer who has not answered yet (they may well come, and an offer
   is only a question: they can decline, and the next one is asked at once). "Can't come" is never
   asked (rule 1).
3. **One role each, when avoidable**: within the same answer, someone who holds no other role at this
   meeting is preferred to someone who does. Two roles land on one person only when nobody free is left.
4. **Least recently first**: within that, whoever held this role least recently: never held first, then
   the oldest last time.
5. **Ties** (never held by both, or the same last time): fewer times held first, then a stable order:
   the volunteers sorted by id and turned by the role's place in ROLE_ORDER, so that with everyone
   new the coordinator, timekeeper and welcomer start on different people (volunteer ids a, b, c:
   coordinator a, timekeeper b, welcomer c) instead of all three queueing behind the lowest id.

The result depends only on the inputs' values, never on their order (the volunteers are sorted).

**Fairness** (`tests/test_rotation_fairness.py` checks each statement on a simulated year and with
Hypothesis). Say volunteer *b* was *available* for a role at a meeting when, at the moment the holder
was finally chosen, *b* was in the same group of rules 2–3 as the holder (same answer; free of other
roles or not, alike) and had not declined. (Whoever stands in a better group would have been chosen,
so "available" includes them too.) A holder is whoever accepted the offer. Then, for one role:
- **(W)** If *a* held the role at two meetings and *b* was available at the second one, *b* held it at
  some meeting in between. At the second meeting *b* was not chosen although available, so *b* held
  it more recently than *a* (rule 4; a tie is impossible because *a* has held it and only one person
  holds a role at a meeting; "never held" would have put *b* first).
- **(Runs)** Over any run of consecutive meetings at each of which both *a* and *b* were available,
  their counts of the role differ by at most one: by (W), inside the run their holdings alternate.
- **(Year)** Over any stretch of meetings, count(a) − count(b) ≤ 1 + the number of meetings in it
  at which *a* held the role while *b* was not available. By (W), each holding of *a* after the first
  at which *b* was available is preceded by a holding of *b* since *a*'s previous one.
- In particular, **when every volunteer is available at every meeting** (all coming, no declines, and
  nobody kept from the role by holding another), each volunteer's count is within one of every
  other's over the whole year, for every role.
- And **when everyone volunteers for every role, always comes and never declines** (n ≥ 3 volunteers
  v0 < v1 < … sorted by id), meeting k gives the coordinator to v(k mod n), the timekeeper to
  v(k+1 mod n) and the welcomer to v(k+2 mod n): nobody ever holds two roles and each role goes
  round in the same order, so again each count is within one of every other's. (In the first round
  the "never held" ties are settled by rule 5's turned order, which is what keeps the three apart;
  afterwards rule 4 repeats the round.) Here holding another role does make someone unavailable for
  the next role in the sense above, so this case is shown on its own rather than from (Year).

What the guarantee does not cover: a swap is a person's own choice of who takes over (not this
function's), and a role nobody can be asked for stays open.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence, Set
from datetime import datetime

# The roles in the order they are offered at a meeting (the same values as governance.models.Role).
ROLE_ORDER: tuple[str, ...] = ("coordinator", "timekeeper", "welcomer")


def choose(
    *,
    role: str,
    volunteers: Sequence[int],
    coming: Set[int],
    last_held: Mapping[int, datetime | None],
    held_count: Mapping[int, int],
    declined: Set[int],
    taken_this_meeting: Set[int],
    not_coming: Set[int] = frozenset(),
) -> int | None:
    """The volunteer (an id) to offer `role` to at one meeting, or None when nobody can be asked.

    `coming`: who answered "coming"; `not_coming`: who answered "can't come" (everyone else has not
    answered); `last_held` / `held_count`: when this role was last held and how often, by volunteer
    (missing or None: never); `declined`: who declined this role at this meeting;
    `taken_this_meeting`: who already holds (or is offered) another role at this meeting."""
    ordered = sorted(set(volunteers))
    if not ordered:
        return None
    turn = ROLE_ORDER.index(role) if role in ROLE_ORDER else 0
    place = {v: (i - turn) % len(ordered) for i, v in enumerate(ordered)}

    def rank(v: int) -> tuple[int, int, int, float, int, int]:
        last = last_held.get(v)
        return (
            0 if v in coming else 1,
            1 if v in taken_this_meeting else 0,
            0 if last is None else 1,
            0.0 if last is None else last.timestamp(),
            held_count.get(v, 0),
            place[v],
        )

    candidates = [v for v in ordered if v not in declined and v not in not_coming]
    if not candidates:
        return None
    return min(candidates, key=rank)
