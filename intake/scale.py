"""Scale data for intake: links, forms under way, forms waiting for review, decisions.

Registered with `clinic.scale` in IntakeConfig.ready(); follows each patient's
journey decided by the core (clinic.scale.Stage).
"""

import datetime

from clinic.models import (
    LinkPurpose,
    MeasureSource,
    OutcomeMeasure,
    PatientLink,
    PatientStatus,
    SafetyFlag,
)
from clinic.models.links import hash_token
from clinic.scale import BulkWriter, IdAllocator, Stage, answers_for
from intake.demo import _answers
from intake.models import ConsentDocument, ConsentSignature, Decision, Intake, IntakeStatus
from intake.summary import summarize

LINK_DAYS = 14
SELF_HARM_SHARE = 0.03
DECIDED = {
    Stage.NOT_ELIGIBLE: (IntakeStatus.NOT_ELIGIBLE, Decision.NOT_ELIGIBLE),
    Stage.CLEARED: (IntakeStatus.CLEARED, Decision.CLEARED),
    Stage.TREATED: (IntakeStatus.CLEARED, Decision.CLEARED),
}
UNDECIDED = {"decision": "", "decided_by_id": None, "decided_at": None, "decision_reason": ""}
IN_PROGRESS = {
    **UNDECIDED,
    "status": IntakeStatus.IN_PROGRESS,
    "submitted_at": None,
    "phq9_id": None,
    "gad7_id": None,
}


def seed_scale(context):
    rng = context.rng("intake")
    writer = BulkWriter(context)
    ids = IdAllocator(context.batch_size)
    document = ConsentDocument.objects.current()
    frontdesk = context.staff_ids.get("frontdesk")
    counts = dict.fromkeys(IntakeStatus.values, 0)
    for journey in context.journeys:
        patient = context.patients[journey.patient_id]
        if journey.stage == Stage.REFERRED and rng.random() > 0.6:
            continue  # not sent a link yet
        sent = context.at(journey.referred_on, 9) + datetime.timedelta(minutes=rng.randrange(480))
        sent = min(sent, context.now - datetime.timedelta(minutes=5))
        link = PatientLink(
            pk=ids.next(PatientLink),
            patient_id=patient.pk,
            purpose=LinkPurpose.INTAKE,
            token_hash=hash_token(f"scale-intake-{context.seed}-{patient.pk}"),
            created_at=sent,
            created_by_id=frontdesk,
            expires_at=sent + datetime.timedelta(days=LINK_DAYS),
        )
        link_history = [(sent, frontdesk, "+", {"revoked_at": None, "last_opened_at": None})]
        if journey.stage == Stage.REFERRED:
            writer.add(link, history=link_history)
            continue
        started = min(sent + datetime.timedelta(hours=rng.randrange(1, 72)), context.now)
        link.last_opened_at = started
        link_history.append((started, None, "~", {"revoked_at": None}))
        complete = journey.stage != Stage.INTAKE
        self_harm = 1 if complete and rng.random() < SELF_HARM_SHARE else 0
        phq9 = answers_for(rng, journey.baseline_phq9, items=9, scored=8, self_harm=self_harm)
        gad7 = answers_for(rng, journey.baseline_gad7, items=7)
        intake = Intake(
            pk=ids.next(Intake),
            patient_id=patient.pk,
            answers=_answers(patient, phq9=phq9, gad7=gad7, complete=complete),
            started_at=started,
            updated_at=started,
        )
        history = [(started, None, "+", IN_PROGRESS)]
        if not complete:
            if rng.random() < 0.5:
                del intake.answers["contacts"]
            counts[intake.status] += 1
            writer.add(link, history=link_history)
            writer.add(intake, history=history)
            continue
        submitted = min(started + datetime.timedelta(hours=rng.randrange(1, 96)), context.now)
        intake.status = IntakeStatus.SUBMITTED
        intake.submitted_at = intake.updated_at = submitted
        intake.screening_flags = summarize(intake.answers).contraindications
        history.append((submitted, None, "~", UNDECIDED))
        link.revoked_at = submitted
        link_history.append((submitted, None, "~", {}))
        for code, answers in (("phq9", phq9), ("gad7", gad7)):
            measure = OutcomeMeasure.scored(
                patient=patient,
                instrument_code=code,
                answers=answers,
                difficulty=rng.randrange(4),
                source=MeasureSource.INTAKE,
                taken_at=submitted,
            )
            measure.pk = ids.next(OutcomeMeasure)
            setattr(intake, f"{code}_id", measure.pk)
            writer.add(measure, history=[(submitted, None, "+", {})])
        signature = ConsentSignature(
            intake_id=intake.pk,
            document_id=document.pk,
            signed_name=patient.legal_name,
            signed_at=submitted - datetime.timedelta(minutes=2),
            user_agent="Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X)",
        )
        writer.add(signature, history=[(signature.signed_at, None, "+", {})])
        patient_history = [(submitted, None, "~", {"status": PatientStatus.UNDER_REVIEW})]
        if self_harm:
            _flag(context, rng, writer, journey, patient.pk, submitted)
        if journey.stage in DECIDED:
            status, decision = DECIDED[journey.stage]
            provider = context.provider_ids[rng.randrange(len(context.provider_ids))]
            decided = submitted + datetime.timedelta(hours=rng.randrange(4, 96))
            if journey.start_on:
                latest = context.at(journey.start_on, 8) - datetime.timedelta(days=2)
                decided = min(decided, max(latest, submitted + datetime.timedelta(hours=1)))
            decided = min(decided, context.now)
            intake.status, intake.decision = status, decision
            intake.decided_by_id, intake.decided_at = provider, decided
            intake.updated_at = decided
            if decision == Decision.NOT_ELIGIBLE:
                intake.decision_reason = rng.choice(
                    [
                        "Uncontrolled high blood pressure; refer back to the GP first.",
                        "History of psychosis.",
                        "Active substance use disorder.",
                        "Pregnancy.",
                    ]
                )
            history.append((decided, provider, "~", {}))
            patient_history.append(
                (decided, provider, "~", {"status": PatientStatus(decision.value)})
            )
        counts[intake.status] += 1
        writer.add(link, history=link_history)
        writer.add(intake, history=history)
        writer.add_history(patient, patient_history)
    writer.close()
    context.progress(
        "Intakes: " + ", ".join(f"{count:,} {status}" for status, count in counts.items())
    )


def _flag(context, rng, writer, journey, patient_id, raised):
    flag = SafetyFlag(
        patient_id=patient_id,
        reason="PHQ-9 question 9 answered above 0 (thoughts of self-harm)",
        source=MeasureSource.INTAKE,
        raised_at=raised,
    )
    history = [(raised, None, "+", {"acknowledged_by_id": None, "acknowledged_at": None})]
    if journey.stage != Stage.REVIEW or rng.random() < 0.5:
        provider = context.provider_ids[0]
        flag.acknowledged_by_id = provider
        flag.acknowledged_at = min(
            raised + datetime.timedelta(hours=rng.randrange(1, 6)), context.now
        )
        flag.acknowledgement_note = "Called the patient; safety plan in place, no immediate risk."
        history.append((flag.acknowledged_at, provider, "~", {}))
    writer.add(flag, history=history)
