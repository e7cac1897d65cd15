"""A group's own agreements, its proposals and decisions, and its rotating roles (P5).

Everything here is members-only (P7). A proposal's stances are hidden until it closes, from members,
from the API and from host staff alike: the admin registers none of these models."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from mutua.circles.models import Circle, Membership
from mutua.core.codes import new_code
from mutua.governance.tally import Process, Stance


class OwnAgreement(models.Model):
    """One of the group's own agreements, in one version of the group's set (`Circle.agreements_version`
    names the version in force; the host's basic agreements come first in every version)."""

    circle = models.ForeignKey(Circle, on_delete=models.CASCADE, related_name="own_agreements")
    version = models.PositiveIntegerField()
    order = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(_("title"), max_length=120)
    text = models.TextField(_("text"), max_length=2000)

    class Meta:
        ordering = ["circle", "version", "order"]
        indexes = [models.Index(fields=["circle", "version"])]

    def __str__(self) -> str:
        return f"{self.circle_id} v{self.version} #{self.order}"


class AgreementsDraft(models.Model):
    """The group's own agreements being drafted by the first member of a forming group, before the
    group adopts them by a proposal. The drafting right ends with the adoption (P5)."""

    circle = models.OneToOneField(Circle, on_delete=models.CASCADE, related_name="agreements_draft")
    items = models.JSONField(default=list)  # [{"title": ..., "text": ...}]
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"draft of {self.circle_id}"


class ProposalKind(models.TextChoices):
    AGREEMENTS = "agreements", _("Change our agreements")
    SCHEDULE = "schedule", _("Change when we meet")
    CAPACITY = "capacity", _("Change the group's size")
    OPENNESS = "openness", _("Change how newcomers join")
    PROFESSIONAL = "professional", _("Invite a professional")
    REMOVAL = "removal", _("Ask a member to leave")
    DISSOLUTION = "dissolution", _("End the group")
    QUESTION = "question", _("Ask the group a question")


class ProcessChoice(models.TextChoices):
    CONSENT = Process.CONSENT.value, _("Consent: it passes unless someone objects")
    MAJORITY = Process.MAJORITY.value, _("Majority, with a quorum")


class ProposalStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("proposal status", "Open")
    CLOSED = "closed", pgettext_lazy("proposal status", "Closed")
    WITHDRAWN = "withdrawn", pgettext_lazy("proposal status", "Withdrawn")


class Openness(models.TextChoices):
    OPEN = "open", _("Open: newcomers join straight away")
    REVIEW = "review", _("Newcomers ask, and the group welcomes them")
    CLOSED = "closed", _("Closed to newcomers")


class Proposal(models.Model):
    code = models.CharField(max_length=16, unique=True, default=new_code, editable=False)
    circle = models.ForeignKey(Circle, on_delete=models.CASCADE, related_name="proposals")
    kind = models.CharField(max_length=16, choices=ProposalKind.choices)
    process = models.CharField(max_length=16, choices=ProcessChoice.choices, default=Process.CONSENT.value)
    title = models.CharField(_("title"), max_length=120)
    body = models.TextField(_("what and why"), max_length=4000, blank=True, default="")
    # What passes, for the owning service to apply: agreements [{"title","text"}], a schedule's
    # columns, {"max_members": n}, {"openness": ...}, {"purpose","starts","ends"} for a professional.
    payload = models.JSONField(default=dict, blank=True)
    # Who opened it, as a membership of this group (never a user: P7).
    opened_by = models.ForeignKey(
        Membership, null=True, on_delete=models.SET_NULL, related_name="proposals_opened"
    )
    # The member a removal is about: told, may answer in the thread, never votes or counts.
    subject = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="proposals_about"
    )
    status = models.CharField(max_length=16, choices=ProposalStatus.choices, default=ProposalStatus.OPEN)
    opened_at = models.DateTimeField(auto_now_add=True)
    deadline = models.DateTimeField()
    min_participation = models.FloatField(default=0.5)  # consent
    quorum = models.FloatField(default=0.5)  # majority
    closed_at = models.DateTimeField(null=True, blank=True)
    passed = models.BooleanField(null=True)
    reason = models.CharField(max_length=32, blank=True, default="")  # tally.Reason
    counts = models.JSONField(default=dict, blank=True)  # per stance, written at close only
    outcome = models.TextField(_("outcome"), max_length=2000, blank=True, default="")
    review_on = models.DateField(_("review on"), null=True, blank=True)
    applied_at = models.DateTimeField(null=True, blank=True)
    # Failed attempts to close and apply a passed proposal (an unexpected error rolled everything back);
    # the periodic task tries again and gives up after `services.APPLY_ATTEMPTS` (decision 0021).
    apply_failures = models.PositiveSmallIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["-opened_at"]
        indexes = [models.Index(fields=["status", "deadline"]), models.Index(fields=["circle", "status"])]

    def __str__(self) -> str:
        return self.code


