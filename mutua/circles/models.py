from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from mutua.core.codes import new_code
from mutua.core.i18n import tr
from mutua.meetings.schedule import Kind, Occurrence, Rhythm, next_occurrence


class ExperienceFamily(models.Model):
    """A family of the host's taxonomy, e.g. "Addictions"."""

    slug = models.SlugField(unique=True)
    order = models.PositiveSmallIntegerField(default=0)
    name_en = models.CharField("name (en)", max_length=120)
    name_es = models.CharField("name (es)", max_length=120)
    name_it = models.CharField("name (it)", max_length=120)
    name_ca = models.CharField("name (ca)", max_length=120)

    class Meta:
        ordering = ["order", "slug"]
        verbose_name = _("experience family")
        verbose_name_plural = _("experience families")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return tr(self, "name")


class Experience(models.Model):
    """One shared experience a group is about (P1), e.g. "Alcohol" in "Addictions"."""

    family = models.ForeignKey(ExperienceFamily, on_delete=models.PROTECT, related_name="items")
    slug = models.SlugField(unique=True)
    order = models.PositiveSmallIntegerField(default=0)
    name_en = models.CharField("name (en)", max_length=120)
    name_es = models.CharField("name (es)", max_length=120)
    name_it = models.CharField("name (it)", max_length=120)
    name_ca = models.CharField("name (ca)", max_length=120)
    description_en = models.TextField("description (en)", blank=True)
    description_es = models.TextField("description (es)", blank=True)
    description_it = models.TextField("description (it)", blank=True)
    description_ca = models.TextField("description (ca)", blank=True)

    class Meta:
        ordering = ["family__order", "order", "slug"]
        verbose_name = _("experience")
        verbose_name_plural = _("experiences")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return tr(self, "name")

    @property
    def description(self) -> str:
        return tr(self, "description")


class Place(models.Model):
    """A host-managed area with coordinates; no geocoding service is ever called."""

    slug = models.SlugField(unique=True)
    name_en = models.CharField("name (en)", max_length=120)
    name_es = models.CharField("name (es)", max_length=120)
    name_it = models.CharField("name (it)", max_length=120)
    name_ca = models.CharField("name (ca)", max_length=120)
    country = models.CharField(max_length=2)
    latitude = models.FloatField(validators=[MinValueValidator(-90), MaxValueValidator(90)])
    longitude = models.FloatField(validators=[MinValueValidator(-180), MaxValueValidator(180)])
    timezone = models.CharField(max_length=64)

    class Meta:
        ordering = ["country", "name_en"]
        verbose_name = _("place")
        verbose_name_plural = _("places")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return tr(self, "name")


class BasicAgreement(models.Model):
    """The host's basic agreements every group starts from (§3.4)."""

    slug = models.SlugField(unique=True)
    order = models.PositiveSmallIntegerField(default=0)
    title_en = models.CharField("title (en)", max_length=120)
    title_es = models.CharField("title (es)", max_length=120)
    title_it = models.CharField("title (it)", max_length=120)
    title_ca = models.CharField("title (ca)", max_length=120)
    text_en = models.TextField("text (en)")
    text_es = models.TextField("text (es)")
    text_it = models.TextField("text (it)")
    text_ca = models.TextField("text (ca)")

    class Meta:
        ordering = ["order"]
        verbose_name = _("basic agreement")
        verbose_name_plural = _("basic agreements")

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return tr(self, "title")

    @property
    def text(self) -> str:
        return tr(self, "text")


