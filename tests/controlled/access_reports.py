"""Access rules for the controlled-substance reports (see tests/access.py): the custodians
(nurses, providers, clinic admins) open every report; the front desk opens none."""

from tests.access import Rule, only
from tests.controlled.factories import receive

CUSTODIANS = only("nurse", "provider", "clinic_admin")


def container_pk():
    return {"pk": receive(count=1)[0].pk}


ACCESS = {
    "controlled:report_index": Rule(roles=CUSTODIANS),
    "controlled:report_administrations": Rule(roles=CUSTODIANS),
    "controlled:report_administrations_csv": Rule(roles=CUSTODIANS),
    "controlled:report_receipts": Rule(roles=CUSTODIANS),
    "controlled:report_receipts_csv": Rule(roles=CUSTODIANS),
    "controlled:report_waste": Rule(roles=CUSTODIANS),
    "controlled:report_waste_csv": Rule(roles=CUSTODIANS),
    "controlled:report_inventory": Rule(roles=CUSTODIANS),
    "controlled:report_inventory_csv": Rule(roles=CUSTODIANS),
    "controlled:report_discrepancies": Rule(roles=CUSTODIANS),
    "controlled:report_discrepancies_csv": Rule(roles=CUSTODIANS),
    "controlled:report_balances": Rule(roles=CUSTODIANS),
    "controlled:report_balances_csv": Rule(roles=CUSTODIANS),
    "controlled:report_container_balance": Rule(roles=CUSTODIANS, kwargs=container_pk),
    "controlled:report_container_balance_csv": Rule(roles=CUSTODIANS, kwargs=container_pk),
}
