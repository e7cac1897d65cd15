from collections.abc import Iterable
from typing import Any, cast

from django import forms
from django.utils.text import capfirst
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from mutua.circles.meeting_times import band_choices, band_short
from mutua.circles.models import Mode
from mutua.circles.selectors import experience_choices, place_choices
from mutua.core.i18n import GROUP_LANGUAGES, known_timezone
from mutua.core.widgets import FastSelect

__all__ = ["GROUP_LANGUAGES", "DirectoryForm", "group_language_choices"]


def group_language_choices() -> list[tuple[str, str]]:
    return [(code, get_language_info(code)["name_local"]) for code in GROUP_LANGUAGES]


RADIUS_CHOICES = [(5, "5 km"), (10, "10 km"), (25, "25 km"), (50, "50 km"), (100, "100 km")]
DEFAULT_RADIUS_KM = 25
# 0 = Monday, as Python's `weekday()`, the rhythm's `weekday` and the API's `weekday` parameter. The
# catalogue's names are lowercase in es, it and ca (mid-sentence); a checkbox label starts a line.
WEEKDAY_NAMES = [
    _("Monday"),
    _("Tuesday"),
    _("Wednesday"),
    _("Thursday"),
    _("Friday"),
    _("Saturday"),
    _("Sunday"),
]
WEEKDAY_CHOICES = [(n, capfirst(name)) for n, name in enumerate(WEEKDAY_NAMES)]


class DirectoryForm(forms.Form):
    experience = forms.ChoiceField(label=_("Experience"), required=False, widget=FastSelect)
    language = forms.ChoiceField(label=_("Language"), required=False, widget=FastSelect)
    mode = forms.ChoiceField(
        label=_("How to meet"),
        required=False,
        choices=[
            ("", _("In person or online")),
            (Mode.IN_PERSON, _("In person")),
            (Mode.ONLINE, _("Online")),
        ],
    )
    place = forms.ChoiceField(label=_("Near"), required=False, widget=FastSelect)
    radius = forms.TypedChoiceField(
        label=_("Distance"),
        required=False,
        coerce=int,
        choices=RADIUS_CHOICES,
        # Django takes any empty value; django-stubs types it as `str | None`.
        empty_value=DEFAULT_RADIUS_KM,  # type: ignore[arg-type]
        initial=DEFAULT_RADIUS_KM,
    )
    accepting = forms.BooleanField(label=_("Only groups taking newcomers"), required=False)
    weekday = forms.TypedMultipleChoiceField(
        label=_("Days"),
        required=False,
        coerce=int,
        choices=WEEKDAY_CHOICES,
        widget=forms.CheckboxSelectMultiple,
    )
    time_of_day = forms.ChoiceField(label=_("Time of day"), required=False)
    # The browser's time zone, filled in by static/js/viewer-tz.js; ignored unless it is a real zone.
    tz = forms.CharField(
        required=False, max_length=64, widget=forms.HiddenInput(attrs={"data-viewer-tz": ""})
    )
    page = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, data: Any = None, *args: Any, **kwargs: Any) -> None:
        if data is not None and not data.get("radius"):
            # The search uses 25 km when no distance is given; show that, not the list's first choice.
            data = data.copy()
            data["radius"] = str(DEFAULT_RADIUS_KM)
        super().__init__(data, *args, **kwargs)
        # `fields` is typed as plain Fields; these three are declared above as choice fields.
        # A family ("Grief and loss (all)") or one of its items: choosing a family shows all its groups.
        cast(forms.ChoiceField, self.fields["experience"]).choices = [
            ("", _("Any experience")),
            *experience_choices(with_families=True),
        ]
        cast(forms.ChoiceField, self.fields["language"]).choices = [
            ("", _("Any language")),
            *group_language_choices(),
        ]
        cast(forms.ChoiceField, self.fields["place"]).choices = [("", _("Anywhere")), *place_choices()]
        cast(forms.ChoiceField, self.fields["time_of_day"]).choices = [("", _("Any time")), *band_choices()]

    def clean_tz(self) -> str:
        # A zone sent by a browser is a hint, never an error: an unknown one is dropped.
        return known_timezone(self.cleaned_data.get("tz") or "")

    def summary(self) -> list[str]:
        """The chosen filters in words, for the folded filters' summary on a phone."""
        if not self.is_bound or not self.is_valid():
            return []
        data = self.cleaned_data
        out = []
        for name in ("experience", "place", "language", "mode"):
            if data.get(name):
                out.append(_choice_label(cast(forms.ChoiceField, self.fields[name]), data[name]))
        if data.get("place") and data.get("radius"):
            out.append(f"{data['radius']} km")
        if data.get("accepting"):
            out.append(str(_("taking newcomers")))
        out += [str(WEEKDAY_NAMES[day]) for day in sorted(set(data.get("weekday") or []))]
        if data.get("time_of_day"):
            out.append(band_short(data["time_of_day"]))
        return out