class Pledge(models.Model):
    """A version of the confidentiality pledge (P7). Acceptances name the version accepted."""

    version = models.PositiveIntegerField(unique=True)
    title_en = models.CharField("title (en)", max_length=120)
    title_es = models.CharField("title (es)", max_length=120)
    title_it = models.CharField("title (it)", max_length=120)
    title_ca = models.CharField("title (ca)", max_length=120)
    text_en = models.TextField("text (en)")
    text_es = models.TextField("text (es)")
    text_it = models.TextField("text (it)")
    text_ca = models.TextField("text (ca)")

    class Meta:
        ordering = ["-version"]
        verbose_name = _("confidentiality pledge")
        verbose_name_plural = _("confidentiality pledges")

    def __str__(self) -> str:
        return f"v{self.version}"

    @property
    def title(self) -> str:
        return tr(self, "title")

    @property
    def text(self) -> str:
        return tr(self, "text")


class Mode(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    ONLINE = "online", _("Online")
    HYBRID = "hybrid", _("Hybrid")


class ScheduleKind(models.TextChoices):
    """`meetings.schedule.Kind`, with labels (a test keeps the two in step)."""

    WEEKLY = "weekly", _("Every week")
    FORTNIGHTLY = "fortnightly", _("Every two weeks")
    MONTHLY_NTH = "monthly_nth", _("Monthly, on a weekday (e.g. the second Tuesday)")
    MONTHLY_DAY = "monthly_day", _("Monthly, on a day of the month")
    RRULE = "rrule", _("A custom rule (iCalendar RRULE)")


class CircleStatus(models.TextChoices):
    FORMING = "forming", _("Forming")
    ACTIVE = "active", _("Active")


def default_min_members() -> int:
    return int(settings.MUTUA_MIN_MEMBERS)


def default_max_members() -> int:
    return int(settings.MUTUA_MAX_MEMBERS)


class CircleQuerySet(models.QuerySet["Circle"]):
    def accepting(self) -> "CircleQuerySet":
        """Groups a newcomer would join as a member now: the database form of `Circle.accepting`.
        `seats_held` is `Membership.objects.holding_seat()` denormalised by the one recount."""
        return self.filter(open=True, seats_held__lt=models.F("max_members"))


class Circle(models.Model):
    """A mutual-aid group. Called "group" everywhere in the interface."""

    code = models.CharField(max_length=16, unique=True, default=new_code, editable=False)
    name = models.CharField(_("name"), max_length=80)
    experience = models.ForeignKey(
        Experience, on_delete=models.PROTECT, related_name="circles", verbose_name=_("shared experience")
    )
    secondary_experiences = models.ManyToManyField(
        Experience, blank=True, related_name="secondary_circles", verbose_name=_("other experiences")
    )
    mode = models.CharField(_("how the group meets"), max_length=16, choices=Mode.choices)
    place = models.ForeignKey(
        Place, null=True, blank=True, on_delete=models.PROTECT, related_name="circles", verbose_name=_("area")
    )
    description = models.TextField(_("description"), max_length=2000)
    min_members = models.PositiveSmallIntegerField(default=default_min_members)
    max_members = models.PositiveSmallIntegerField(
        _("maximum size"),
        default=default_max_members,
        validators=[MinValueValidator(5), MaxValueValidator(12)],
    )
    listed = models.BooleanField(_("listed in the directory"), default=True)
    open = models.BooleanField(_("open to newcomers"), default=True)
    # An open group may choose (by proposal) to review newcomers: joining then asks the group first
    # (a membership with status `requested`). `openness` reads the two together.
    reviews_newcomers = models.BooleanField(_("newcomers ask first"), default=False)
    # Set when the group decided to end (a passed dissolution proposal): closed to newcomers, out of
    # the directory; its content follows `settings.MUTUA_DISSOLVED_RETENTION_DAYS`.
    dissolved_at = models.DateTimeField(null=True, blank=True)
    # Set when the retention job deleted a dissolved group's content (decision 0021): the row stays as a
    # stub (its code and the audit trail), without name, description, members, meetings or proposals.
    purged_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=CircleStatus.choices, default=CircleStatus.FORMING)
    # The group's meeting rhythm, in its own time zone (P3): `rhythm` turns these columns into the pure
    # `meetings.schedule.Rhythm`, which expands occurrences on demand. No kind = no schedule yet.
    timezone = models.CharField(_("time zone"), max_length=64, default="Europe/Madrid")
    schedule_kind = models.CharField(
        _("how often the group meets"), max_length=16, choices=ScheduleKind.choices, blank=True, default=""
    )
    schedule_start_date = models.DateField(_("first meeting from"), null=True, blank=True)
    schedule_start_time = models.TimeField(_("start time"), null=True, blank=True)
    schedule_duration = models.PositiveSmallIntegerField(
        _("length in minutes"), default=90, validators=[MinValueValidator(15), MaxValueValidator(480)]
    )
    schedule_weekday = models.PositiveSmallIntegerField(
        _("weekday"), null=True, blank=True, validators=[MaxValueValidator(6)], help_text="0 = Monday"
    )
    # 1–4, or -1 for the last (monthly on the n-th weekday).
    schedule_nth = models.SmallIntegerField(null=True, blank=True)
    schedule_monthday = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(31)]
    )
    schedule_rrule = models.CharField(max_length=300, blank=True, default="")
    schedule_end_date = models.DateField(_("last meeting by"), null=True, blank=True)
    agreements_version = models.PositiveIntegerField(default=1)
    agreements_adopted_at = models.DateTimeField(null=True, blank=True)
    # Denormalised count of current members, kept by the membership services; the directory
    # filters and sorts on it without a join.
    member_count = models.PositiveSmallIntegerField(default=0)
    # Denormalised count of seats held (`Membership.objects.holding_seat()`), kept by the same
    # recount; "full" and "taking newcomers" are read from it everywhere.
    seats_held = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CircleQuerySet.as_manager()

    # Set by `circles.selectors.with_next_meetings` (directory, public page): the next meeting not
    # cancelled, or None. Absent on groups read otherwise.
    next_meeting: Occurrence | None

    class Meta:
        verbose_name = _("group")
        verbose_name_plural = _("groups")
        indexes = [
            models.Index(fields=["listed", "experience"]),
            models.Index(fields=["listed", "mode"]),
            models.Index(fields=["listed", "place"]),
            models.Index(fields=["name", "id"], name="circle_name_order"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(max_members__gte=5) & models.Q(max_members__lte=12), name="circle_max_5_12"
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def languages(self) -> list[str]:
        return [cl.language for cl in self.language_rows.all()]

    @property
    def rhythm(self) -> Rhythm | None:
        """The group's schedule as the pure `Rhythm`, or None while it has none (one place)."""
        if not self.schedule_kind or self.schedule_start_date is None or self.schedule_start_time is None:
            return None
        return Rhythm(
            kind=Kind(self.schedule_kind),
            start_date=self.schedule_start_date,
            start_time=self.schedule_start_time,
            duration_minutes=self.schedule_duration,
            tz=self.timezone,
            weekday=self.schedule_weekday,
            nth=self.schedule_nth,
            monthday=self.schedule_monthday,
            rrule=self.schedule_rrule,
            end_date=self.schedule_end_date,
        )

    @property
    def has_schedule(self) -> bool:
        return self.rhythm is not None

    @property
    def weekly_slot(self) -> tuple[int, int] | None:
        """The local weekday (0 = Monday) and hour matching reads for this group: the rhythm's weekday
        and start hour, or for rhythms without one (a day of the month, a custom rule) those of the
        next meeting. None without a schedule or when no meeting is ahead."""
        rhythm = self.rhythm
        if rhythm is None:
            return None
        if rhythm.weekday is not None and rhythm.kind != Kind.RRULE:
            return rhythm.weekday, rhythm.start_time.hour
        upcoming = next_occurrence(rhythm, timezone.now())
        if upcoming is None:
            return None
        local = upcoming.key.astimezone(ZoneInfo(rhythm.tz))
        return local.weekday(), local.hour

    @property
    def openness(self) -> str:
        """ "open", "review" or "closed" (`governance.models.Openness`)."""
        if not self.open or self.dissolved_at is not None:
            return "closed"
        return "review" if self.reviews_newcomers else "open"

    @property
    def free_seats(self) -> int:
        """Seats nobody holds (`Membership.objects.holding_seat()`, denormalised in `seats_held`)."""
        return max(0, self.max_members - self.seats_held)

    @property
    def is_full(self) -> bool:
        """Every seat is held (by a member or by an open seat offer): a newcomer would wait."""
        return self.free_seats == 0

    @property
    def accepting(self) -> bool:
        """A newcomer would join as a member now; `Circle.objects.accepting()` is the same rule in SQL."""
        return self.open and not self.is_full

    @property
    def size_band(self) -> str:
        """What a newcomer needs to know about size, without an exact head count."""
        if self.member_count < self.min_members:
            return str(pgettext_lazy("size band", "Fewer than %(n)s people") % {"n": self.min_members})
        if self.member_count <= 7:
            return str(pgettext_lazy("size band", "5–7 people"))
        return str(pgettext_lazy("size band", "8–12 people"))


class CircleLanguage(models.Model):
    circle = models.ForeignKey(Circle, on_delete=models.CASCADE, related_name="language_rows")
    language = models.CharField(max_length=8)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["circle", "language"], name="circle_language_unique")]
        indexes = [models.Index(fields=["language", "circle"])]

    def __str__(self) -> str:
        return self.language


