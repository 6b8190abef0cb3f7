"""Demo data for controlled substances: stock received, doses drawn for past sessions, a
witnessed waste and a count whose difference a provider resolved.

Everything goes through the ledger's services, so the demo keeps the rules real records
keep. The demo's sessions are already signed, so their doses are entered as the draw
panel would have entered them before signing: at the dose time, with the lot on the record.
"""

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from clinic.demo import register_seeder
from clinic.models import Clinic, Route, User
from controlled import administrations, counts, ledger
from controlled.models import (
    Container,
    CountKind,
    Drug,
    EntryKind,
    Product,
    ProductForm,
    Receipt,
    StorageLocation,
    Supplier,
)
from scheduling.models import Appointment, SessionRecord

SAFE = "Treatment room safe"
CABINET = "Pharmacy cabinet"
KETAMINE_50 = "0409-2051-05"
KETAMINE_100 = "0409-2053-10"
ESKETAMINE = "50458-028-02"
# (NDC, name, drug, form, mg per mL, mL per container)
DEMO_PRODUCTS = [
    (KETAMINE_50, "Ketamine 50 mg/mL, 10 mL vial", Drug.KETAMINE, ProductForm.INJECTION, 50, 10),
    (KETAMINE_100, "Ketamine 100 mg/mL, 5 mL vial", Drug.KETAMINE, ProductForm.INJECTION, 100, 5),
    (
        ESKETAMINE,
        "Esketamine nasal spray 28 mg",
        Drug.ESKETAMINE,
        ProductForm.NASAL_SPRAY,
        140,
        Decimal("0.2"),
    ),
]
DEMO_INVOICE = "GG-204817"
# (NDC, lot, containers, location, days from today to expiry): one delivery, four lines;
# the single vial of an older lot expires within the month.
DEMO_DELIVERY = [
    (KETAMINE_50, "KX2409A", 9, SAFE, 420),
    (KETAMINE_50, "KX2311C", 1, CABINET, 20),
    (KETAMINE_100, "KH2407B", 5, SAFE, 390),
    (ESKETAMINE, "ES24M11", 12, CABINET, 300),
]
# (first name, mg, NDC drawn from): the last session of each infusion series in the
# follow-up demo, recorded as given.
DEMO_INFUSIONS = [
    ("Michael", Decimal(40), KETAMINE_100),
    ("Samuel", Decimal(35), KETAMINE_50),
    ("Ethan", Decimal(35), KETAMINE_50),
]


def _weekday_on_or_before(day):
    while day.weekday() >= 5:
        day -= datetime.timedelta(days=1)
    return day


@register_seeder
def seed_controlled(stdout):
    nurse = User.objects.filter(email="nurse@demo.clinic").first()
    provider = User.objects.filter(email="provider@demo.clinic").first()
    admin = User.objects.filter(email="admin@demo.clinic").first()
    if nurse is None or provider is None or admin is None:
        return
    if Receipt.objects.filter(invoice_number=DEMO_INVOICE).exists():
        return
    products = _seed_products()
    safe, _ = StorageLocation.objects.get_or_create(
        name=SAFE, defaults={"description": "Double-locked, bolted to the treatment room wall"}
    )
    StorageLocation.objects.get_or_create(
        name=CABINET, defaults={"description": "Back stock, in the locked pharmacy room"}
    )
    doses = _dosed_records(products=products)
    first_dose = min((record.dose_started_at for record, _ in doses), default=None)
    received_on = _seed_delivery(
        products=products, first_dose=first_dose, nurse=nurse, provider=provider
    )
    wasted = False
    for record, product in doses:
        vial = _draw(record=record, product=product, location=safe)
        if not wasted and product.ndc == KETAMINE_50:
            _waste_rest(vial=vial, record=record, witness=provider)
            wasted = True
    count = _seed_count(
        location=safe, products=products, nurse=nurse, admin=admin, provider=provider
    )
    stdout.write(
        f"Controlled-substance demo: a delivery received on {received_on:%b %-d}, "
        f"{len(doses)} doses drawn, {int(wasted)} witnessed waste, "
        f"a count of {count.lines.count()} containers with a difference resolved."
    )


def _seed_products():
    products = {}
    for ndc, name, drug, form, mg_per_ml, container_ml in DEMO_PRODUCTS:
        products[ndc], _ = Product.objects.get_or_create(
            ndc=ndc,
            defaults={
                "name": name,
                "drug": drug,
                "form": form,
                "mg_per_ml": Decimal(mg_per_ml),
                "container_ml": Decimal(container_ml),
            },
        )
    return products


def _dosed_records(*, products):
    """(record, product drawn from) for each past dose in mg not yet drawn, oldest first."""
    chosen = {}
    for first, mg, ndc in DEMO_INFUSIONS:
        appointment = (
            Appointment.objects.filter(
                patient__legal_first_name=first,
                route_id=Route.Code.IV,
                status=Appointment.Status.COMPLETED,
                record__isnull=True,
            )
            .order_by("-starts_at")
            .first()
        )
        if appointment is not None:
            chosen[_signed_record(appointment=appointment, mg=mg).pk] = products[ndc]
    records = (
        SessionRecord.objects.filter(
            dose_amount__isnull=False,
            dose_unit="mg",
            dose_started_at__lt=timezone.now(),
            controlled_entries__isnull=True,
        )
        .select_related("appointment__patient", "appointment__clinician")
        .order_by("dose_started_at")
    )
    defaults = {Drug.KETAMINE: products[KETAMINE_50], Drug.ESKETAMINE: products[ESKETAMINE]}
    return [
        (
            record,
            chosen.get(record.pk) or defaults[Product.drug_for_route(record.appointment.route_id)],
        )
        for record in records
    ]


