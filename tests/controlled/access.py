"""Who may open each controlled-substance page: those who hold the keys (nurses,
providers, clinic admins), never the front desk."""

from tests.access import Rule, only
from tests.controlled.factories import receive
from tests.scheduling.factories import open_clinic

KEY_HOLDERS = ("nurse", "provider", "clinic_admin")


def container_pk():
    return {"pk": receive()[0].pk}


def entry_pk():
    return {"pk": receive()[0].entries.get().pk}


def appointment_pk():
    from tests.controlled.factories import session_record

    open_clinic(weekdays=range(7))
    return {"pk": session_record().appointment_id}


def count_pk():
    from controlled.counts import count_save
    from controlled.models import CountKind
    from tests.factories import UserFactory

    container = receive()[0]
    count = count_save(
        kind=CountKind.MONTHLY,
        location=container.location,
        counted={container: (container.product.container_ml, "")},
        by=UserFactory(role="Nurse"),
        second_counter=UserFactory(role="Nurse"),
    )
    return {"pk": count.pk}


def line_pk():
    from controlled.models import Count

    return {"pk": Count.objects.get(pk=count_pk()["pk"]).lines.get().pk}


def loss_pk():
    from decimal import Decimal

    from django.utils import timezone

    from controlled import ledger
    from controlled.models import LossReport
    from tests.factories import UserFactory

    container = receive()[0]
    report = ledger.loss_report(
        kind=LossReport.Kind.LOSS,
        discovered_at=timezone.now(),
        description="Vial broken in the safe",
        losses=[(container, Decimal(500))],
        by=UserFactory(role="Nurse"),
    )
    return {"pk": report.pk}


def _reports():
    try:
        from tests.controlled.access_reports import ACCESS as REPORTS
    except ModuleNotFoundError:
        return {}
    return REPORTS


ACCESS = {
    "controlled:stock": Rule(roles=only(*KEY_HOLDERS)),
    "controlled:receive": Rule(roles=only(*KEY_HOLDERS)),
    "controlled:container": Rule(roles=only(*KEY_HOLDERS), kwargs=container_pk),
    "controlled:container_waste": Rule(roles=only(*KEY_HOLDERS, status=405), kwargs=container_pk),
    "controlled:container_transfer": Rule(
        roles=only(*KEY_HOLDERS, status=405), kwargs=container_pk
    ),
    "controlled:entry_correct": Rule(roles=only(*KEY_HOLDERS, status=405), kwargs=entry_pk),
    # Drawing for a session is a step of the nurse's session record.
    "controlled:record_draw": Rule(roles=only("nurse", status=405), kwargs=appointment_pk),
    "controlled:record_waste": Rule(roles=only("nurse", status=405), kwargs=appointment_pk),
    "controlled:count_list": Rule(roles=only(*KEY_HOLDERS)),
    "controlled:count_new": Rule(roles=only(*KEY_HOLDERS)),
    "controlled:count": Rule(roles=only(*KEY_HOLDERS), kwargs=count_pk),
    "controlled:line_resolve": Rule(
        roles=only("provider", "clinic_admin", status=405), kwargs=line_pk
    ),
    "controlled:loss_new": Rule(roles=only(*KEY_HOLDERS)),
    "controlled:loss": Rule(roles=only(*KEY_HOLDERS), kwargs=loss_pk),
    "controlled:loss_reported": Rule(roles=only(*KEY_HOLDERS, status=405), kwargs=loss_pk),
    "controlled:disposal_new": Rule(roles=only(*KEY_HOLDERS)),
    **_reports(),
}