class CircleSlot(models.Model):
    """When a group's meetings start, for the directory's day and time filters (decision 0019): one row
    per minute of the week on the group's own clock (0 = Monday 00:00 in its zone), with the zone and
    the last day of the schedule copied here so a search reads this table alone. Written only by
    `circles.services.circle_slots_refresh`, from the rhythm (`circles.meeting_times.rhythm_slots`)."""

    circle = models.ForeignKey(Circle, on_delete=models.CASCADE, related_name="slots")
    timezone = models.CharField(max_length=64)
    minute_of_week = models.PositiveSmallIntegerField(validators=[MaxValueValidator(7 * 24 * 60 - 1)])
    until = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["circle", "minute_of_week"], name="circle_slot_unique"),
        ]
        indexes = [
            # Covering: a search reads the index alone (zone, minute, the group, and whether it has ended).
            models.Index(fields=["timezone", "minute_of_week", "circle", "until"], name="circle_slot_lookup")
        ]

    def __str__(self) -> str:
        return f"{self.circle_id}@{self.timezone}+{self.minute_of_week}"


class MembershipStatus(models.TextChoices):
    MEMBER = "member", _("Member")
    WAITING = "waiting", _("On the waiting list")
    OFFERED = "offered", _("Seat offered")
    # Asked to join a group that reviews newcomers; the members welcome or object (governance).
    REQUESTED = "requested", _("Asked to join")
    LEFT = "left", _("Left")