def _signed_record(*, appointment, mg):
    """A past session recorded as given and signed by its clinician."""
    ended = appointment.ends_at
    return SessionRecord.objects.create(
        appointment=appointment,
        escort_confirmed=True,
        fasting_kept=True,
        no_health_changes=True,
        systolic=124,
        diastolic=80,
        heart_rate=70,
        spo2=98,
        vitals_at=appointment.starts_at + datetime.timedelta(minutes=5),
        dose_amount=mg,
        dose_unit="mg",
        dose_started_at=appointment.administration_starts_at,
        dose_ended_at=appointment.monitoring_starts_at,
        ready_to_leave_at=ended,
        discharged_at=ended,
        discharge_criteria_met=True,
        vitals_acceptable_at_end=True,
        released_to_escort=True,
        signed_by=appointment.clinician,
        signed_at=ended + datetime.timedelta(minutes=5),
    )


def _seed_delivery(*, products, first_dose, nurse, provider):
    """The delivery, a few weeks ago and at least a few days before the first dose drawn."""
    today = timezone.localdate()
    received_on = today - datetime.timedelta(weeks=4)
    if first_dose is not None:
        before_first = timezone.localdate(first_dose) - datetime.timedelta(days=3)
        received_on = min(received_on, before_first)
    received_on = _weekday_on_or_before(received_on)
    supplier, _ = Supplier.objects.get_or_create(
        dea_number="PG3141594",
        defaults={
            "name": "Golden Gate Medical Supply",
            "address": "450 Industrial Way\nSouth San Francisco, CA 94080",
        },
    )
    for ndc, lot, containers, location, expires_in in DEMO_DELIVERY:
        ledger.delivery_receive(
            supplier=supplier,
            invoice_number=DEMO_INVOICE,
            received_on=received_on,
            product=products[ndc],
            lot_number=lot,
            expires_on=today + datetime.timedelta(days=expires_in),
            container_count=containers,
            location=StorageLocation.objects.get(name=location),
            received_by=nurse,
            checked_by=provider,
        )
    return received_on


def _in_use(product, location):
    """The opened container of a product to draw from next, else the next sealed one."""
    containers = (
        Container.objects.in_stock()
        .filter(product=product)
        .order_by("opened_at", "expires_on", "receipt", "number")
    )
    if product.form == ProductForm.INJECTION:
        containers = containers.filter(location=location)
    return containers.opened().first() or containers.first()


@transaction.atomic
def _draw(*, record, product, location):
    """Draw a signed record's dose as it was drawn at the dose time; the last container."""
    left = record.dose_amount
    container = None
    while left > 0:
        container = ledger.lock(_in_use(product, location))
        mg = min(left, container.balance_mg)
        ledger.take_out(
            container,
            kind=EntryKind.ADMINISTRATION,
            mg=mg,
            by=record.appointment.clinician,
            at=record.dose_started_at,
            patient=record.appointment.patient,
            session_record=record,
        )
        left -= mg
    lots = administrations.lot_text(administrations.Drawn.of(record).lots)
    SessionRecord.objects.filter(pk=record.pk).update(lot_number=lots)
    return container


def _waste_rest(*, vial, record, witness):
    mg, _ml = ledger.balance(vial)
    ledger.container_waste(
        container=vial,
        mg=mg,
        reason="Rest of the vial discarded after the session: the stopper cored on the draw.",
        by=record.appointment.clinician,
        witness=witness,
        at=record.dose_ended_at,
    )


def _seed_count(*, location, products, nurse, admin, provider):
    """Yesterday's end-of-day count of the opened vials: one reads 0.1 mL short."""
    day = _weekday_on_or_before(timezone.localdate() - datetime.timedelta(days=1))
    at = datetime.datetime.combine(day, datetime.time(17, 30), tzinfo=Clinic.load().zone)
    containers = list(counts.containers_to_count(kind=CountKind.DAILY, location=location))
    short = next(
        (c for c in containers if c.product == products[KETAMINE_50]),
        containers[0] if containers else None,
    )
    counted = {}
    for container in containers:
        _mg, ml = ledger.balance(container)
        if container == short:
            counted[container] = (
                ml - Decimal("0.1"),
                "Read 0.1 mL under the ledger by both of us, at eye level.",
            )
        else:
            counted[container] = (ml, "")
    count = counts.count_save(
        kind=CountKind.DAILY,
        location=location,
        counted=counted,
        by=nurse,
        second_counter=admin,
        at=at,
    )
    for line in count.lines.discrepancies():
        counts.difference_resolve(
            line=line,
            note="No draw missing from the records; within what the vial's marks can be read "
            "to. Ledger brought to the count.",
            adjust=True,
            by=provider,
        )
    return count