def _choice_label(field: forms.ChoiceField, value: str) -> str:
    # Django normalises the choices set above to (value, label) pairs, a group's label being its pairs.
    choices = cast("Iterable[tuple[object, object]]", field.choices)
    for key, label in choices:
        if isinstance(label, (list, tuple)):
            for k, lab in label:
                if str(k) == str(value):
                    return str(lab)
        elif str(key) == str(value):
            return str(label)
    return str(value)


class JoinForm(forms.Form):
    pseudonym = forms.CharField(
        label=_("Your pseudonym in this group"),
        max_length=40,
        help_text=_("The name the group will know you by. It need not be your real name."),
    )
    confirms_experience = forms.BooleanField(
        label=_("This is my experience too, now or in the past."),
        error_messages={"required": _("Please confirm that you share this group's experience.")},
    )
    accepts_pledge = forms.BooleanField(
        label=_("I have read the agreements and I accept the confidentiality pledge."),
        error_messages={
            "required": _("Please accept the agreements and the confidentiality pledge to join.")
        },
    )
    pledge_version = forms.IntegerField(widget=forms.HiddenInput)
    # The version of the group's agreements the page showed (none when creating a group), so a
    # set that changed meanwhile is not recorded as accepted.
    agreements_version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class JoinRequestForm(JoinForm):
    """Joining a group that reviews newcomers: the same consent, and an optional word to the members."""

    message = forms.CharField(
        label=_("A short message to the group (optional)"),
        help_text=_("For example, why you would like to join. Only the group's members read it."),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 500}),
    )


class JoinAnswerForm(forms.Form):
    """A member's answer to a request to join: welcome, or object with a reason (for the members)."""

    decision = forms.ChoiceField(
        label=_("Your answer"),
        choices=[("welcome", _("Welcome them")), ("object", _("I object"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Why you object (needed to object)"),
        help_text=_("Only the group's members read it. The person who asked never sees it."),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 1000}),
    )


class ConsentForm(forms.Form):
    """Accept again after the group's agreements or the confidentiality pledge changed. The hidden
    versions name what the person was shown, so a text that changed meanwhile is not agreed to."""

    accepts_pledge = forms.BooleanField(
        label=_("I have read the agreements and I accept the confidentiality pledge."),
        error_messages={"required": _("Please accept the agreements and the confidentiality pledge.")},
    )
    pledge_version = forms.IntegerField(widget=forms.HiddenInput)
    agreements_version = forms.IntegerField(widget=forms.HiddenInput)


class PseudonymForm(forms.Form):
    pseudonym = forms.CharField(
        label=_("Your pseudonym in this group"),
        max_length=40,
        help_text=_("The name the group will know you by. It need not be your real name."),
    )


class CircleCreateForm(JoinForm):
    name = forms.CharField(
        label=_("Group name"),
        max_length=80,
        help_text=_("Shown in the public directory. Do not include anyone's name."),
    )
    experience = forms.ChoiceField(label=_("Shared experience"), widget=FastSelect)
    languages = forms.MultipleChoiceField(
        label=_("Languages"), widget=forms.CheckboxSelectMultiple, choices=group_language_choices
    )
    mode = forms.ChoiceField(label=_("How the group meets"), choices=Mode.choices, widget=forms.RadioSelect)
    place = forms.ChoiceField(
        label=_("Area"),
        required=False,
        widget=FastSelect,
        help_text=_("Needed for in-person and hybrid groups. Never the exact address."),
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Who the group is for and how meetings feel. Shown publicly."),
    )
    max_members = forms.TypedChoiceField(
        label=_("Maximum size"), coerce=int, choices=[(n, str(n)) for n in range(5, 13)], initial=10
    )
    listed = forms.BooleanField(
        label=_("List the group in the public directory"), required=False, initial=True
    )
    open = forms.BooleanField(label=_("Open to newcomers"), required=False, initial=True)

    field_order = [
        "name",
        "experience",
        "languages",
        "mode",
        "place",
        "description",
        "max_members",
        "listed",
        "open",
        "pseudonym",
        "confirms_experience",
        "accepts_pledge",
        "pledge_version",
    ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # `fields` is typed as plain Fields; these two are declared above as choice fields.
        cast(forms.ChoiceField, self.fields["experience"]).choices = [
            ("", _("Choose…")),
            *experience_choices(),
        ]
        cast(forms.ChoiceField, self.fields["place"]).choices = [("", _("Choose…")), *place_choices()]
        self.fields["confirms_experience"].label = _("This is my experience too, now or in the past.")

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        if cleaned.get("mode") in (Mode.IN_PERSON, Mode.HYBRID) and not cleaned.get("place"):
            self.add_error("place", _("Choose the area where the group meets in person."))
        return cleaned
