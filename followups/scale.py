"""Scale data for follow-ups: reviews and calls after each series, scores, questionnaire links.

Registered with `clinic.scale` in FollowupsConfig.ready(); runs after scheduling's
seeder and books follow-up visits and calls on the timetable it left behind.
"""

import datetime

from clinic.models import LinkPurpose, MeasureSource, OutcomeMeasure, PatientLink, SafetyFlag
from clinic.models.links import hash_token
from clinic.scale import BulkWriter, IdAllocator, answers_for
from followups.models import REMOTE_KINDS, FollowUp, FollowUpKind, ReminderPreference
from scheduling.models import Appointment, ProtocolVersion, TreatmentPlan
from scheduling.scale import seeder_keeps_capacity

LINK_DAYS = 14
SELF_HARM_SHARE = 0.01
OPTED_OUT_SHARE = 0.03
# Sessions of a series before which the nurse enters both questionnaires.
SCORED_SESSIONS = {1, 3, 6, 9, 12}
BOOKED_STATE = {"status": Appointment.Status.BOOKED, "cancel_reason": ""}
OPEN_STATE = {"appointment_id": None, "completed_at": None, "cancelled_at": None}
UNREVOKED = {"revoked_at": None, "last_opened_at": None}


def seed_scale(context):
    with seeder_keeps_capacity():  # follow-up calls are placed one at a time per clinician
        _seed(context)


def _seed(context):
    rng = context.rng("followups")
    writer = BulkWriter(context)
    ids = IdAllocator(context.batch_size)
    timetable = context.shared["timetable"]
    series_list = context.shared["series"]
    versions = {v.pk: v for v in ProtocolVersion.objects.all()}
    plans = dict(TreatmentPlan.objects.values_list("pk", "protocol_version_id"))
    journeys = {j.patient_id: j for j in context.journeys}
    made = {"follow-ups": 0, "overdue": 0, "missed": 0, "due": 0}
    for series in series_list:
        journey = journeys[series.patient_id]
        _scores(context, rng, writer, ids, series, journey)
        if series.ended_on is None:
            continue
        version = versions[plans[series.plan_id]]
        window = datetime.timedelta(days=max(version.follow_up_window_days, 1) - 1)
        for item in version.follow_ups:
            due_from = series.ended_on + datetime.timedelta(weeks=item["weeks"])
            if due_from > context.last_day:
                continue
            state = _follow_up(
                context, rng, writer, ids, timetable, series, journey, item["kind"], due_from,
                due_from + window, created=context.at(series.ended_on, 18),
            )  # fmt: skip
            made["follow-ups"] += 1
            if state:
                made[state] += 1
        for due_from in _check_in_days(series, context):
            # Added by hand: a video check-in every three months or so of boosters.
            state = _follow_up(
                context, rng, writer, ids, timetable, series, journey, FollowUpKind.VIDEO,
                due_from, due_from + window, created=context.at(due_from, 11)
                - datetime.timedelta(days=14), by_hand=True,
            )  # fmt: skip
            made["follow-ups"] += 1
            if state:
                made[state] += 1
    _outstanding_links(context, rng, writer, ids, series_list)
    _preferences(context, rng, writer)
    writer.close()
    context.progress(
        f"Follow-ups: {made['follow-ups']:,} ({made['overdue']} overdue, {made['missed']} missed, "
        f"{made['due']} due and not booked)"
    )


def _check_in_days(series, context):
    boosters = [start for start, _ in series.completed[series.induction_done :]]
    if len(boosters) < 3:
        return []
    first = boosters[0].astimezone(context.zone).date() + datetime.timedelta(days=60)
    last = boosters[-1].astimezone(context.zone).date()
    days = []
    while first < last:
        days.append(first)
        first += datetime.timedelta(days=90)
    return days


