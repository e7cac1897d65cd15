"""Forms of the meetings pages. They parse input only; the services hold the rules (and check again
what a form checked, so the API gets the same answers)."""

from datetime import date, datetime, time
from typing import Any

from django import forms
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _

from mutua.accounts.forms import timezone_choices
from mutua.circles.models import ScheduleKind
from mutua.core.i18n import zone_of as zone
from mutua.core.widgets import TimeZoneSelect
from mutua.meetings.display import NTH_CHOICES
from mutua.meetings.models import Answer, Reminder
from mutua.meetings.schedule import Kind, Rhythm, ScheduleError, validate
from mutua.meetings.services import NOTE_MAX, PLACE_NOTE_MAX
from mutua.meetings.texts import schedule_error_message


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%H:%M")


class RsvpForm(forms.Form):
    answer = forms.ChoiceField(
        label=_("Are you coming?"),
        choices=Answer.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Say whether you are coming.")},
    )
    note = forms.CharField(
        label=_("A note to the group (optional)"),
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": NOTE_MAX}),
        help_text=_("Everyone in the group sees it, for example: “Away this week, back next time.”"),
    )


class ReminderForm(forms.Form):
    reminder = forms.ChoiceField(
        label=_("Remind me"), choices=Reminder.choices, widget=forms.RadioSelect, initial=Reminder.DAY_BEFORE
    )


class MoveForm(forms.Form):
    """A new date and time for one meeting, read in the group's zone."""

    date = forms.DateField(label=_("New date"), widget=DateInput)
    time = forms.TimeField(label=_("New start time"), widget=TimeInput)
    duration = forms.IntegerField(label=_("Length in minutes"), min_value=15, max_value=480)
    place_note = forms.CharField(
        label=_("Where, this time (optional)"),
        required=False,
        max_length=PLACE_NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": PLACE_NOTE_MAX}),
        help_text=_("Only members see it. Leave it empty if the place stays the same."),
    )

    def __init__(self, *args: Any, group_tz: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.group_tz = group_tz

    def new_start(self) -> datetime:
        """The new start as an aware moment. A wall time that does not exist on a spring-forward day is
        read with the offset from before the gap (fold=0), as the schedule reads its own times."""
        day: date = self.cleaned_data["date"]
        at: time = self.cleaned_data["time"]
        return datetime.combine(day, at, tzinfo=zone(self.group_tz))


class PlaceForm(forms.Form):
    address = forms.CharField(
        label=_("Address"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 500}),
    )
    access_notes = forms.CharField(
        label=_("How to get in"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 1000}),
        help_text=_("For example: the door code, which floor, who opens the room."),
    )
    dial_in = forms.CharField(
        label=_("Joining by phone"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": 500}),
    )
    in_meeting_guide = forms.BooleanField(label=_("List the group in the Meeting Guide feed"), required=False)
    publish_address = forms.BooleanField(label=_("Publish the exact address in that feed"), required=False)
    publish_room = forms.BooleanField(label=_("Publish the room link in that feed"), required=False)


def weekday_choices() -> list[tuple[str, Any]]:
    return [("", _("Choose…")), *((str(i), WEEKDAYS[i]) for i in range(7))]


class ScheduleForm(forms.Form):
    """The group's rhythm. Every field is shown (the page works without JavaScript); each help text
    says which kinds use it. The pure `schedule.validate` decides what is complete."""

    kind = forms.ChoiceField(label=_("How often"), choices=ScheduleKind.choices)
    weekday = forms.TypedChoiceField(
        label=_("Day of the week"),
        choices=weekday_choices,
        coerce=int,
        required=False,
        empty_value=None,
        help_text=_("For every week, every two weeks, and monthly on a weekday."),
    )
    nth = forms.TypedChoiceField(
        label=_("Which week of the month"),
        choices=[("", _("Choose…")), *((str(v), label) for v, label in NTH_CHOICES)],
        coerce=int,
        required=False,
        empty_value=None,
        help_text=_("For monthly on a weekday: for example the second Tuesday, or the last Friday."),
    )
    monthday = forms.IntegerField(
        label=_("Day of the month"),
        min_value=1,
        max_value=31,
        required=False,
        help_text=_("For monthly on a day: 1 to 31. In shorter months, 31 means the last day."),
    )
    start_date = forms.DateField(
        label=_("First meeting from"),
        widget=DateInput,
        help_text=_("The first day a meeting can fall on."),
    )
    start_time = forms.TimeField(
        label=_("Start time"), widget=TimeInput, help_text=_("In the group's time zone.")
    )
    duration = forms.IntegerField(label=_("Length in minutes"), min_value=15, max_value=480, initial=90)
    timezone = forms.ChoiceField(
        label=_("The group's time zone"), choices=timezone_choices, widget=TimeZoneSelect
    )
    end_date = forms.DateField(
        label=_("Last meeting by (optional)"),
        required=False,
        widget=DateInput,
        help_text=_("Leave it empty if the group goes on meeting."),
    )
    rrule = forms.CharField(
        label=_("Custom rule (optional)"),
        required=False,
        max_length=300,
        help_text=_("Only for a custom rule, in iCalendar form, for example FREQ=WEEKLY;BYDAY=TU,TH."),
    )

    # Which field a schedule error belongs to, so the message sits next to it.
    ERROR_FIELDS = {
        "weekday_required": "weekday",
        "weekday_invalid": "weekday",
        "nth_invalid": "nth",
        "monthday_invalid": "monthday",
        "duration_invalid": "duration",
        "timezone_unknown": "timezone",
        "end_before_start": "end_date",
        "rrule_required": "rrule",
        "rrule_invalid": "rrule",
        "rrule_unsupported": "rrule",
    }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        try:
            validate(self.rhythm())
        except ScheduleError as error:
            field = self.ERROR_FIELDS.get(error.code.split(":", 1)[0])
            self.add_error(field, schedule_error_message(error.code))
        return data

    def rhythm(self) -> Rhythm:
        data = self.cleaned_data
        kind = Kind(data["kind"])
        # Only the fields the chosen kind uses are kept, so a leftover value never changes the rhythm.
        uses_weekday = kind in (Kind.WEEKLY, Kind.FORTNIGHTLY, Kind.MONTHLY_NTH)
        return Rhythm(
            kind=kind,
            start_date=data["start_date"],
            start_time=data["start_time"],
            duration_minutes=data["duration"],
            tz=data["timezone"],
            weekday=data.get("weekday") if uses_weekday else None,
            nth=data.get("nth") if kind == Kind.MONTHLY_NTH else None,
            monthday=data.get("monthday") if kind == Kind.MONTHLY_DAY else None,
            rrule=(data.get("rrule") or "").strip() if kind == Kind.RRULE else "",
            end_date=data.get("end_date"),
        )


def schedule_initial(rhythm: Rhythm | None, *, group_tz: str, today: date) -> dict[str, Any]:
    """The form's starting values: the group's rhythm, or a weekly evening from today."""
    if rhythm is None:
        return {
            "kind": Kind.WEEKLY,
            "start_date": today,
            "start_time": time(19, 0),
            "duration": 90,
            "timezone": group_tz,
        }
    return {
        "kind": rhythm.kind,
        "weekday": rhythm.weekday,
        "nth": rhythm.nth,
        "monthday": rhythm.monthday,
        "start_date": rhythm.start_date,
        "start_time": rhythm.start_time,
        "duration": rhythm.duration_minutes,
        "timezone": rhythm.tz,
        "end_date": rhythm.end_date,
        "rrule": rhythm.rrule,
    }
