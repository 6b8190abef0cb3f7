import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone

from clinic.models import Clinic, Closure, OpeningHours, Patient, Room, Route, User
from clinic.validators import normalize_phone, parse_human_date
from tests.factories import PatientFactory, UserFactory
from tests.two_factor import log_in_verified

pytestmark = pytest.mark.django_db


def valid_patient(**overrides):
    fields = {
        "legal_first_name": "Alex",
        "legal_last_name": "Morgan",
        "date_of_birth": datetime.date(1988, 3, 14),
        "phone": "(415) 555-0100",
    }
    fields.update(overrides)
    return Patient(**fields)


def errors_of(patient):
    with pytest.raises(ValidationError) as caught:
        patient.full_clean()
    return caught.value.message_dict


def test_a_new_patient_gets_an_eight_digit_mrn():
    patient = PatientFactory()

    assert len(patient.mrn) == 8
    assert patient.mrn.isdigit()


def test_mrns_are_unique():
    patients = PatientFactory.create_batch(20)

    assert len({patient.mrn for patient in patients}) == 20


def test_the_database_refuses_a_repeated_mrn():
    first = PatientFactory()

    with pytest.raises(IntegrityError):
        PatientFactory(mrn=first.mrn)


def test_a_valid_patient_passes_validation_and_the_phone_is_normalised():
    patient = valid_patient()

    patient.full_clean()

    assert patient.phone == "4155550100"


def test_date_of_birth_cannot_be_in_the_future():
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)

    errors = errors_of(valid_patient(date_of_birth=tomorrow))

    assert "The date of birth cannot be in the future." in errors["date_of_birth"]


@time_machine.travel(datetime.datetime(2026, 11, 25, 12, tzinfo=datetime.UTC), tick=False)
def test_a_patient_eighteen_tomorrow_is_refused_by_default():
    errors = errors_of(valid_patient(date_of_birth=datetime.date(2008, 11, 26)))

    assert errors["date_of_birth"] == ["This clinic treats patients aged 18 and over."]


@time_machine.travel(datetime.datetime(2026, 11, 25, 12, tzinfo=datetime.UTC), tick=False)
def test_a_patient_turning_eighteen_today_is_accepted():
    valid_patient(date_of_birth=datetime.date(2008, 11, 25)).full_clean()


@time_machine.travel(datetime.datetime(2028, 2, 29, 12, tzinfo=datetime.UTC), tick=False)
def test_a_leap_day_birthday_counts_from_the_leap_day():
    valid_patient(date_of_birth=datetime.date(2010, 2, 28)).full_clean()
    errors = errors_of(valid_patient(date_of_birth=datetime.date(2010, 3, 1)))

    assert "date_of_birth" in errors


@time_machine.travel(datetime.datetime(2026, 11, 25, 12, tzinfo=datetime.UTC), tick=False)
def test_the_minimum_age_is_a_clinic_setting():
    clinic = Clinic.load()
    clinic.minimum_patient_age = 16
    clinic.save()

    valid_patient(date_of_birth=datetime.date(2009, 6, 1)).full_clean()


@pytest.mark.parametrize("phone", ["12345", "call me", "555-CALL-NOW", "+1 (415) 555-01", ""])
def test_implausible_phone_numbers_are_refused(phone):
    errors = errors_of(valid_patient(phone=phone))

    assert "phone" in errors


@pytest.mark.parametrize(
    "phone", ["(415) 555-0100", "415.555.0100", "+44 20 7946 0958", "4155550100"]
)
def test_common_phone_formats_are_accepted(phone):
    valid_patient(phone=phone).full_clean()


def test_an_invalid_email_is_refused():
    errors = errors_of(valid_patient(email="alex@"))

    assert "email" in errors


def test_normalize_phone_keeps_digits_and_a_leading_plus():
    assert normalize_phone(" +1 (415) 555-0100 ") == "+14155550100"
    assert normalize_phone("415.555.0100") == "4155550100"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1988-03-14", datetime.date(1988, 3, 14)),
        ("03/14/1988", datetime.date(1988, 3, 14)),
        ("3/14/1988", datetime.date(1988, 3, 14)),
        ("Morgan", None),
        ("02/30/1988", None),
    ],
)
def test_parse_human_date(text, expected):
    assert parse_human_date(text) == expected


