import datetime

import factory
from django.contrib.auth.models import Group

from clinic.models import Patient, Room, User


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"staff{n}@clinic.test")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.django.Password("correct-horse-battery")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(Group.objects.get(name=extracted))


class PatientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patient

    legal_first_name = factory.Faker("first_name")
    legal_last_name = factory.Faker("last_name")
    date_of_birth = factory.Faker(
        "date_between", start_date=datetime.date(1950, 1, 1), end_date=datetime.date(2000, 1, 1)
    )
    phone = factory.Sequence(lambda n: f"415555{n:04d}")
    email = factory.LazyAttribute(lambda p: f"{p.legal_first_name.lower()}@example.com")


class RoomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Room
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Chair {n}")
    # No turnover unless a test is about it (tests/scheduling/test_turnover.py): the other
    # tests book sessions back to back in one chair.
    turnover_minutes = 0
