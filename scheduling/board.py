"""The patient flow board: each appointment of the clinic's day in the state its records show.

Nothing here is stored: the state is read from the check-in, the "in chair" time, the
session record's times, its last observation and the discharge, so the board can never
disagree with the record.
"""

import datetime
import math
from dataclasses import dataclass, field

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from scheduling.models import Appointment, Observation, SessionRecord

# A session not checked in this long after its start is shown as late.
LATE_AFTER = datetime.timedelta(minutes=10)


class FlowState(models.TextChoices):
    EXPECTED = "expected", "Expected"
    ARRIVED = "arrived", "Arrived"
    IN_CHAIR = "in_chair", "In chair"
    HELD = "held", "Dosing held"
    DOSING = "dosing", "Dosing"
    MONITORING = "monitoring", "Monitoring"
    READY = "ready", "Ready for discharge"
    DISCHARGED = "discharged", "Discharged"
    COMPLETED = "completed", "Completed"  # a follow-up visit or call
    CANCELLED = "cancelled", "Cancelled"
    NO_SHOW = "no_show", "No-show"


FINISHED = {FlowState.DISCHARGED, FlowState.COMPLETED, FlowState.CANCELLED, FlowState.NO_SHOW}

# Shown next to the state's name (never instead of it), with a pattern in the CSS, so a
# state is told apart without colour.
ICONS = {
    FlowState.EXPECTED: "○",
    FlowState.ARRIVED: "●",
    FlowState.IN_CHAIR: "■",
    FlowState.HELD: "⚠",
    FlowState.DOSING: "▶",
    FlowState.MONITORING: "◐",
    FlowState.READY: "✓",
    FlowState.DISCHARGED: "⇥",
    FlowState.COMPLETED: "✓",
    FlowState.CANCELLED: "✕",
    FlowState.NO_SHOW: "⊘",
}


def _minutes(delta):
    return math.floor(delta.total_seconds() / 60)


def _clock(when):
    return f"{timezone.localtime(when):%-I:%M %p}"


@dataclass(frozen=True)
class VitalsDue:
    """When the next set of observations is due, said in words that do not need colour."""

    at: datetime.datetime
    now: datetime.datetime

    @property
    def overdue(self):
        return self.now > self.at

    @property
    def text(self):
        minutes = _minutes(self.at - self.now) if not self.overdue else _minutes(self.now - self.at)
        if self.overdue and minutes >= 1:
            return f"Vitals overdue: due {_clock(self.at)}, {minutes} min ago"
        if minutes < 1:
            return f"Vitals due now ({_clock(self.at)})"
        return f"Next vitals {_clock(self.at)} (in {minutes} min)"


def vitals_due(record, *, last_observation_at, now):
    due = record.vitals_due_at(last_observation_at=last_observation_at) if record else None
    return VitalsDue(at=due, now=now) if due else None


def _record_of(appointment):
    try:
        return appointment.record
    except ObjectDoesNotExist:
        return None


def flow_state(appointment, record, now):
    status = appointment.status
    if status == Appointment.Status.CANCELLED:
        return FlowState.CANCELLED
    if status == Appointment.Status.NO_SHOW:
        return FlowState.NO_SHOW
    if status == Appointment.Status.BOOKED:
        return FlowState.EXPECTED
    if appointment.kind == Appointment.Kind.FOLLOW_UP:
        return FlowState.COMPLETED if status == Appointment.Status.COMPLETED else FlowState.ARRIVED
    if status == Appointment.Status.COMPLETED or (record and record.discharged_at):
        return FlowState.DISCHARGED
    if record and record.dose_started_at:
        if record.dose_ended_at is None or record.dose_ended_at > now:
            return FlowState.DOSING
        return FlowState.READY if now >= record.earliest_discharge else FlowState.MONITORING
    if record and record.dosing_held:
        return FlowState.HELD
    if appointment.seated_at or (record and record.vitals_at):
        return FlowState.IN_CHAIR
    return FlowState.ARRIVED