class TestSearch:
    @pytest.fixture(autouse=True)
    def patients(self):
        self.alex = PatientFactory(
            legal_first_name="Alex",
            legal_last_name="Morgan",
            preferred_name="Lex",
            date_of_birth=datetime.date(1988, 3, 14),
            phone="4155550100",
        )
        self.priya = PatientFactory(
            legal_first_name="Priya",
            legal_last_name="Raman",
            date_of_birth=datetime.date(1979, 11, 2),
            phone="4155550222",
        )

    def search(self, query):
        return list(Patient.objects.search(query))

    def test_by_last_name_ignoring_case(self):
        assert self.search("morg") == [self.alex]

    def test_by_first_and_last_name(self):
        assert self.search("priya raman") == [self.priya]

    def test_by_preferred_name(self):
        assert self.search("Lex") == [self.alex]

    def test_by_mrn(self):
        assert self.search(self.priya.mrn) == [self.priya]

    def test_by_date_of_birth_as_typed_in_the_us(self):
        assert self.search("03/14/1988") == [self.alex]

    def test_by_phone_however_it_is_typed(self):
        assert self.search("(415) 555-0222") == [self.priya]

    def test_an_empty_query_finds_everyone(self):
        assert len(self.search("  ")) == 2

    def test_no_match(self):
        assert self.search("Nobody") == []


def test_likely_duplicates_match_name_and_birth_date_ignoring_case():
    alex = PatientFactory(
        legal_first_name="Alex", legal_last_name="Morgan", date_of_birth=datetime.date(1988, 3, 14)
    )
    PatientFactory(
        legal_first_name="Alex", legal_last_name="Morgan", date_of_birth=datetime.date(1990, 1, 1)
    )

    duplicates = Patient.objects.likely_duplicates_of(
        first_name=" alex ", last_name="MORGAN", date_of_birth=datetime.date(1988, 3, 14)
    )

    assert list(duplicates) == [alex]


def test_the_clinic_settings_are_a_single_row():
    clinic = Clinic.load()
    clinic.name = "Harbor Clinic"
    clinic.save()

    assert Clinic.objects.count() == 1
    assert Clinic.load().name == "Harbor Clinic"


def test_the_clinic_time_zone_must_be_a_real_zone():
    clinic = Clinic.load()
    clinic.time_zone = "Mars/Olympus_Mons"

    with pytest.raises(ValidationError) as caught:
        clinic.full_clean()

    assert "time_zone" in caught.value.message_dict


def test_routes_are_seeded_with_domain_defaults():
    iv = Route.objects.get(code=Route.Code.IV)
    esketamine = Route.objects.get(code=Route.Code.INTRANASAL)

    assert (iv.administration_minutes, iv.monitoring_minutes) == (40, 60)
    assert esketamine.monitoring_minutes >= 120
    assert iv.session_minutes == 115


def test_opening_hours_must_close_after_they_open():
    hours = OpeningHours(weekday=0, opens_at=datetime.time(18), closes_at=datetime.time(8))

    with pytest.raises(ValidationError) as caught:
        hours.full_clean()

    assert "The closing time must be after the opening time." in str(caught.value)


def test_a_closure_cannot_end_before_it_starts():
    closure = Closure(
        starts_on=datetime.date(2026, 12, 26), ends_on=datetime.date(2026, 12, 24), reason="x"
    )

    with pytest.raises(ValidationError):
        closure.full_clean()


def test_closures_overlapping_a_window():
    christmas = Closure.objects.create(
        starts_on=datetime.date(2026, 12, 24), ends_on=datetime.date(2026, 12, 26), reason="Xmas"
    )
    Closure.objects.create(
        starts_on=datetime.date(2027, 1, 1), ends_on=datetime.date(2027, 1, 1), reason="New Year"
    )

    found = Closure.objects.overlapping(datetime.date(2026, 12, 26), datetime.date(2026, 12, 31))

    assert list(found) == [christmas]


