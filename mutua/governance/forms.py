"""Forms of the decisions pages. They parse input only; `governance.services` holds the rules and checks
again what a form checked, so the API gets the same answers."""

from datetime import date
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from mutua.governance.models import Openness, ProcessChoice, ProposalKind, StanceChoice
from mutua.governance.services import (
    BODY_MAX,
    COMMENT_MAX,
    DAYS_MAX,
    DAYS_MIN,
    OUTCOME_MAX,
    PURPOSE_MAX,
    REASON_MAX,
    TITLE_MAX,
    schedule_payload,
)
from mutua.governance.tally import NEEDS_REASON, Stance
from mutua.meetings.forms import DateInput, ScheduleForm


class ProposalForm(forms.Form):
    """What every proposal has: a title, what and why, how the group decides, and for how long."""

    title = forms.CharField(label=_("Title of your proposal"), max_length=TITLE_MAX)
    body = forms.CharField(
        label=_("What and why (optional)"),
        required=False,
        max_length=BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": BODY_MAX}),
        help_text=_("Plain words help everyone take part. Only members see it."),
    )
    process = forms.ChoiceField(
        label=_("How the group decides"),
        choices=ProcessChoice.choices,
        widget=forms.RadioSelect,
        initial=ProcessChoice.CONSENT,
    )
    days = forms.IntegerField(
        label=_("Days to answer"),
        min_value=DAYS_MIN,
        max_value=DAYS_MAX,
        help_text=_("It closes earlier if everyone has answered."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Settings are read when the form is built, never at import time (CONVENTIONS).
        self.fields["days"].initial = settings.MUTUA_PROPOSAL_DAYS

    def payload(self) -> dict[str, Any]:
        """What passes, for the owning service to apply (per kind)."""
        return {}

    def subject(self) -> str:
        """The pseudonym of the member a removal is about ("" for every other kind)."""
        return ""


class ScheduleProposalForm(ProposalForm, ScheduleForm):
    """A new meeting time: the meetings schedule form's fields; what passes is the rhythm's columns."""

    def payload(self) -> dict[str, Any]:
        return schedule_payload(self.rhythm())


class CapacityForm(ProposalForm):
    max_members = forms.IntegerField(
        label=_("The most members the group takes"),
        min_value=5,
        max_value=12,
        help_text=_("From 5 to 12. Nobody already in the group has to leave."),
    )

    def payload(self) -> dict[str, Any]:
        return {"max_members": self.cleaned_data["max_members"]}


class OpennessForm(ProposalForm):
    openness = forms.ChoiceField(
        label=_("How newcomers join"), choices=Openness.choices, widget=forms.RadioSelect
    )

    def payload(self) -> dict[str, Any]:
        return {"openness": self.cleaned_data["openness"]}


class ProfessionalForm(ProposalForm):
    purpose = forms.CharField(
        label=_("What the professional would do"),
        max_length=PURPOSE_MAX,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": PURPOSE_MAX}),
        help_text=_("For example: a talk about grief, or guidance for one meeting."),
    )
    starts = forms.DateField(label=_("From"), widget=DateInput)
    ends = forms.DateField(label=_("Until"), widget=DateInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts"), data.get("ends")
        if isinstance(starts, date) and isinstance(ends, date) and ends < starts:
            self.add_error("ends", _("The end comes before the start."))
        return data

    def payload(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "purpose": data["purpose"],
            "starts": data["starts"].isoformat(),
            "ends": data["ends"].isoformat(),
        }


class RemovalForm(ProposalForm):
    member = forms.ChoiceField(
        label=_("Which member"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the member this is about.")},
    )

    def __init__(self, *args: Any, others: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        member = self.fields["member"]
        assert isinstance(member, forms.ChoiceField)
        member.choices = [(p, p) for p in others]
        # A removal is always decided by consent of everyone else (the service says so too).
        del self.fields["process"]

    def subject(self) -> str:
        return str(self.cleaned_data["member"])


class PlainProposalForm(ProposalForm):
    """A dissolution or a free question: nothing more than the common fields."""


FORM_OF_KIND: dict[str, type[ProposalForm]] = {
    ProposalKind.AGREEMENTS: PlainProposalForm,  # plus agreements_forms.draft_formset for the items
    ProposalKind.SCHEDULE: ScheduleProposalForm,
    ProposalKind.CAPACITY: CapacityForm,
    ProposalKind.OPENNESS: OpennessForm,
    ProposalKind.PROFESSIONAL: ProfessionalForm,
    ProposalKind.REMOVAL: RemovalForm,
    ProposalKind.DISSOLUTION: PlainProposalForm,
    ProposalKind.QUESTION: PlainProposalForm,
}


class StanceForm(forms.Form):
    stance = forms.ChoiceField(
        label=_("Your stance"),
        choices=StanceChoice.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose your stance.")},
    )
    reason = forms.CharField(
        label=_("Your reason"),
        required=False,
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": REASON_MAX}),
        help_text=_("Needed if you disagree or object. Everyone sees it once the proposal closes."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        stance = data.get("stance")
        if stance and Stance(stance) in NEEDS_REASON and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Please say why: a reason is needed to disagree or object."))
        return data


class CommentForm(forms.Form):
    text = forms.CharField(
        label=_("Your message"),
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": COMMENT_MAX}),
        error_messages={"required": _("Write something first.")},
    )


class OutcomeForm(forms.Form):
    outcome = forms.CharField(
        label=_("What the group decided"),
        max_length=OUTCOME_MAX,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": OUTCOME_MAX}),
        help_text=_("In a few words, for everyone who reads this later."),
    )
    review_on = forms.DateField(
        label=_("Look at it again on (optional)"),
        required=False,
        widget=DateInput,
        help_text=_("Everyone gets a reminder that day."),
    )