# A live relation to a group: the person is in it or in its queue. One definition for the gate,
# the services, the selectors and the templates (`Membership.is_live`).
LIVE_STATUSES = (
    MembershipStatus.MEMBER,
    MembershipStatus.WAITING,
    MembershipStatus.OFFERED,
    MembershipStatus.REQUESTED,
)
# Holding a seat: members, and people offered a seat (decision 0008).
SEAT_STATUSES = (MembershipStatus.MEMBER, MembershipStatus.OFFERED)
# In the queue: live but not (yet) a member.
QUEUED_STATUSES = (MembershipStatus.WAITING, MembershipStatus.OFFERED)


class RequestOutcome(models.TextChoices):
    """How a join request ended. The requester sees only "welcomed" or "not this time" (decision 0021)."""

    ADMITTED = "admitted", _("Welcomed")
    CLOSED = "closed", _("Not this time")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class MembershipQuerySet(models.QuerySet["Membership"]):
    def live(self) -> "MembershipQuerySet":
        return self.filter(status__in=LIVE_STATUSES)

    def holding_seat(self) -> "MembershipQuerySet":
        """Memberships that hold a seat: members, and people offered a seat.

        An offer past its deadline still counts. The next write on the group sends that person to
        the back of the queue and offers the seat to whoever is then first (the same person when
        nobody else waits), so a newcomer never gets it; counting it keeps the directory, "full"
        and join in agreement."""
        return self.filter(status__in=SEAT_STATUSES)