def test_a_room_records_the_routes_it_suits():
    room = Room.objects.create(name="Chair 9")
    room.routes.set([Route.Code.IV, Route.Code.IM])

    assert set(room.routes.values_list("code", flat=True)) == {"iv", "im"}


def test_esketamine_monitoring_cannot_be_set_below_two_hours():
    esketamine = Route.objects.get(code=Route.Code.INTRANASAL)
    esketamine.monitoring_minutes = 30

    with pytest.raises(ValidationError) as caught:
        esketamine.full_clean()

    assert "at least 120 minutes" in str(caught.value)


def test_other_routes_may_shorten_monitoring_to_the_clinics_protocol():
    iv = Route.objects.get(code=Route.Code.IV)
    iv.monitoring_minutes = 45

    iv.full_clean()


def test_the_route_admin_refuses_short_esketamine_monitoring(client, clinic_admin):
    log_in_verified(client, clinic_admin)
    url = reverse("admin:clinic_route_change", args=["intranasal"])

    response = client.post(
        url,
        {
            "name": "Intranasal esketamine",
            "preparation_minutes": 15,
            "administration_minutes": 10,
            "monitoring_minutes": 30,
            "active": "on",
        },
    )

    assert response.status_code == 200
    assert Route.objects.get(code="intranasal").monitoring_minutes == 120


def test_the_clinic_settings_are_read_once_a_request(django_assert_num_queries):
    from clinic.models import Clinic

    with Clinic.for_request() as clinic:
        with django_assert_num_queries(0):
            assert Clinic.load() is clinic
        changed = Clinic.objects.get(pk=1)
        changed.name = "Harbor Clinic"
        changed.save()
        assert Clinic.load().name == "Harbor Clinic"  # a change shows in the same request

    with django_assert_num_queries(1):
        assert Clinic.load().name == "Harbor Clinic"  # outside a request: from the database


def test_two_staff_accounts_cannot_differ_by_letter_case_alone(client, clinic_admin):
    UserFactory(email="maria@clinic.test")
    log_in_verified(client, clinic_admin)

    response = client.post(
        reverse("admin:clinic_user_add"),
        {
            "email": "Maria@Clinic.test",
            "first_name": "Maria",
            "last_name": "Lopez",
            "password1": "a long passphrase 2026",
            "password2": "a long passphrase 2026",
            "usable_password": "true",
        },
    )

    assert response.status_code == 200
    assert "A staff account with this email address already exists." in response.text
    assert User.objects.filter(email__iexact="maria@clinic.test").count() == 1


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("4155550100", "(415) 555-0100"),
        ("14155550100", "+1 (415) 555-0100"),
        ("+442071234567", "+442071234567"),
        ("", ""),
    ],
)
def test_phone_numbers_are_shown_as_people_read_them(stored, shown):
    from clinic.validators import format_phone

    assert format_phone(stored) == shown


def test_the_patient_page_shows_the_phone_formatted(client, clinic_admin):
    patient = PatientFactory(
        phone="4155550100", emergency_contact_name="Jo", emergency_contact_phone="5105550111"
    )
    log_in_verified(client, clinic_admin)

    response = client.get(reverse("clinic:patient_detail", args=[patient.pk]))

    assert "(415) 555-0100" in response.text
    assert "(510) 555-0111" in response.text


@pytest.mark.parametrize(
    ("zone", "name"),
    [
        ("America/Los_Angeles", "Pacific Time"),
        ("America/New_York", "Eastern Time"),
        ("America/Phoenix", "Arizona Time (Mountain Time, no daylight saving)"),
    ],
)
def test_the_time_zone_is_named_as_people_say_it(client, front_desk, zone, name):
    clinic = Clinic.load()
    clinic.time_zone = zone
    clinic.save()
    log_in_verified(client, front_desk)

    response = client.get(reverse("home"))

    assert f"Times are shown in {name}." in response.text
    assert zone not in response.text


@time_machine.travel(datetime.datetime(2026, 7, 1, 12, tzinfo=datetime.UTC), tick=False)
def test_a_zone_without_a_common_name_shows_its_id_and_abbreviation():
    assert Clinic(time_zone="Europe/London").zone_name == "Europe/London (BST)"
