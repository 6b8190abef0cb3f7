"""Stock for the controlled-substance tests: products, a safe, a supplier, deliveries and
a session record ready to be drawn for."""

import datetime
from decimal import Decimal

from django.utils import timezone

from controlled import ledger
from controlled.models import Drug, Product, ProductForm, StorageLocation, Supplier
from scheduling.models import SessionRecord
from tests.factories import UserFactory
from tests.scheduling.factories import chair_for, checked_in_session, clinician_with_hours

# A DEA number whose check digit is right (1+3+5 + 2*(2+4+6) = 33: last digit 3).
SUPPLIER_DEA = "AB1234563"


def ketamine_50(**kwargs):
    product, _ = Product.objects.get_or_create(
        ndc=kwargs.pop("ndc", "0409-2051-05"),
        defaults={
            "name": "Ketamine 50 mg/mL, 10 mL vial",
            "drug": Drug.KETAMINE,
            "form": ProductForm.INJECTION,
            "mg_per_ml": Decimal(50),
            "container_ml": Decimal(10),
            **kwargs,
        },
    )
    return product


def esketamine_device():
    product, _ = Product.objects.get_or_create(
        ndc="50458-028-02",
        defaults={
            "name": "Esketamine nasal spray 28 mg",
            "drug": Drug.ESKETAMINE,
            "form": ProductForm.NASAL_SPRAY,
            "mg_per_ml": Decimal(140),
            "container_ml": Decimal("0.2"),
        },
    )
    return product


def safe(name="Treatment room safe"):
    return StorageLocation.objects.get_or_create(name=name)[0]


def supplier():
    return Supplier.objects.get_or_create(
        dea_number=SUPPLIER_DEA,
        defaults={"name": "Valley Medical Supply", "address": "1 Depot Road, Oakland, CA"},
    )[0]


def receive(
    *,
    count=1,
    product=None,
    location=None,
    by=None,
    checked_by=None,
    expires_on=None,
    lot="KX1234",
    invoice="INV-100",
    received_on=None,
):
    """A delivery checked in by two nurses; returns its containers, numbered in order."""
    by = by or UserFactory(role="Nurse")
    receipt = ledger.delivery_receive(
        supplier=supplier(),
        invoice_number=invoice,
        received_on=received_on or timezone.localdate(),
        product=product or ketamine_50(),
        lot_number=lot,
        expires_on=expires_on or timezone.localdate() + datetime.timedelta(days=365),
        container_count=count,
        location=location or safe(),
        received_by=by,
        checked_by=checked_by or UserFactory(role="Nurse"),
    )
    return list(receipt.containers.order_by("number"))


def session_record(*, route_code="iv", patient=None, starts_at=None, clinician=None):
    """A saved, open record of a session checked in an hour ago."""
    from tests.scheduling.factories import cleared_patient

    starts_at = starts_at or timezone.now().replace(second=0, microsecond=0) - datetime.timedelta(
        hours=1
    )
    patient = patient or cleared_patient("iv")
    appointment = checked_in_session(
        patient=patient,
        room=chair_for("iv", name=f"Chair of patient {patient.pk}"),
        clinician=clinician or clinician_with_hours(),
        starts_at=starts_at,
    )
    return SessionRecord.objects.create(appointment=appointment)


def draw_dose(record, by=None):
    """Draw a record's dose from new stock of the right drug, as the nurse does before
    signing (a dose in mg/kg is drawn as 35 mg)."""
    import math

    from controlled import administrations
    from controlled.models import Product

    record.refresh_from_db()
    esketamine = Product.drug_for_route(record.appointment.route_id) == Drug.ESKETAMINE
    product = esketamine_device() if esketamine else ketamine_50()
    mg = record.dose_amount if record.dose_unit == "mg" else Decimal(35)
    by = by or UserFactory(role="Nurse")
    left = mg
    for container in receive(count=math.ceil(mg / product.container_mg), product=product):
        taken = min(left, product.container_mg)
        administrations.dose_draw(record=record, container=container, mg=taken, by=by)
        left -= taken
    return record
