from django.urls import path

from scheduling import protocol_settings
from scheduling.views import (
    appointments,
    board,
    calendars,
    feeds,
    patients,
    plans,
    records,
)

app_name = "scheduling"

urlpatterns = [
    path("settings/protocols/", protocol_settings.settings_protocols, name="settings_protocols"),
    path(
        "settings/protocols/<int:pk>/",
        protocol_settings.settings_protocol_edit,
        name="settings_protocol_edit",
    ),
    path("day/", calendars.day_view, name="day"),
    path("week/", calendars.week_view, name="week"),
    path("today/", calendars.today_view, name="today"),
    path("board/", board.flow_board, name="flow_board"),
    path("board/rows/", board.flow_board_rows, name="flow_board_rows"),
    path("patients/<int:patient_pk>/plan/", plans.plan_create, name="plan_create"),
    path(
        "patients/<int:patient_pk>/preferences/", patients.preferences_edit, name="preferences_edit"
    ),
    path("patients/<int:patient_pk>/rems/", patients.rems_enroll, name="rems_enroll"),
    path("plans/<int:pk>/", plans.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/close/", plans.plan_close, name="plan_close"),
    path("plans/<int:pk>/book/", plans.plan_book, name="plan_book"),
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
    path("sessions/<int:pk>/in-chair/", appointments.appointment_seat, name="appointment_seat"),
    path("sessions/<int:pk>/cancel/", appointments.appointment_cancel, name="appointment_cancel"),
    path(
        "sessions/<int:pk>/move/",
        appointments.appointment_reschedule,
        name="appointment_reschedule",
    ),
    path("sessions/<int:pk>/record/", records.session_record, name="session_record"),
    path(
        "sessions/<int:pk>/record/pre-dose/",
        records.session_record_pre_dose,
        name="session_record_pre_dose",
    ),
    path("sessions/<int:pk>/record/hold/", records.session_record_hold, name="session_record_hold"),
    path(
        "sessions/<int:pk>/record/dose-started/",
        records.session_record_start_dose,
        name="session_record_start_dose",
    ),
    path("sessions/<int:pk>/record/dose/", records.session_record_dose, name="session_record_dose"),
    path(
        "sessions/<int:pk>/record/observe/",
        records.session_record_observe,
        name="session_record_observe",
    ),
    path(
        "sessions/<int:pk>/record/discharge/",
        records.session_record_discharge,
        name="session_record_discharge",
    ),
    path("sessions/<int:pk>/record/sign/", records.session_record_sign, name="session_record_sign"),
    path(
        "sessions/<int:pk>/record/amend/", records.session_record_amend, name="session_record_amend"
    ),
    path("sessions/<int:pk>/rems-form/", records.rems_form, name="rems_form"),
    path(
        "sessions/<int:pk>/rems-submitted/", records.rems_mark_submitted, name="rems_mark_submitted"
    ),
    path("rems-forms-due/", records.rems_due, name="rems_due"),
    path("feeds/<str:token>.ics", feeds.clinician_feed, name="clinician_feed"),
    path("feeds/mine/", feeds.my_feed_create, name="my_feed_create"),
]
