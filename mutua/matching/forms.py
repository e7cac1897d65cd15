from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from mutua.accounts.forms import timezone_choices
from mutua.circles.forms import JoinForm, group_language_choices
from mutua.circles.selectors import experience_choices, place_choices
from mutua.core.widgets import AvailabilityGrid, FastSelect, TimeZoneSelect
from mutua.matching.models import SeekerMode
from mutua.matching.services import WEEKDAY_NAMES, WEEKDAY_SHORT

GRID_HOURS = range(7, 23)  # rows shown in the availability grid: 07:00 to 23:00


class InterestForm(forms.Form):
    experience = forms.ChoiceField(label=_("The experience you want to share"), widget=FastSelect)
    other_experiences = forms.MultipleChoiceField(
        label=_("Other experiences you also live with (optional)"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages you can share in"),
        widget=forms.CheckboxSelectMultiple,
        choices=group_language_choices,
    )
    timezone = forms.ChoiceField(label=_("Time zone"), choices=timezone_choices, widget=TimeZoneSelect)
    availability = forms.TypedMultipleChoiceField(
        label=_("When you are free each week"),
        coerce=int,
        choices=[(h, str(h)) for h in range(168)],
        widget=AvailabilityGrid(days=WEEKDAY_SHORT, day_names=WEEKDAY_NAMES, hours=GRID_HOURS),
        error_messages={"required": _("Choose at least one hour when you are free.")},
    )
    mode = forms.ChoiceField(
        label=_("How you would like to meet"),
        choices=SeekerMode.choices,
        widget=forms.RadioSelect,
        initial=SeekerMode.EITHER,
    )
    place = forms.ChoiceField(
        label=_("Area you can travel from"),
        required=False,
        widget=FastSelect,
        help_text=_("Needed to meet in person."),
    )
    max_travel_km = forms.IntegerField(
        label=_("How far you can travel (km)"), min_value=1, max_value=300, initial=15
    )
    is_woman = forms.BooleanField(
        label=_("I am a woman"), required=False, help_text=_("Only used to find women-only groups. Optional.")
    )
    women_only = forms.BooleanField(label=_("I only want a women-only group"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        exp = experience_choices()
        # `fields` is typed as plain Fields; these three are declared above as choice fields.
        cast(forms.ChoiceField, self.fields["experience"]).choices = [("", _("Choose…")), *exp]
        cast(forms.ChoiceField, self.fields["other_experiences"]).choices = exp
        cast(forms.ChoiceField, self.fields["place"]).choices = [("", _("Choose…")), *place_choices()]

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        if cleaned.get("mode") == SeekerMode.IN_PERSON and not cleaned.get("place"):
            self.add_error("place", _("Choose the area you can travel from."))
        if cleaned.get("women_only") and not cleaned.get("is_woman"):
            self.add_error("women_only", _("Women-only groups are for women. Untick one of the two boxes."))
        return cleaned


# Accepting a proposal asks for exactly the consent of joining a group.
AcceptForm = JoinForm