def _follow_up(
    context,
    rng,
    writer,
    ids,
    timetable,
    series,
    journey,
    kind,
    due_from,
    due_by,
    *,
    created,
    by_hand=False,
):
    """One follow-up and, most of the time, its booked visit or call. Returns a worklist state."""
    today, frontdesk = context.today, context.staff_ids.get("frontdesk")
    created = min(created, context.now)
    follow_up = FollowUp(
        pk=ids.next(FollowUp),
        patient_id=series.patient_id,
        plan_id=None if by_hand else series.plan_id,
        created_by_id=frontdesk if by_hand else None,
        kind=kind,
        due_from=due_from,
        due_by=due_by,
        provider_id=series.provider_id,
        created_at=created,
    )
    history = [(created, None, "+", OPEN_STATE)]
    roll = rng.random()
    recent = due_by >= today - datetime.timedelta(days=30)
    state = None
    if due_by < today and not recent and roll < 0.06:
        # Declined, or done on an unbooked call.
        when = context.at(due_by, 17)
        if roll < 0.03:
            follow_up.cancelled_at, follow_up.note = when, "Patient declined: doing well."
        else:
            follow_up.completed_at, follow_up.note = when, "Called: doing well."
        history.append((when, frontdesk, "~", {}))
        writer.add(follow_up, history=history)
        return None
    if due_by < today and recent and roll < 0.15:
        writer.add(follow_up, history=history)
        return "overdue"
    if due_from <= today + datetime.timedelta(days=6) and due_by >= today and roll < 0.5:
        writer.add(follow_up, history=history)
        return "due"
    not_before = max(due_from + datetime.timedelta(days=rng.randrange(3)), today)
    if due_from < today:
        not_before = due_from + datetime.timedelta(days=rng.randrange(3))
    minutes = {FollowUpKind.PHONE: 15, FollowUpKind.VIDEO: 20}.get(kind, 30)
    if kind in REMOTE_KINDS:
        booking = timetable.call(
            patient_id=series.patient_id, minutes=minutes, not_before=not_before
        )
    else:
        booking = timetable.visit(
            patient_id=series.patient_id, route=series.route, not_before=not_before
        )
    if booking is None:
        if not recent:
            # Nobody found a time in the window; staff closed it when they noticed.
            follow_up.cancelled_at = context.at(due_by, 17)
            follow_up.note = "Could not be booked in its window; the patient was called instead."
            history.append((follow_up.cancelled_at, frontdesk, "~", {}))
        writer.add(follow_up, history=history)
        return "overdue" if recent and due_by < today else None
    booked_at = min(created + datetime.timedelta(days=rng.randrange(1, 6)), context.now)
    booked_at = min(booked_at, booking.starts_at - datetime.timedelta(hours=1))
    appointment = Appointment(
        pk=ids.next(Appointment),
        patient_id=series.patient_id,
        route_id=series.route,
        kind=Appointment.Kind.FOLLOW_UP,
        room_id=booking.room_id,
        clinician_id=booking.clinician_id,
        starts_at=booking.starts_at,
        ends_at=booking.ends_at,
        chair_until=booking.ends_at,
        preparation_minutes=0,
        administration_minutes=minutes,
        monitoring_minutes=0,
        booked_by_id=frontdesk,
        created_at=booked_at,
    )
    appointment_history = [(booked_at, frontdesk, "+", BOOKED_STATE)]
    follow_up.appointment_id = appointment.pk
    history.append((booked_at, frontdesk, "~", {"completed_at": None, "cancelled_at": None}))
    if booking.ends_at <= context.now:
        if rng.random() < 0.05 + (0.05 if recent else 0):
            appointment.status = Appointment.Status.NO_SHOW
            appointment.cancel_reason = Appointment.CancelReason.NO_SHOW
            appointment_history.append((booking.ends_at, frontdesk, "~", {}))
            if recent:
                state = "missed"
            else:
                follow_up.cancelled_at = context.at(due_by, 17)
                follow_up.note = "Did not come; tried to call twice."
                history.append((follow_up.cancelled_at, frontdesk, "~", {}))
        else:
            appointment.status = Appointment.Status.COMPLETED
            follow_up.completed_at = booking.ends_at
            appointment_history.append((booking.ends_at, booking.clinician_id, "~", {}))
            history.append((booking.ends_at, booking.clinician_id, "~", {}))
            if kind not in REMOTE_KINDS:
                _pair(context, rng, writer, ids, series, journey, 1.0, booking.starts_at)
    writer.add(appointment, history=appointment_history)
    writer.add(follow_up, history=history)
    return state


def _level(journey, progress, rng, baseline, scale=1.0):
    drop = journey.response * scale * min(1.0, progress)
    return max(0, round(baseline * (1 - drop) + rng.gauss(0, 1.5)))


