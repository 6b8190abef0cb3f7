import datetime
import itertools

from django.core.exceptions import ValidationError
from django.db import models, transaction
from simple_history.models import HistoricalRecords

from clinic.models import Route


def validate_phases(value):
    if not isinstance(value, list) or not value:
        raise ValidationError(
            'Give at least one phase, e.g. [{"weeks": 2, "per_week": 3}].', code="no_phases"
        )
    for phase in value:
        if (
            not isinstance(phase, dict)
            or set(phase) != {"weeks", "per_week"}
            or not all(isinstance(phase[key], int) and 0 < phase[key] <= 14 for key in phase)
        ):
            raise ValidationError(
                'Each phase is {"weeks": N, "per_week": N} with whole numbers from 1 to 14.',
                code="bad_phase",
            )


def series_summary(session_count, phases):
    """A series in words: "6 sessions: 3/week for 2 weeks"."""
    parts = [f"{p['per_week']}/week for {p['weeks']} weeks" for p in phases]
    return f"{session_count} sessions: " + ", then ".join(parts)


FOLLOW_UP_KINDS = ["post_series", "booster", "phone", "video", "in_person"]


def default_follow_ups():
    return [{"weeks": 1, "kind": "post_series"}, {"weeks": 4, "kind": "phone"}]


def validate_follow_ups(value):
    if not isinstance(value, list) or any(
        not isinstance(item, dict)
        or set(item) != {"weeks", "kind"}
        or not isinstance(item["weeks"], int)
        or not 0 < item["weeks"] <= 52
        or item["kind"] not in FOLLOW_UP_KINDS
        for item in value
    ):
        raise ValidationError(
            'Each follow-up is {"weeks": N, "kind": K}: N from 1 to 52 weeks after the last '
            f"session, K one of {', '.join(FOLLOW_UP_KINDS)}.",
            code="bad_follow_up",
        )


VERSIONED_FOLLOW_UP_FIELDS = [
    "follow_ups",
    "follow_up_window_days",
    "questionnaire_before_session",
    "questionnaire_every_days",
]