class Voter(models.Model):
    """An eligible voter, frozen when the proposal opened (a member who joins later does not vote on
    it; one who leaves stops counting)."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="voters")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["proposal", "membership"], name="voter_unique")]

    def __str__(self) -> str:
        return f"{self.proposal_id}:{self.membership_id}"


class StanceChoice(models.TextChoices):
    AGREE = Stance.AGREE.value, _("Agree")
    ABSTAIN = Stance.ABSTAIN.value, _("Abstain")
    DISAGREE = Stance.DISAGREE.value, _("Disagree")
    OBJECT = Stance.OBJECT.value, _("Object")


class ProposalStance(models.Model):
    """A voter's own stance; it can change until the proposal closes. Nobody sees another's stance
    before the close."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="stances")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    stance = models.CharField(max_length=16, choices=StanceChoice.choices)
    reason = models.CharField(_("reason"), max_length=1000, blank=True, default="")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["proposal", "membership"], name="stance_unique")]

    def __str__(self) -> str:
        return f"{self.proposal_id}:{self.membership_id}"


class Comment(models.Model):
    """The proposal's short discussion thread (plain text, members only; the person a removal is about
    may answer here)."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="comments")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    text = models.TextField(max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.proposal_id}#{self.pk}"


class ProfessionalInvitation(models.Model):
    """A passed "invite a professional" proposal, recorded for the care capability to act on later.
    It grants no access by itself."""

    circle = models.ForeignKey(Circle, on_delete=models.CASCADE, related_name="professional_invitations")
    proposal = models.OneToOneField(Proposal, on_delete=models.CASCADE, related_name="invitation")
    purpose = models.TextField(max_length=1000)
    starts_on = models.DateField()
    ends_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"invitation {self.pk} of {self.circle_id}"


class Role(models.TextChoices):
    COORDINATOR = "coordinator", _("Coordinator (opens and closes)")
    TIMEKEEPER = "timekeeper", _("Timekeeper")
    WELCOMER = "welcomer", _("Welcomer")


class RoleVolunteer(models.Model):
    """A member who volunteers for a practical role in the rotation. A role carries no rights over
    other members."""

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="role_volunteering")
    role = models.CharField(max_length=16, choices=Role.choices)
    since = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["membership", "role"], name="role_volunteer_unique")]

    def __str__(self) -> str:
        return f"{self.membership_id}: {self.role}"


class AssignmentStatus(models.TextChoices):
    OFFERED = "offered", pgettext_lazy("role", "Offered")
    ACCEPTED = "accepted", pgettext_lazy("role", "Accepted")
    DECLINED = "declined", pgettext_lazy("role", "Declined")


class RoleAssignment(models.Model):
    """A role at one meeting (`meetings.Meeting`, the occurrence's anchor), offered in turn."""

    meeting = models.ForeignKey("meetings.Meeting", on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(max_length=16, choices=Role.choices)
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="role_assignments")
    status = models.CharField(
        max_length=16, choices=AssignmentStatus.choices, default=AssignmentStatus.OFFERED
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "role"],
                condition=~models.Q(status="declined"),
                name="role_assignment_one_live",
            )
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id}: {self.role}"


class JoinRequestDecision(models.TextChoices):
    WELCOME = "welcome", _("Welcome")
    OBJECT = "object", _("Object")


class JoinResponse(models.Model):
    """A member's answer to a join request in a group that reviews newcomers (a membership with status
    `requested`): welcome, or object with a reason. No objection by the deadline → member."""

    request = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="join_responses")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    decision = models.CharField(max_length=16, choices=JoinRequestDecision.choices)
    reason = models.CharField(max_length=1000, blank=True, default="")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["request", "membership"], name="join_response_unique")]

    def __str__(self) -> str:
        return f"{self.request_id}:{self.membership_id}"