class Membership(models.Model):
    """One person's relation to one group. Only services in `circles.services` write it, and only
    for the person themself (P2)."""

    circle = models.ForeignKey(Circle, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    status = models.CharField(max_length=16, choices=MembershipStatus.choices)
    pseudonym = models.CharField(_("pseudonym"), max_length=40)
    # The pseudonym's confusables skeleton (`circles.pseudonyms.pseudonym_key`): two live
    # memberships of a group never share one, so "Sam", "sam" and Cyrillic "Ѕаm" cannot coexist.
    pseudonym_key = models.CharField(max_length=255, default="", editable=False)
    # Set when the group was formed with a placeholder because the chosen pseudonym clashed.
    must_choose_pseudonym = models.BooleanField(default=False)
    joined_at = models.DateTimeField(null=True, blank=True)
    waiting_since = models.DateTimeField(null=True, blank=True)
    offer_expires_at = models.DateTimeField(null=True, blank=True)
    left_at = models.DateTimeField(null=True, blank=True)
    # Set when the group's removal proposal passed (the only way a membership ends without its person,
    # P2): the person cannot join this group again by themself (decision 0021).
    removed_at = models.DateTimeField(null=True, blank=True, editable=False)
    # A join request (status `requested`): the newcomer's optional short message to the group, and
    # the day the members' time to answer ends.
    request_message = models.CharField(max_length=500, blank=True, default="")
    request_deadline = models.DateTimeField(null=True, blank=True)
    # The request's public reference (members answer it at /groups/<code>/requests/, the API at
    # .../requests/{ref}), and how it ended, for the requester's neutral status (`circles.join_requests`).
    request_ref = models.CharField(max_length=16, blank=True, default="", editable=False)
    request_outcome = models.CharField(
        max_length=16, blank=True, default="", choices=RequestOutcome.choices, editable=False
    )
    # When the member went past the group's welcome step ("Continue to the group"); until then the
    # group's home sends them there, whichever way they became a member.
    welcomed_at = models.DateTimeField(null=True, blank=True)
    agreements_version = models.PositiveIntegerField(default=0)
    pledge_version = models.PositiveIntegerField(default=0)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["circle", "user"], name="membership_unique"),
            models.UniqueConstraint(
                fields=["circle", "pseudonym_key"],
                # Rows written outside the services (bulk loads in bench/) have no key yet.
                condition=models.Q(status__in=LIVE_STATUSES) & ~models.Q(pseudonym_key=""),
                name="membership_pseudonym_live_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "status"]),
            models.Index(fields=["circle", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.pseudonym} ({self.status})"

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_STATUSES

    @property
    def is_queued(self) -> bool:
        """On the waiting list or offered a seat: in the group's queue, not yet a member."""
        return self.status in QUEUED_STATUSES


class PledgeAcceptance(models.Model):
    """Evidence of consent: who accepted which agreements and pledge version, and when (P7)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pledges")
    circle = models.ForeignKey(Circle, on_delete=models.CASCADE, related_name="pledge_acceptances")
    pledge_version = models.PositiveIntegerField()
    agreements_version = models.PositiveIntegerField()
    # When the person accepted: for a group formed by matching, when they accepted the proposal.
    accepted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-accepted_at"]

    def __str__(self) -> str:
        return f"pledge v{self.pledge_version} / agreements v{self.agreements_version}"