class Protocol(models.Model):
    """A series of sessions for one route, as the clinic currently defines it.

    Clinic admins edit this row. A plan never points here directly: it points at
    the ProtocolVersion snapshot taken when it was made, so edits leave plans alone.
    """

    name = models.CharField(max_length=100, unique=True)
    route = models.ForeignKey(Route, on_delete=models.PROTECT, related_name="protocols")
    session_count = models.PositiveSmallIntegerField(help_text="Sessions in the series.")
    minimum_hours_between = models.PositiveSmallIntegerField(
        default=24, help_text="Minimum hours from the start of one session to the next."
    )
    phases = models.JSONField(
        validators=[validate_phases],
        help_text='Sessions per week, phase by phase, e.g. [{"weeks": 4, "per_week": 2}, '
        '{"weeks": 4, "per_week": 1}]. After the last phase its rate continues.',
    )
    description = models.TextField(blank=True)
    active = models.BooleanField(default=True)
    follow_ups = models.JSONField(
        default=default_follow_ups,
        blank=True,
        validators=[validate_follow_ups],
        help_text='Follow-ups created when the series ends, e.g. [{"weeks": 1, "kind": '
        '"post_series"}, {"weeks": 4, "kind": "phone"}]. Kinds: ' + ", ".join(FOLLOW_UP_KINDS),
    )
    follow_up_window_days = models.PositiveSmallIntegerField(
        default=7, help_text="Days each follow-up may be done in, from its due day."
    )
    questionnaire_before_session = models.BooleanField(
        default=True, help_text="Email the PHQ-9 and GAD-7 link two days before each session."
    )
    questionnaire_every_days = models.PositiveSmallIntegerField(
        default=14, help_text="Email the questionnaire link when the last PHQ-9 is this old."
    )
    rebook_within_days = models.PositiveSmallIntegerField(
        default=14,
        help_text="When every remaining session of a series is cancelled and none is rebooked "
        "within this many days of the last one, the series is closed.",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["route", "name"]

    def __str__(self):
        return self.name

    @property
    def summary(self):
        return series_summary(self.session_count, self.phases)

    def clean(self):
        # An emptied box arrives as None, which the validators skip and the column refuses.
        if self.follow_ups is None:
            raise ValidationError(
                {
                    "follow_ups": ValidationError(
                        'Write the follow-ups as a list, e.g. [{"weeks": 4, "kind": "phone"}], '
                        "or [] for none.",
                        code="no_follow_ups",
                    )
                }
            )

    @property
    def definition(self):
        """What a version copies: the fields that shape a plan made from this protocol."""
        names = [
            "session_count",
            "minimum_hours_between",
            "phases",
            "rebook_within_days",
            *VERSIONED_FOLLOW_UP_FIELDS,
        ]
        return {name: getattr(self, name) for name in names}

    def current_version(self):
        """The latest version, if it still matches the definition; None after an edit."""
        latest = self.versions.order_by("-number").first()
        if latest and all(getattr(latest, key) == value for key, value in self.definition.items()):
            return latest
        return None

    def snapshot(self):
        """The version a new plan points at: the current one, saved first if the definition changed.

        The protocol row is locked, so two plans ordered at once share one new version.
        """
        with transaction.atomic():
            Protocol.objects.select_for_update().filter(pk=self.pk).first()
            current = self.current_version()
            if current is not None:
                return current
            last = self.versions.aggregate(last=models.Max("number"))["last"] or 0
            return ProtocolVersion.objects.create(
                protocol=self,
                number=last + 1,
                route_id=self.route_id,
                name=self.name,
                **self.definition,
            )


class ProtocolVersion(models.Model):
    """An immutable snapshot of a protocol; treatment plans point at one."""

    protocol = models.ForeignKey(Protocol, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=100)
    route = models.ForeignKey(Route, on_delete=models.PROTECT, related_name="+")
    session_count = models.PositiveSmallIntegerField()
    minimum_hours_between = models.PositiveSmallIntegerField()
    phases = models.JSONField()
    follow_ups = models.JSONField(default=default_follow_ups)
    follow_up_window_days = models.PositiveSmallIntegerField(default=7)
    questionnaire_before_session = models.BooleanField(default=True)
    questionnaire_every_days = models.PositiveSmallIntegerField(default=14)
    rebook_within_days = models.PositiveSmallIntegerField(default=14)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["protocol", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["protocol", "number"], name="protocol_version_number_unique"
            )
        ]

    def __str__(self):
        return f"{self.name} (version {self.number})"

    @property
    def minimum_gap(self):
        """The least time from the start of one session to the start of the next."""
        return datetime.timedelta(hours=self.minimum_hours_between)

    @staticmethod
    def week_of(day, *, first_day):
        """The week of the series (0-based) a day falls in, counted from the plan's first day."""
        return (day - first_day).days // 7

    def per_week_in(self, week_index):
        """How many sessions the protocol allows in the given week of the series (0-based)."""
        week = 0
        for phase in self.phases:
            week += phase["weeks"]
            if week_index < week:
                return phase["per_week"]
        return self.phases[-1]["per_week"]

    @property
    def weeks_needed(self):
        """The fewest weeks that hold every session at the protocol's weekly rates."""
        weeks = placed = 0
        while placed < self.session_count:
            placed += max(self.per_week_in(weeks), 1)
            weeks += 1
        return weeks

    def spacing_problems(self, sessions, *, first_day, zone):
        """How (sequence, starts_at) pairs break the spacing, in words; empty if they keep it.

        Weeks are counted from the plan's first day, on the clinic's calendar (`zone`), as the
        planner counts them; a week before the first day allows what the first week allows.
        """
        ordered = sorted(sessions, key=lambda pair: pair[1])
        problems = []
        for (earlier, earlier_start), (later, later_start) in itertools.pairwise(ordered):
            if later_start - earlier_start < self.minimum_gap:
                problems.append(
                    f"Sessions {earlier} and {later} are less than "
                    f"{self.minimum_hours_between} hours apart."
                )
        by_week = {}
        for sequence, starts_at in ordered:
            week = self.week_of(starts_at.astimezone(zone).date(), first_day=first_day)
            by_week.setdefault(week, []).append(sequence)
        for week, sequences in sorted(by_week.items()):
            allowed = self.per_week_in(max(week, 0))
            if len(sequences) > allowed:
                numbers = ", ".join(str(s) for s in sequences)
                problems.append(
                    f"Sessions {numbers} fall in week {week + 1} of the series, "
                    f"which allows {allowed} a week."
                )
        return problems

    @property
    def summary(self):
        return series_summary(self.session_count, self.phases)
