import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from clinic.models import Route
from scheduling.models import Appointment, Protocol, TreatmentPlan
from tests.scheduling.factories import (
    TreatmentPlanFactory,
    at,
    book,
    chair_for,
    cleared_patient,
    clinician_with_hours,
    next_weekday,
)

pytestmark = pytest.mark.django_db


def book_url(plan):
    return reverse("scheduling:plan_book", args=[plan.pk])


def test_provider_records_an_order_with_the_current_protocol_version(
    client_for, provider, iv_patient
):
    protocol = Protocol.objects.get(name="IV induction")

    response = client_for(provider).post(
        reverse("scheduling:plan_create", args=[iv_patient.pk]),
        {
            "protocol": protocol.pk,
            "dose": "0.5",
            "dose_unit": "mg/kg",
            "first_day": next_weekday(0).isoformat(),
        },
    )

    plan = TreatmentPlan.objects.get()
    assert response.status_code == 302
    assert response.url == plan.get_absolute_url()
    assert plan.protocol_version.protocol == protocol
    assert plan.ordered_by == provider
    assert str(plan.dose) == "0.50"


def test_only_protocols_for_cleared_routes_are_offered(client_for, provider, iv_patient):
    response = client_for(provider).get(reverse("scheduling:plan_create", args=[iv_patient.pk]))

    protocols = list(response.context["form"].fields["protocol"].queryset)
    assert [p.route_id for p in protocols] == ["iv"]


def test_an_order_for_a_route_not_cleared_is_refused(client_for, provider, iv_patient):
    esketamine = Protocol.objects.get(route="intranasal")

    response = client_for(provider).post(
        reverse("scheduling:plan_create", args=[iv_patient.pk]),
        {
            "protocol": esketamine.pk,
            "dose": "56",
            "dose_unit": "mg",
            "first_day": next_weekday(0).isoformat(),
        },
    )

    assert response.status_code == 200
    assert TreatmentPlan.objects.count() == 0


def test_editing_a_protocol_leaves_existing_plans_alone(chair, monitor):
    plan = TreatmentPlanFactory()
    protocol = plan.protocol_version.protocol

    protocol.session_count = 8
    protocol.save()
    newer = TreatmentPlanFactory(protocol_version=protocol.snapshot())

    plan.refresh_from_db()
    assert plan.protocol_version.session_count == 6
    assert newer.protocol_version.session_count == 8
    assert newer.protocol_version.number == plan.protocol_version.number + 1


def test_plan_series_proposes_every_session(client_for, front_desk, chair, monitor):
    plan = TreatmentPlanFactory()

    response = client_for(front_desk).get(plan.get_absolute_url())

    assert response.status_code == 200
    assert len(response.context["formset"].forms) == 6
    assert "Confirm and book all sessions" in response.text


def formset_data(formset, changes=None):
    data = {
        "form-TOTAL_FORMS": str(len(formset.forms)),
        "form-INITIAL_FORMS": str(len(formset.forms)),
    }
    for index, form in enumerate(formset.forms):
        for name in ("day", "time", "room", "clinician"):
            value = form.initial[name]
            if hasattr(value, "isoformat"):
                value = value.strftime("%H:%M") if name == "time" else value.isoformat()
            data[f"form-{index}-{name}"] = value
    data.update(changes or {})
    return data


def test_front_desk_changes_a_time_and_confirms_the_series(client_for, front_desk, chair, monitor):
    plan = TreatmentPlanFactory()
    client = client_for(front_desk)
    formset = client.get(plan.get_absolute_url()).context["formset"]

    response = client.post(book_url(plan), formset_data(formset, {"form-0-time": "13:00"}))

    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.status == TreatmentPlan.Status.CONFIRMED
    first = plan.appointments.get(sequence=1)
    assert first.starts_at == at(plan.first_day, 13)
    assert first.booked_by == front_desk


def plan_with_session_3_taken(client, chair):
    """A draft plan's proposed rows, then someone else books the chair at session 3's time."""
    plan = TreatmentPlanFactory()
    formset = client.get(plan.get_absolute_url()).context["formset"]
    book(
        patient=cleared_patient("iv"),
        room=chair,
        clinician=clinician_with_hours(),
        starts_at=at(formset.forms[2].initial["day"], 8),
    )
    return plan, client, formset


