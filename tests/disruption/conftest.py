"""Disruption's additions to the cast: ian, a police intelligence analyst in dave's
agency B, and a notice helper. Uploaded files go to a temporary private storage."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from cse import services as core
from cse.models import Child, Link, Role, SharingDecision
from disruption import services
from tests.factories import UserFactory, make_child, make_person

TODAY = timezone.localdate()


def years_ago(years: int, days: int = 0) -> datetime.date:
    """A date of birth making a child `years` old today (`days` more days older)."""
    try:
        born = TODAY.replace(year=TODAY.year - years)
    except ValueError:
        born = TODAY.replace(year=TODAY.year - years, day=28)
    return born - datetime.timedelta(days=days)


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "private", "base_url": None},
        },
    }
    return tmp_path / "private"


@pytest.fixture
def ian(agency_b):
    return UserFactory(
        username="ian",
        first_name="Ian",
        agency=agency_b,
        roles=[Role.POLICE_INTELLIGENCE],
    )


@pytest.fixture
def officer(dave):
    dave.collar_number = "PC 1234"
    dave.station = "Testshire Central"
    dave.last_name = "Constable"
    dave.save()
    return dave


def share(by, subject, agency):
    core.record_sharing_decision(
        by=by,
        subject=subject,
        agency=agency,
        decision=SharingDecision.Decision.SHARE,
        purpose="Joint disruption work",
        consent=SharingDecision.Consent.NOT_SOUGHT,
        consent_reason="Consent would place the child at risk",
    )


@pytest.fixture
def poi(alice, agency_b):
    person = make_person(alice, forename="Testperson", surname="Exampleby")
    share(alice, person, agency_b)
    return person


@pytest.fixture
def young_child(alice, agency_b, poi):
    """A 14-year-old of A, shared with B, linked to the person of interest."""
    child = make_child(
        alice,
        forename="Testchild",
        surname="Sampleton",
        date_of_birth=years_ago(14, 30),
        parental_responsibility="Testmother Sampleton",
    )
    share(alice, child, agency_b)
    core.create_link(
        by=alice,
        from_subject=child,
        to_subject=poi,
        kind=Link.Kind.SEEN_WITH,
        source=Link.Source.OBSERVATION,
        confidence=Link.Confidence.PROBABLE,
    )
    return child


@pytest.fixture
def looked_after_16(alice, agency_b):
    child = make_child(
        alice,
        forename="Testcare",
        surname="Sampleton",
        date_of_birth=years_ago(16, 30),
        legal_status=Child.LegalStatus.CARE_ORDER,
    )
    share(alice, child, agency_b)
    return child


def issue(by, person, child, **overrides):
    fields = {
        "by": by,
        "person": person,
        "child": child,
        "issue_date": TODAY,
        "child_name": f"{child.forename} {child.surname}",
        "parental_responsibility": child.parental_responsibility
        or "Testmother Sampleton",
        "recipient_name": "Testperson Exampleby",
        "recipient_date_of_birth": datetime.date(1980, 1, 1),
        "recipient_address": "1 Sample Street, Testtown, TE1 1ST",
    }
    fields.update(overrides)
    return services.issue_cawn(**fields)


def serve(by, cawn, **overrides):
    fields = {
        "by": by,
        "cawn": cawn,
        "served_at": timezone.now() - datetime.timedelta(minutes=5),
        "photograph_shown": True,
        "knowledge_verified_by": "",
        "signature": "signed",
        "refusal_reason": "",
        "review_on": None,
    }
    fields.update(overrides)
    return services.serve_cawn(**fields)


@pytest.fixture
def cawn(officer, poi, young_child):
    return issue(officer, poi, young_child)
