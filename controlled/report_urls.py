from django.urls import path

from controlled.views import reports

urlpatterns = [
    path("", reports.report_index, name="report_index"),
    path("administrations/", reports.report_administrations, name="report_administrations"),
    path(
        "administrations.csv",
        reports.report_administrations_csv,
        name="report_administrations_csv",
    ),
    path("receipts/", reports.report_receipts, name="report_receipts"),
    path("receipts.csv", reports.report_receipts_csv, name="report_receipts_csv"),
    path("waste/", reports.report_waste, name="report_waste"),
    path("waste.csv", reports.report_waste_csv, name="report_waste_csv"),
    path("inventory/", reports.report_inventory, name="report_inventory"),
    path("inventory.csv", reports.report_inventory_csv, name="report_inventory_csv"),
    path("discrepancies/", reports.report_discrepancies, name="report_discrepancies"),
    path("discrepancies.csv", reports.report_discrepancies_csv, name="report_discrepancies_csv"),
    path("balances/", reports.report_balances, name="report_balances"),
    path("balances.csv", reports.report_balances_csv, name="report_balances_csv"),
    path("balances/<int:pk>/", reports.report_container_balance, name="report_container_balance"),
    path(
        "balances/<int:pk>.csv",
        reports.report_container_balance_csv,
        name="report_container_balance_csv",
    ),
]