@dataclass
class BoardRow:
    appointment: Appointment
    record: SessionRecord | None
    state: FlowState
    details: list = field(default_factory=list)
    vitals: VitalsDue | None = None

    @property
    def icon(self):
        return ICONS[self.state]

    @property
    def label(self):
        return self.state.label

    @property
    def finished(self):
        return self.state in FINISHED

    @property
    def short_name(self):
        """First name and last initial: a wall screen may be seen from the waiting room."""
        patient = self.appointment.patient
        return (
            f"{patient.preferred_name or patient.legal_first_name} {patient.legal_last_name[:1]}."
        )

    @property
    def attention(self):
        """Someone must act: a hold to decide, vitals overdue, a patient late."""
        return self.state == FlowState.HELD or (self.vitals is not None and self.vitals.overdue)


def _details(row, now):
    appointment, record, state = row.appointment, row.record, row.state
    if state == FlowState.EXPECTED:
        if now > appointment.starts_at + LATE_AFTER:
            return [
                f"Late: not checked in, {_minutes(now - appointment.starts_at)} min after start"
            ]
        return [f"Expected at {_clock(appointment.starts_at)}"]
    if state == FlowState.CANCELLED:
        return [appointment.get_cancel_reason_display() or "Cancelled"]
    if state == FlowState.NO_SHOW:
        return ["Did not attend"]
    lines = []
    if state == FlowState.ARRIVED and appointment.checked_in_at:
        waited = _minutes(now - appointment.checked_in_at)
        lines.append(f"Checked in {_clock(appointment.checked_in_at)} ({waited} min ago)")
    if state == FlowState.IN_CHAIR:
        if appointment.seated_at:
            lines.append(f"In chair since {_clock(appointment.seated_at)}")
        if record and record.vitals_at:
            lines.append(
                f"Pre-dose BP {record.systolic}/{record.diastolic} at {_clock(record.vitals_at)}"
            )
        else:
            lines.append("Pre-dose vitals to take")
    if state == FlowState.HELD:
        if record.hold_decision == SessionRecord.HoldDecision.DO_NOT_DOSE:
            lines.append("Not dosed today: a provider's decision")
        else:
            lines.append(
                f"BP {record.hold_systolic}/{record.hold_diastolic} at "
                f"{_clock(record.hold_raised_at)}: waiting for a provider's decision"
            )
    if state == FlowState.DOSING:
        lines.append(
            f"Dose started {_clock(record.dose_started_at)} "
            f"({_minutes(now - record.dose_started_at)} min ago)"
        )
    if state in (FlowState.MONITORING, FlowState.READY):
        lines.append(f"{_minutes(now - record.dose_ended_at)} min since the dose ended")
        if state == FlowState.MONITORING:
            left = math.ceil((record.earliest_discharge - now).total_seconds() / 60)
            lines.append(
                f"Minimum monitoring: {left} min left (until {_clock(record.earliest_discharge)})"
            )
        else:
            lines.append(f"Minimum monitoring met at {_clock(record.earliest_discharge)}")
    if state == FlowState.DISCHARGED and record and record.discharged_at:
        lines.append(f"Discharged {_clock(record.discharged_at)}")
    return lines


def board_appointments(day, zone):
    """Every appointment of the day, with its record and last observation, in one query."""
    last_observation = (
        Observation.objects.filter(record__appointment=OuterRef("pk"))
        .order_by("-at")
        .values("at")[:1]
    )
    return (
        Appointment.objects.on_day(day, zone)
        .select_related("patient", "route", "room", "clinician", "record")
        .annotate(last_observation_at=Subquery(last_observation))
        .order_by("starts_at", "pk")
    )


def board_rows(day, zone, *, now=None):
    now = now or timezone.now()
    rows = []
    for appointment in board_appointments(day, zone):
        record = _record_of(appointment)
        row = BoardRow(appointment, record, flow_state(appointment, record, now))
        if row.state in (FlowState.DOSING, FlowState.MONITORING, FlowState.READY):
            row.vitals = vitals_due(
                record, last_observation_at=appointment.last_observation_at, now=now
            )
        row.details = _details(row, now)
        rows.append(row)
    return rows


def state_counts(rows):
    """(state, icon, count) for each state on the board today, in the order of the day."""
    counts = {}
    for row in rows:
        counts[row.state] = counts.get(row.state, 0) + 1
    return [(state, ICONS[state], counts[state]) for state in FlowState if state in counts]