def test_a_clash_at_confirmation_names_the_session_and_offers_free_times(
    client_for, front_desk, chair, monitor
):
    plan, client, formset = plan_with_session_3_taken(client_for(front_desk), chair)

    response = client.post(book_url(plan), formset_data(formset))

    assert response.status_code == 200
    assert "Nothing was booked" in response.text
    assert "Session 3: Chair 1 is booked 8:00–9:55 AM." in response.text
    assert "Nearest free times" in response.text
    assert plan.appointments.count() == 0


def test_nurse_sees_a_plan_but_cannot_confirm_it(client_for, nurse, chair, monitor):
    plan = TreatmentPlanFactory()
    client = client_for(nurse)
    formset = client.get(plan.get_absolute_url()).context["formset"]

    response = client.post(book_url(plan), formset_data(formset))

    assert response.status_code == 403
    assert plan.appointments.count() == 0


def test_a_series_booked_by_someone_else_meanwhile_is_named_above_the_sessions(
    client_for, front_desk, chair, monitor, monkeypatch
):
    from scheduling.booking import Conflict, SlotTaken
    from scheduling.views import plans as plan_views

    plan = TreatmentPlanFactory()
    client = client_for(front_desk)
    formset = client.get(plan.get_absolute_url()).context["formset"]

    def booked_meanwhile(**kwargs):
        raise SlotTaken([Conflict("This series has already been booked or cancelled.")])

    monkeypatch.setattr(plan_views, "series_book", booked_meanwhile)

    response = client.post(book_url(plan), formset_data(formset))

    assert response.status_code == 200
    assert response.context["formset"].non_form_errors() == [
        "This series has already been booked or cancelled."
    ]
    assert "This series has already been booked or cancelled." in response.text
    assert plan.appointments.count() == 0


def test_confirming_a_series_already_booked_shows_its_sessions(
    client_for, front_desk, chair, monitor
):
    plan = TreatmentPlanFactory()
    client = client_for(front_desk)
    formset = client.get(plan.get_absolute_url()).context["formset"]
    client.post(book_url(plan), formset_data(formset))

    response = client.post(book_url(plan), formset_data(formset))

    assert response.status_code == 302
    assert response.url == plan.get_absolute_url()
    assert plan.appointments.count() == 6


def test_posting_to_the_plan_page_itself_books_nothing(client_for, front_desk, chair, monitor):
    plan = TreatmentPlanFactory()
    client = client_for(front_desk)
    formset = client.get(plan.get_absolute_url()).context["formset"]

    response = client.post(plan.get_absolute_url(), formset_data(formset))

    assert response.status_code == 405
    assert plan.appointments.count() == 0


def test_esketamine_without_rems_enrollment_is_not_booked(
    client_for, front_desk, clinic_open, monitor
):
    chair_for("intranasal", name="Quiet room")
    patient = cleared_patient("intranasal")
    plan = TreatmentPlanFactory(
        patient=patient,
        dose=56,
        dose_unit="mg",
        protocol_version=Protocol.objects.get(route="intranasal").snapshot(),
    )
    client = client_for(front_desk)
    formset = client.get(plan.get_absolute_url()).context["formset"]

    response = client.post(book_url(plan), formset_data(formset), follow=True)

    assert "Record the patient&#x27;s REMS enrollment" in response.text
    assert Appointment.objects.count() == 0


def test_a_refused_single_booking_names_the_clash(
    client_for, front_desk, chair, monitor, iv_patient
):
    monday = next_weekday(0)
    book(
        patient=cleared_patient("iv"),
        room=chair,
        clinician=clinician_with_hours(),
        starts_at=at(monday, 9),
    )

    response = client_for(front_desk).post(
        reverse("scheduling:appointment_create", args=[iv_patient.pk]),
        {
            "route": "iv",
            "day": monday.isoformat(),
            "time": "10:00",
            "room": chair.pk,
            "clinician": monitor.pk,
        },
    )

    assert response.status_code == 200
    assert "Chair 1 is booked 9:00–10:55 AM." in response.text
    assert "Nearest free times" in response.text


