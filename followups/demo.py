"""Demo data for follow-ups: a response on the chart, due and overdue follow-ups, a link out."""

import datetime
from decimal import Decimal

from django.utils import timezone

from clinic.demo import register_seeder
from clinic.models import (
    Clinic,
    LinkPurpose,
    MeasureSource,
    Patient,
    PatientLink,
    Room,
    Route,
    User,
)

# (first name, room, weeks since the last session, sessions done of 6, PHQ-9 and GAD-7 scores)
DEMO_SERIES = [
    ("Ethan", "Chair 1", 1, 6, [19, 17, 15, 12, 10, 9, 8], [14, 13, 11, 9, 8, 7, 6]),
    ("Michael", "Chair 2", 3, 6, [22, 18, 16, 14, 12, 12, 11], [12, 12, 10, 10, 9, 8, 8]),
    ("Samuel", "Chair 3", 2, 3, [17, 16, 14, 13], []),
]


def _past_weekdays(last_day, count):
    """`count` weekdays ending on `last_day`, two days apart where possible, oldest first."""
    days = []
    day = last_day
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
            day -= datetime.timedelta(days=2)
        else:
            day -= datetime.timedelta(days=1)
    return sorted(days)


def _answers_for(total, code):
    """Item answers adding up to `total`; PHQ-9 item 9 (self-harm) stays at 0 in the demo."""
    size = 9 if code == "phq9" else 7
    scored = size - 1 if code == "phq9" else size
    answers = [0] * size
    for n in range(total):
        answers[n % scored] += 1
    return answers


@register_seeder
def seed_follow_ups(stdout):
    from clinic.measures import measure_record
    from followups.services import series_follow_ups_create
    from scheduling.models import Appointment, Protocol, TreatmentPlan

    provider = User.objects.filter(email="provider@demo.clinic").first()
    nurse = User.objects.filter(email="nurse@demo.clinic").first()
    protocol = Protocol.objects.filter(name="IV induction").first()
    if provider is None or nurse is None or protocol is None:
        return
    iv = Route.objects.get(code=Route.Code.IV)
    zone = Clinic.load().zone
    today = timezone.localdate()
    made = 0
    for first, room_name, weeks_ago, done, phq9, gad7 in DEMO_SERIES:
        patient = Patient.objects.filter(legal_first_name=first).first()
        room = Room.objects.filter(name=room_name).first()
        if (
            patient is None
            or room is None
            or TreatmentPlan.objects.filter(patient=patient).exists()
        ):
            continue
        patient.cleared_routes.add(iv)
        last_day = today - datetime.timedelta(weeks=weeks_ago)
        days = _past_weekdays(last_day, 6)
        plan = TreatmentPlan.objects.create(
            patient=patient,
            protocol_version=protocol.snapshot(),
            dose=Decimal("0.5"),
            dose_unit="mg/kg",
            first_day=days[0],
            status=TreatmentPlan.Status.CONFIRMED,
            ordered_by=provider,
        )
        for sequence, day in enumerate(days, start=1):
            starts = datetime.datetime.combine(day, datetime.time(8), tzinfo=zone)
            Appointment.session_of(
                route=iv,
                starts_at=starts,
                patient=patient,
                plan=plan,
                sequence=sequence,
                room=room,
                clinician=nurse,
                status=(
                    Appointment.Status.COMPLETED
                    if sequence <= done
                    else Appointment.Status.CANCELLED
                ),
                cancel_reason="" if sequence <= done else Appointment.CancelReason.PATIENT,
                booked_by=nurse,
            ).save()
        # The baseline a week before the first session, then one score before each session.
        score_days = [days[0] - datetime.timedelta(days=7), *days]
        for code, totals in (("phq9", phq9), ("gad7", gad7)):
            for day, total in zip(score_days, totals, strict=False):
                measure_record(
                    patient=patient,
                    instrument_code=code,
                    answers=_answers_for(total, code),
                    source=MeasureSource.STAFF,
                    taken_at=datetime.datetime.combine(day, datetime.time(7, 45), tzinfo=zone),
                )
        made += len(series_follow_ups_create(plan=plan))
    kwame = Patient.objects.filter(legal_first_name="Kwame").first()
    if (
        kwame
        and not PatientLink.objects.filter(
            patient=kwame, purpose=LinkPurpose.QUESTIONNAIRE
        ).exists()
    ):
        PatientLink.issue(patient=kwame, purpose=LinkPurpose.QUESTIONNAIRE, created_by=nurse)
    stdout.write(f"Follow-up demo: score histories, {made} follow-ups, a questionnaire link out.")
