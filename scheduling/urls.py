from django.urls import path

from scheduling.views import (
    appointments,
    calendars,
    feeds,
    followups,
    outcomes,
    patients,
    plans,
    questionnaire,
    records,
)

app_name = "scheduling"

urlpatterns = [
    path("day/", calendars.day_view, name="day"),
    path("week/", calendars.week_view, name="week"),
    path("today/", calendars.today_view, name="today"),
    path("patients/<int:patient_pk>/plan/", plans.plan_create, name="plan_create"),
    path(
        "patients/<int:patient_pk>/preferences/", patients.preferences_edit, name="preferences_edit"
    ),
    path("patients/<int:patient_pk>/rems/", patients.rems_enroll, name="rems_enroll"),
    path("plans/<int:pk>/", plans.plan_detail, name="plan_detail"),
    path(
        "patients/<int:patient_pk>/book/",
        appointments.appointment_create,
        name="appointment_create",
    ),
    path("sessions/<int:pk>/", appointments.appointment_detail, name="appointment_detail"),
    path(
        "sessions/<int:pk>/check-in/",
        appointments.appointment_check_in,
        name="appointment_check_in",
    ),
    path("sessions/<int:pk>/cancel/", appointments.appointment_cancel, name="appointment_cancel"),
    path(
        "sessions/<int:pk>/move/",
        appointments.appointment_reschedule,
        name="appointment_reschedule",
    ),
    path("sessions/<int:pk>/record/", records.session_record, name="session_record"),
    path("sessions/<int:pk>/rems-form/", records.rems_form, name="rems_form"),
    path(
        "sessions/<int:pk>/rems-submitted/", records.rems_mark_submitted, name="rems_mark_submitted"
    ),
    path("rems-forms-due/", records.rems_due, name="rems_due"),
    path("feeds/<str:token>.ics", feeds.clinician_feed, name="clinician_feed"),
    # Follow-ups, outcome measures, reminders and exports (docs/followup.md).
    path("worklist/", followups.worklist, name="worklist"),
    path(
        "patients/<int:patient_pk>/follow-ups/new/",
        followups.follow_up_create,
        name="follow_up_create",
    ),
    path("follow-ups/<int:pk>/book/", followups.follow_up_book_view, name="follow_up_book"),
    path("follow-ups/<int:pk>/close/", followups.follow_up_close, name="follow_up_close"),
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