def test_front_desk_checks_a_patient_in(client_for, front_desk, chair, monitor, iv_patient):
    monday = next_weekday(0)
    appointment = book(patient=iv_patient, room=chair, clinician=monitor, starts_at=at(monday, 9))

    with time_machine.travel(at(monday, 8, 45), tick=False):
        response = client_for(front_desk).post(
            reverse("scheduling:appointment_check_in", args=[appointment.pk]),
            {"next": reverse("scheduling:today")},
        )

    assert response.url == reverse("scheduling:today")
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CHECKED_IN


def test_check_in_never_redirects_off_site(client_for, front_desk, chair, monitor, iv_patient):
    appointment = book(
        patient=iv_patient, room=chair, clinician=monitor, starts_at=at(next_weekday(0), 9)
    )

    response = client_for(front_desk).post(
        reverse("scheduling:appointment_check_in", args=[appointment.pk]),
        {"next": "https://evil.example/"},
    )

    assert response.url == appointment.get_absolute_url()


def test_cancel_needs_a_reason_and_records_it(client_for, front_desk, chair, monitor, iv_patient):
    appointment = book(
        patient=iv_patient, room=chair, clinician=monitor, starts_at=at(next_weekday(0), 9)
    )
    url = reverse("scheduling:appointment_cancel", args=[appointment.pk])
    client = client_for(front_desk)

    assert client.post(url, {}).status_code == 200
    client.post(url, {"reason": "patient"})

    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CANCELLED
    assert appointment.cancel_reason == "patient"
    assert appointment.history.first().history_user == front_desk


def test_a_no_show_is_recorded_only_once_the_start_has_passed(
    client_for, front_desk, chair, monitor, iv_patient
):
    monday = next_weekday(0)
    appointment = book(patient=iv_patient, room=chair, clinician=monitor, starts_at=at(monday, 9))
    url = reverse("scheduling:appointment_cancel", args=[appointment.pk])

    with time_machine.travel(at(monday, 8, 50), tick=False):
        early = client_for(front_desk).post(url, {"reason": "no_show"})
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.BOOKED
    assert "once the start time has passed" in early.text

    with time_machine.travel(at(monday, 9, 20), tick=False):
        client_for(front_desk).post(url, {"reason": "no_show"})
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.NO_SHOW


def test_reschedule_view_warns_about_spacing(client_for, front_desk, chair, monitor):
    from scheduling.booking import series_book, slot_for

    monday = next_weekday(0)
    plan = TreatmentPlanFactory(first_day=monday)
    route = Route.objects.get(code="iv")
    days = [monday + datetime.timedelta(days=d) for d in (0, 2, 4, 7, 9, 11)]
    series_book(
        plan=plan,
        slots=[
            slot_for(route=route, starts_at=at(d, 9), room_id=chair.pk, clinician_id=monitor.pk)
            for d in days
        ],
        booked_by=front_desk,
    )
    second = plan.appointments.get(sequence=2)
    client = client_for(front_desk)
    url = reverse("scheduling:appointment_reschedule", args=[second.pk])
    move = {"day": monday.isoformat(), "time": "14:00", "room": chair.pk, "clinician": monitor.pk}

    warned = client.post(url, move)

    assert warned.status_code == 200
    assert "Nothing has moved yet" in warned.text
    assert "less than 40 hours apart" in warned.text
    assert 'value="14:00"' in warned.text  # what was typed is kept
    second.refresh_from_db()
    assert second.starts_at == at(days[1], 9)

    moved = client.post(url, {**move, "book_anyway": "on"}, follow=True)

    assert "1 session moved." in moved.text
    assert "Moved against the protocol&#x27;s spacing" in moved.text
    second.refresh_from_db()
    assert second.starts_at == at(monday, 14)


