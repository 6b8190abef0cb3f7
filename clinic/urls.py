from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from clinic import settings_views, two_factor_views, views
from clinic.session_views import session_keep_alive
from clinic.two_factor import two_factor_exempt

admin.site.site_header = "Clinic settings"
admin.site.site_title = "Clinic settings"
admin.site.index_title = "Configuration and staff accounts"

patient_urls = [
    path("", views.patient_list, name="patient_list"),
    path("new/", views.patient_create, name="patient_create"),
    path("<int:pk>/", views.patient_detail, name="patient_detail"),
    path("<int:pk>/edit/", views.patient_update, name="patient_update"),
    path("<int:pk>/history/", views.patient_history, name="patient_history"),
    path("<int:pk>/access-log/", views.patient_access_log, name="patient_access_log"),
    path("access-log/", views.access_log_export, name="access_log_export"),
    path(
        "flags/<int:pk>/acknowledge/",
        views.safety_flag_acknowledge,
        name="safety_flag_acknowledge",
    ),
]

settings_urls = [
    path("", settings_views.settings_index, name="settings"),
    path("chairs/", settings_views.settings_rooms, name="settings_rooms"),
    path("chairs/new/", settings_views.settings_room_new, name="settings_room_new"),
    path("chairs/<int:pk>/", settings_views.settings_room_edit, name="settings_room_edit"),
    path("hours/", settings_views.settings_hours, name="settings_hours"),
    path("hours/<int:weekday>/", settings_views.settings_hours_edit, name="settings_hours_edit"),
    path("closures/", settings_views.settings_closures, name="settings_closures"),
    path(
        "closures/<int:pk>/delete/",
        settings_views.settings_closure_delete,
        name="settings_closure_delete",
    ),
    path("staff/", settings_views.settings_staff, name="settings_staff"),
    path("staff/new/", settings_views.settings_staff_new, name="settings_staff_new"),
    path("staff/<int:pk>/", settings_views.settings_staff_edit, name="settings_staff_edit"),
    path(
        "staff/<int:pk>/reset-two-factor/",
        settings_views.settings_staff_reset_two_factor,
        name="settings_staff_reset_two_factor",
    ),
]

clinic_urls = [
    path("patients/", include(patient_urls)),
    path("settings/", include(settings_urls)),
]

account_urls = [
    path(
        "login/",
        views.StaffLoginView.as_view(),
        name="login",
    ),
    path("logout/", two_factor_exempt(auth_views.LogoutView.as_view()), name="logout"),
    path("two-factor/", two_factor_views.two_factor_verify, name="two_factor_verify"),
    path("two-factor/recovery/", two_factor_views.two_factor_recovery, name="two_factor_recovery"),
    path("two-factor/enrol/", two_factor_views.two_factor_enrol, name="two_factor_enrol"),
    path("two-factor/settings/", two_factor_views.two_factor_settings, name="two_factor_settings"),
    path(
        "two-factor/recovery-codes/",
        two_factor_views.two_factor_recovery_codes,
        name="two_factor_recovery_codes",
    ),
    path(
        "two-factor/recovery-codes/new/",
        two_factor_views.two_factor_recovery_codes_new,
        name="two_factor_recovery_codes_new",
    ),
    path("password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"
    ),
    path("password/reset/", auth_views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/", include(account_urls)),
    path("session/keep-alive/", session_keep_alive, name="session_keep_alive"),
    path("", include((clinic_urls, "clinic"))),
    path("intake/", include("intake.urls")),
    path("scheduling/", include("scheduling.urls")),
    path("follow-ups/", include("followups.urls")),
    path("controlled/", include("controlled.urls")),
    path("admin/", admin.site.urls),
]

if settings.BENCH_BASELINE:
    # Benchmarks only (docs/BENCHMARKS.md): never set BENCH_BASELINE in production.
    from clinic.bench_views import baseline

    urlpatterns.append(path("bench/baseline/", baseline, name="bench_baseline"))
