"""Factories for test data. Names and dates of birth are obviously synthetic."""

from __future__ import annotations

import datetime

import factory
from django.utils.text import slugify

from cse import services
from cse.models import (
    Agency,
    LocalArea,
    Location,
    PersonOfInterest,
    User,
    UserRole,
    Vehicle,
)
from cse.models import Child as ChildModel


class LocalAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LocalArea
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Testshire {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    children_services_department = "Testshire Children's Services"
    cse_team_phone = "0121 496 0001"
    out_of_hours_phone = "0121 496 0002"


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency

    name = factory.Sequence(lambda n: f"Test agency {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    kind = Agency.Kind.SOCIAL_CARE
    local_area = factory.SubFactory(LocalAreaFactory)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Sequence(lambda n: f"Staff{n}")
    last_name = "Example"
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    agency = factory.SubFactory(AgencyFactory)
    password = factory.django.Password("a-long-test-password")

    @factory.post_generation
    def roles(self, create: bool, extracted: list[str] | None, **kwargs) -> None:
        for role in extracted or []:
            UserRole.objects.create(user=self, role=role)
        self._roles_cache = None


def make_child(by: User, **fields) -> ChildModel:
    """A child created through the service, as the app creates them."""
    fields.setdefault("forename", "Testchild")
    fields.setdefault("surname", "Sampleton")
    fields.setdefault("date_of_birth", datetime.date(2011, 1, 1))
    aliases = fields.pop("aliases", ())
    return services.create_subject(by=by, subject=ChildModel(**fields), aliases=aliases)


def make_person(by: User, **fields) -> PersonOfInterest:
    fields.setdefault("forename", "Testperson")
    fields.setdefault("surname", "Exampleby")
    return services.create_subject(by=by, subject=PersonOfInterest(**fields))


def make_location(by: User, **fields) -> Location:
    fields.setdefault("name", "Test Takeaway")
    fields.setdefault("type", Location.Type.FAST_FOOD)
    fields.setdefault("address_line_1", "1 Sample Street")
    fields.setdefault("postcode", "B1 1AA")
    return services.create_subject(by=by, subject=Location(**fields))


def make_vehicle(by: User, **fields) -> Vehicle:
    fields.setdefault("registration", "AB12 CDE")
    fields.setdefault("make", "Testmake")
    return services.create_subject(by=by, subject=Vehicle(**fields))