def test_a_move_that_breaks_spacing_and_clashes_shows_both_first(
    client_for, front_desk, chair, monitor
):
    from scheduling.booking import series_book, slot_for

    monday = next_weekday(0)
    plan = TreatmentPlanFactory(first_day=monday)
    route = Route.objects.get(code="iv")
    days = [monday + datetime.timedelta(days=d) for d in (0, 2, 4, 7, 9, 11)]
    series_book(
        plan=plan,
        slots=[
            slot_for(route=route, starts_at=at(d, 9), room_id=chair.pk, clinician_id=monitor.pk)
            for d in days
        ],
        booked_by=front_desk,
    )
    book(
        patient=cleared_patient("iv"),
        room=chair,
        clinician=clinician_with_hours(),
        starts_at=at(monday, 14),
    )
    second = plan.appointments.get(sequence=2)

    response = client_for(front_desk).post(
        reverse("scheduling:appointment_reschedule", args=[second.pk]),
        {"day": monday.isoformat(), "time": "14:00", "room": chair.pk, "clinician": monitor.pk},
    )

    assert "less than 40 hours apart" in response.text
    assert "Chair 1 is booked 2:00–3:55 PM." in response.text
    assert "Nearest free times" in response.text
    second.refresh_from_db()
    assert second.starts_at == at(days[1], 9)


def test_front_desk_records_preferred_days_used_by_the_planner(client_for, front_desk, iv_patient):
    response = client_for(front_desk).post(
        reverse("scheduling:preferences_edit", args=[iv_patient.pk]),
        {"weekdays": ["1", "3"], "earliest_start": "09:00", "latest_start": "11:00"},
    )

    assert response.status_code == 302
    preference = iv_patient.scheduling_preference
    assert preference.weekdays == [1, 3]


def test_rems_enrollment_needs_both_signatures(client_for, front_desk, provider):
    patient = cleared_patient("intranasal")
    url = reverse("scheduling:rems_enroll", args=[patient.pk])
    client = client_for(front_desk)
    enrolled_on = timezone.localdate() - datetime.timedelta(days=20)
    data = {"enrolled_on": enrolled_on, "patient_signed": "on", "prescriber": provider.pk}

    assert client.post(url, data).status_code == 200
    assert client.post(url, {**data, "prescriber_signed": "on"}).status_code == 302
    assert patient.rems_enrollment.complete


@pytest.mark.parametrize(
    "name",
    [
        "admin:scheduling_protocol_changelist",
        "admin:scheduling_clinicianhours_changelist",
        "admin:scheduling_timeoff_changelist",
        "admin:scheduling_calendarfeed_changelist",
    ],
)
def test_clinic_admin_manages_protocols_hours_and_time_off(client_for, clinic_admin, name):
    assert client_for(clinic_admin).get(reverse(name)).status_code == 200


def test_clinic_admin_edits_a_protocol_and_plans_keep_their_version(client_for, clinic_admin):
    plan = TreatmentPlanFactory()
    protocol = plan.protocol_version.protocol

    response = client_for(clinic_admin).post(
        reverse("admin:scheduling_protocol_change", args=[protocol.pk]),
        {
            "name": protocol.name,
            "route": "iv",
            "session_count": "8",
            "minimum_hours_between": "40",
            "phases": '[{"weeks": 3, "per_week": 3}]',
            "description": "",
            "active": "on",
            "follow_ups": '[{"weeks": 2, "kind": "post_series"}]',
            "follow_up_window_days": "7",
            "questionnaire_before_session": "on",
            "questionnaire_every_days": "14",
            "rebook_within_days": "14",
        },
    )

    assert response.status_code == 302
    protocol.refresh_from_db()
    plan.refresh_from_db()
    assert protocol.session_count == 8
    assert plan.protocol_version.session_count == 6
    assert plan.protocol_version.phases == [{"weeks": 2, "per_week": 3}]
    assert plan.protocol_version.follow_ups == [
        {"weeks": 1, "kind": "post_series"},
        {"weeks": 4, "kind": "phone"},
    ]


def test_a_malformed_phase_list_is_refused(client_for, clinic_admin):
    protocol = Protocol.objects.get(name="IV induction")

    response = client_for(clinic_admin).post(
        reverse("admin:scheduling_protocol_change", args=[protocol.pk]),
        {
            "name": protocol.name,
            "route": "iv",
            "session_count": "6",
            "minimum_hours_between": "40",
            "phases": '[{"weeks": 0}]',
            "active": "on",
        },
    )

    assert response.status_code == 200
    assert "Each phase is" in response.text