def _pair(
    context,
    rng,
    writer,
    ids,
    series,
    journey,
    progress,
    taken_at,
    source=MeasureSource.STAFF,
    with_gad7=True,
):
    """PHQ-9 (and GAD-7) on the patient's trajectory: `progress` runs 0..1 over the series."""
    self_harm = 1 if rng.random() < SELF_HARM_SHARE else 0
    phq9 = _level(journey, progress, rng, journey.baseline_phq9)
    measures = [
        ("phq9", answers_for(rng, max(phq9, self_harm), items=9, scored=8, self_harm=self_harm))
    ]
    if with_gad7:
        gad7 = _level(journey, progress, rng, journey.baseline_gad7, scale=0.8)
        measures.append(("gad7", answers_for(rng, min(gad7, 21), items=7)))
    for code, answers in measures:
        measure = OutcomeMeasure.scored(
            patient=context.patients[series.patient_id],
            instrument_code=code,
            answers=answers,
            difficulty=rng.randrange(4),
            source=source,
            taken_at=taken_at,
        )
        measure.pk = ids.next(OutcomeMeasure)
        writer.add(measure, history=[(taken_at, None, "+", {})])
    if self_harm:
        flag = SafetyFlag(
            patient_id=series.patient_id,
            reason="PHQ-9 question 9 answered above 0 (thoughts of self-harm)",
            source=source,
            raised_at=taken_at,
        )
        history = [(taken_at, None, "+", {"acknowledged_by_id": None, "acknowledged_at": None})]
        if taken_at < context.now - datetime.timedelta(hours=6):
            flag.acknowledged_by_id = series.provider_id
            flag.acknowledged_at = taken_at + datetime.timedelta(hours=2)
            flag.acknowledgement_note = "Called the patient; safety plan reviewed."
            history.append((flag.acknowledged_at, series.provider_id, "~", {}))
        writer.add(flag, history=history)


def _scores(context, rng, writer, ids, series, journey):
    """Both questionnaires before scored series sessions, the PHQ-9 by link before boosters."""
    count = 12 if series.route == "intranasal" else 6
    in_series = 0
    for number, (starts_at, _appointment_id) in enumerate(series.completed, start=1):
        if number <= series.induction_done:
            in_series = number
            if number in SCORED_SESSIONS:
                taken = starts_at - datetime.timedelta(minutes=20)
                _pair(context, rng, writer, ids, series, journey, (number - 1) / count, taken)
            continue
        # A booster: the PHQ-9 link goes out two days before and is answered the day before.
        sent = starts_at - datetime.timedelta(days=2, hours=rng.randrange(6))
        answered = starts_at - datetime.timedelta(hours=rng.randrange(14, 30))
        link = PatientLink(
            pk=ids.next(PatientLink),
            patient_id=series.patient_id,
            purpose=LinkPurpose.QUESTIONNAIRE,
            token_hash=hash_token(
                f"scale-questionnaire-{context.seed}-{series.patient_id}-{number}"
            ),
            created_at=sent,
            expires_at=sent + datetime.timedelta(days=LINK_DAYS),
            last_opened_at=answered,
            revoked_at=answered,
        )
        writer.add(link, history=[(sent, None, "+", UNREVOKED), (answered, None, "~", {})])
        _pair(
            context,
            rng,
            writer,
            ids,
            series,
            journey,
            max(1.0, in_series / count),
            answered,
            MeasureSource.PATIENT_LINK,
            with_gad7=rng.random() < 0.3,
        )


def _outstanding_links(context, rng, writer, ids, series_list):
    """Questionnaire links sent and not answered yet, some of them already expired."""
    made = 0
    for series in series_list:
        if not (series.active or series.ended_on) or rng.random() > 0.04:
            continue
        if series.ended_on and series.ended_on < context.today - datetime.timedelta(days=90):
            continue
        sent = context.now - datetime.timedelta(hours=rng.randrange(2, 24 * 20))
        link = PatientLink(
            pk=ids.next(PatientLink),
            patient_id=series.patient_id,
            purpose=LinkPurpose.QUESTIONNAIRE,
            token_hash=hash_token(f"scale-questionnaire-{context.seed}-{series.patient_id}-open"),
            created_at=sent,
            expires_at=sent + datetime.timedelta(days=LINK_DAYS),
        )
        writer.add(link, history=[(sent, None, "+", {})])
        made += 1
    context.progress(f"Questionnaire links not answered yet: {made:,}")


def _preferences(context, rng, writer):
    for journey in context.journeys:
        if journey.start_on and rng.random() < OPTED_OUT_SHARE:
            when = context.at(min(journey.start_on, context.today), 12)
            preference = ReminderPreference(
                patient_id=journey.patient_id, email_reminders=False, changed_by_patient=True
            )
            preference.changed_at = min(when, context.now)
            writer.add(preference, history=[(preference.changed_at, None, "+", {})])
