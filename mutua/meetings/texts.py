"""Messages for the schedule module's error codes, in the reader's language (one place)."""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

SCHEDULE_ERRORS: dict[str, Promise] = {
    "kind_invalid": _("Choose how often the group meets."),
    "weekday_required": _("Choose the day of the week the group meets."),
    "weekday_invalid": _("Choose the day of the week the group meets."),
    "nth_invalid": _("Choose which week of the month: first, second, third, fourth or last."),
    "monthday_invalid": _("Choose a day of the month between 1 and 31."),
    "duration_invalid": _("A meeting lasts between 15 minutes and 8 hours."),
    "timezone_unknown": _("Choose the group's time zone from the list."),
    "end_before_start": _("The last date comes before the first one."),
    "rrule_required": _("Write the custom rule, or choose one of the simple rhythms."),
    "rrule_interval_invalid": _("In a custom rule, INTERVAL is a whole number from 1 to 52."),
    "rrule_count_invalid": _("In a custom rule, COUNT is a whole number from 1 to 1000."),
    "no_occurrences": _("With these dates and this rule, the group would never meet. Check the dates."),
    "rrule_invalid": _("This rule could not be read. Check it, or choose one of the simple rhythms."),
    "rrule_unsupported": _("This rule uses a part Mutua does not support. Choose one of the simple rhythms."),
}
GENERIC = _("This schedule could not be used. Check each field.")


def schedule_error_message(code: str) -> str:
    """The message for a `ScheduleError` code (codes may carry a detail after a colon)."""
    return str(SCHEDULE_ERRORS.get(code.split(":", 1)[0], GENERIC))
