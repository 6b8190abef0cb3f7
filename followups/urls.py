from django.urls import path

from followups.views import followups, outcomes, questionnaire

app_name = "followups"

urlpatterns = [
    path("worklist/", followups.worklist, name="worklist"),
    path(
        "patients/<int:patient_pk>/follow-ups/new/",
        followups.follow_up_create,
        name="follow_up_create",
    ),
    path("<int:pk>/book/", followups.follow_up_book_view, name="follow_up_book"),
    path("<int:pk>/close/", followups.follow_up_close, name="follow_up_close"),
    path(
        "patients/<int:patient_pk>/scores/<str:instrument>/new/",
        outcomes.measure_create,
        name="measure_create",
    ),
    path(
        "patients/<int:patient_pk>/questionnaire-link/",
        outcomes.questionnaire_send,
        name="questionnaire_send",
    ),
    path(
        "patients/<int:patient_pk>/reminders/", outcomes.reminders_toggle, name="reminders_toggle"
    ),
    path("patients/<int:patient_pk>/export.csv", outcomes.patient_export, name="patient_export"),
    path("report/", outcomes.clinic_report, name="clinic_report"),
    path("report.csv", outcomes.clinic_report_csv, name="clinic_report_csv"),
    # Patient pages. Only `questionnaire_start` carries the token; it swaps it for a session.
    path("q/<str:token>/", questionnaire.questionnaire_start, name="questionnaire_start"),
    path("questionnaire/", questionnaire.questionnaire, name="questionnaire"),
    path("questionnaire/sent/", questionnaire.questionnaire_done, name="questionnaire_done"),
    path("reminders/stop/<str:token>/", questionnaire.reminders_opt_out, name="reminders_opt_out"),
]
