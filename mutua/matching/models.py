"""People waiting for a group, matching runs, and the proposals they produce (§3.6).

The engine in `matching/engine/` is pure; these models are what Mutua keeps around it. Nobody is
enrolled by a run: each person placed receives a proposal they accept or decline (P2).
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mutua.circles.consent import Consent
from mutua.core.codes import new_code


class SeekerMode(models.TextChoices):
    ONLINE = "online", _("Online")
    IN_PERSON = "in_person", _("In person")
    EITHER = "either", _("Either")


class InterestStatus(models.TextChoices):
    ACTIVE = "active", _("Waiting for a group")
    PROPOSED = "proposed", _("A group is proposed")
    PLACED = "placed", _("Placed in a group")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Interest(models.Model):
    """One person's request to be matched into a group. Editable and withdrawable at any time."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="interest")
    experience = models.ForeignKey(
        "circles.Experience", on_delete=models.PROTECT, related_name="+", verbose_name=_("shared experience")
    )
    other_experiences = models.ManyToManyField("circles.Experience", blank=True, related_name="+")
    languages = models.JSONField(default=list)
    timezone = models.CharField(max_length=64)
    # Local (weekday, hour) one-hour blocks, weekday 0 = Monday, stored as weekday * 24 + hour.
    availability = models.JSONField(default=list)
    mode = models.CharField(max_length=16, choices=SeekerMode.choices, default=SeekerMode.EITHER)
    place = models.ForeignKey(
        "circles.Place", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    max_travel_km = models.PositiveSmallIntegerField(
        default=15, validators=[MinValueValidator(1), MaxValueValidator(300)]
    )
    women_only = models.BooleanField(default=False)
    is_woman = models.BooleanField(default=False)
    status = models.CharField(max_length=16, choices=InterestStatus.choices, default=InterestStatus.ACTIVE)
    # When the person started waiting; kept when they return to the pool so they keep priority.
    waiting_since = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)
    # The engine's structured explanation from the last run that did not place them.
    explanation = models.JSONField(default=dict, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "waiting_since"])]

    def __str__(self) -> str:
        return f"interest #{self.pk}"


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class MatchingRun(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    status = models.CharField(max_length=16, choices=RunStatus.choices, default=RunStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, help_text="0–100")
    stage = models.CharField(max_length=64, blank=True)
    seed = models.PositiveIntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Counts and timings only: never names, topics or anything a person wrote.
    summary = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("matching run")
        verbose_name_plural = _("matching runs")

    def __str__(self) -> str:
        return f"run #{self.pk} ({self.status})"


class OfferKind(models.TextChoices):
    NEW_GROUP = "new", _("New group")
    SEAT = "seat", _("Seat in an existing group")


class OfferStatus(models.TextChoices):
    OPEN = "open", _("Open")
    FORMED = "formed", _("Formed")
    LAPSED = "lapsed", _("Did not form")


class GroupOffer(models.Model):
    """What a run proposes: a new group (experience, language, weekly slot, area) or a seat in an
    existing group. People see this, never who else was proposed."""

    code = models.CharField(max_length=16, unique=True, default=new_code, editable=False)
    run = models.ForeignKey(MatchingRun, on_delete=models.CASCADE, related_name="offers")
    kind = models.CharField(max_length=8, choices=OfferKind.choices)
    experience = models.ForeignKey("circles.Experience", on_delete=models.PROTECT, related_name="+")
    language = models.CharField(max_length=8)
    slot_utc = models.PositiveSmallIntegerField(help_text="UTC hour of the reference week (0–167)")
    reference_monday = models.DateField()
    place = models.ForeignKey(
        "circles.Place", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    women_only = models.BooleanField(default=False)
    circle = models.ForeignKey(
        "circles.Circle", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    deadline = models.DateTimeField()
    status = models.CharField(max_length=8, choices=OfferStatus.choices, default=OfferStatus.OPEN)

    def __str__(self) -> str:
        return self.code


class ProposalStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for your answer")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    LAPSED = "lapsed", _("Lapsed")


class Proposal(models.Model):
    offer = models.ForeignKey(GroupOffer, on_delete=models.CASCADE, related_name="proposals")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="proposals")
    status = models.CharField(max_length=16, choices=ProposalStatus.choices, default=ProposalStatus.PENDING)
    pseudonym = models.CharField(max_length=40, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    # The consent given when accepting (P1, P7), so the group is formed with exactly what each person
    # accepted, even if the pledge changes before enough people have said yes.
    confirms_experience = models.BooleanField(default=False)
    pledge_version = models.PositiveIntegerField(default=0)
    agreements_version = models.PositiveIntegerField(default=0)
    consented_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["offer", "user"], name="proposal_unique")]
        indexes = [models.Index(fields=["user", "status"])]

    def __str__(self) -> str:
        return f"proposal {self.offer.code} ({self.status})"

    @property
    def consent(self) -> Consent:
        return Consent(
            confirms_experience=self.confirms_experience,
            pledge_version=self.pledge_version,
            agreements_version=self.agreements_version,
            given_at=self.consented_at or self.decided_at or timezone.now(),
        )