def test_a_series_rows_are_checked_in_the_same_queries_for_any_length(
    front_desk, chair, monitor, django_assert_num_queries
):
    from scheduling.forms import SessionFormSet

    route = Route.objects.get(code="iv")

    def valid_rows(count):
        day = next_weekday(0)
        data = {"form-TOTAL_FORMS": str(count), "form-INITIAL_FORMS": "0"}
        for index in range(count):
            data |= {
                f"form-{index}-day": (day + datetime.timedelta(days=index)).isoformat(),
                f"form-{index}-time": "09:00",
                f"form-{index}-room": str(chair.pk),
                f"form-{index}-clinician": str(monitor.pk),
            }
        return SessionFormSet(data, route=route, session_count=count)

    for count in (6, 24):
        formset = valid_rows(count)
        with django_assert_num_queries(2):  # the chairs and the clinicians, once
            assert formset.is_valid(), formset.errors
        assert {form.cleaned_data["room"] for form in formset.forms} == {chair}


def test_a_chair_not_equipped_for_the_route_is_refused_in_a_series_row(
    client_for, front_desk, chair, monitor
):
    plan = TreatmentPlanFactory()
    client = client_for(front_desk)
    formset = client.get(plan.get_absolute_url()).context["formset"]
    nasal_only = chair_for("intranasal", name="Nasal chair")

    response = client.post(
        book_url(plan), formset_data(formset, {"form-1-room": str(nasal_only.pk)})
    )

    assert response.status_code == 200
    assert response.context["formset"].forms[1].errors["room"] == [
        "Select a valid choice. That choice is not one of the available choices."
    ]
    assert plan.appointments.count() == 0


def test_spacing_problems_and_clashes_are_reported_together(client_for, front_desk, chair, monitor):
    plan, client, formset = plan_with_session_3_taken(client_for(front_desk), chair)
    first_day = formset.forms[0].initial["day"]
    # Session 2 on the first session's day: too close to it.
    data = formset_data(formset, {"form-1-day": first_day.isoformat(), "form-1-time": "14:00"})

    response = client.post(book_url(plan), data)

    assert response.status_code == 200
    assert "These times break the protocol's spacing:" in response.text
    assert "Sessions 1 and 2 are less than" in response.text
    assert "Some times also clash" in response.text
    assert "Session 3: Chair 1 is booked 8:00–9:55 AM." in response.text
    assert plan.appointments.count() == 0


def test_an_offered_free_time_is_a_button_that_fills_its_row(
    client_for, front_desk, chair, monitor
):
    plan, client, formset = plan_with_session_3_taken(client_for(front_desk), chair)
    data = formset_data(formset)
    refused = client.post(book_url(plan), data)
    suggestion = refused.context["formset"].forms[2].suggestions[0]
    local = timezone.localtime(suggestion.starts_at)
    value = (
        f"2|{local:%Y-%m-%d}|{local:%H:%M}|{suggestion.slot.room_id}|{suggestion.slot.clinician_id}"
    )
    assert f'name="use_time" value="{value}"' in refused.text

    filled = client.post(book_url(plan), {**data, "use_time": value})

    assert filled.status_code == 200
    assert "Session 3 now has the free time you chose" in filled.text
    row = filled.context["formset"].forms[2]
    assert (row["day"].value(), row["time"].value()) == (f"{local:%Y-%m-%d}", f"{local:%H:%M}")
    assert plan.appointments.count() == 0

    booked = client.post(
        book_url(plan),
        {**data, "form-2-day": f"{local:%Y-%m-%d}", "form-2-time": f"{local:%H:%M}",
         "form-2-room": str(suggestion.slot.room_id),
         "form-2-clinician": str(suggestion.slot.clinician_id)},
    )  # fmt: skip

    assert booked.status_code == 302
    assert plan.appointments.get(sequence=3).starts_at == suggestion.starts_at


def test_a_mangled_offered_time_changes_nothing(client_for, front_desk, chair, monitor):
    plan = TreatmentPlanFactory()
    client = client_for(front_desk)
    formset = client.get(plan.get_absolute_url()).context["formset"]
    data = formset_data(formset)

    response = client.post(book_url(plan), {**data, "use_time": "99|x"})

    assert response.status_code == 200
    assert response.context["formset"].forms[0]["day"].value() == data["form-0-day"]
    assert plan.appointments.count() == 0
