from django.urls import path

from intake import consent_settings
from intake.views import patient, public, staff

app_name = "intake"

urlpatterns = [
    # Patient pages. Only `start` carries the token; it swaps it for a session at once.
    path("start/<str:token>/", patient.start, name="start"),
    path("form/", patient.welcome, name="welcome"),
    path("form/<slug:slug>/", patient.step, name="step"),
    path("form-sent/", patient.done, name="done"),
    path("refer-yourself/", public.self_referral, name="self_referral"),
    # Staff pages.
    path("settings/consent/", consent_settings.settings_consent, name="settings_consent"),
    path("review/", staff.queue, name="queue"),
    path("review/<int:pk>/", staff.review, name="review"),
    path("review/<int:pk>/decide/", staff.decide, name="decide"),
    path("patients/<int:patient_pk>/send-link/", staff.link_send, name="link_send"),
    path("patients/<int:patient_pk>/copy-link/", staff.link_copy, name="link_copy"),
    path("patients/<int:patient_pk>/revoke-link/", staff.link_revoke, name="link_revoke"),
]
