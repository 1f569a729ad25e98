"""The cast, used across the suite.

alice: practitioner in agency A (social care), who records children.
bob: colleague of alice in agency A with a read-only role (meeting administrator).
carol: CSE coordinator in agency A.
dave: police officer in agency B, which alice shares with.
erin: practitioner in agency C, an outsider who should never see A's children.
pam: safeguarding-partnership manager (aggregates only).
sam: system administrator.
"""

from __future__ import annotations

import pytest

from cse.models import Agency, Role
from tests.factories import AgencyFactory, LocalAreaFactory, UserFactory, make_child


@pytest.fixture
def area(db):
    return LocalAreaFactory(name="Testshire", slug="testshire")


@pytest.fixture
def agency_a(area):
    return AgencyFactory(
        name="Testshire Children's Services",
        kind=Agency.Kind.SOCIAL_CARE,
        local_area=area,
    )


@pytest.fixture
def agency_b(area):
    return AgencyFactory(
        name="Testshire Police", kind=Agency.Kind.POLICE, local_area=area
    )


@pytest.fixture
def agency_c(area):
    return AgencyFactory(
        name="Testshire Health", kind=Agency.Kind.HEALTH, local_area=area
    )


@pytest.fixture
def partnership(area):
    return AgencyFactory(
        name="Testshire Safeguarding Partnership",
        kind=Agency.Kind.PARTNERSHIP,
        local_area=area,
    )


@pytest.fixture
def alice(agency_a):
    return UserFactory(
        username="alice", first_name="Alice", agency=agency_a, roles=[Role.PRACTITIONER]
    )


@pytest.fixture
def bob(agency_a):
    return UserFactory(
        username="bob",
        first_name="Bob",
        agency=agency_a,
        roles=[Role.MEETING_ADMINISTRATOR],
    )


@pytest.fixture
def carol(agency_a):
    return UserFactory(
        username="carol",
        first_name="Carol",
        agency=agency_a,
        roles=[Role.CSE_COORDINATOR],
    )


@pytest.fixture
def dave(agency_b):
    return UserFactory(
        username="dave", first_name="Dave", agency=agency_b, roles=[Role.POLICE_OFFICER]
    )


@pytest.fixture
def erin(agency_c):
    return UserFactory(
        username="erin", first_name="Erin", agency=agency_c, roles=[Role.PRACTITIONER]
    )


@pytest.fixture
def pam(partnership):
    return UserFactory(
        username="pam",
        first_name="Pam",
        agency=partnership,
        roles=[Role.PARTNERSHIP_MANAGER],
    )


@pytest.fixture
def sam(agency_a):
    return UserFactory(
        username="sam",
        first_name="Sam",
        agency=agency_a,
        roles=[Role.SYSTEM_ADMINISTRATOR],
    )


@pytest.fixture
def child(alice):
    """A child recorded by alice's agency A, not shared with anyone."""
    return make_child(alice, forename="Testchild", surname="Sampleton")


@pytest.fixture
def client_for(client):
    """Log a cast member in: `client_for(alice)`."""

    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture(autouse=True)
def _force_login_passes_the_second_factor(monkeypatch):
    """`client.force_login(user)` signs in with both factors, as the suite assumes:
    the user gets a confirmed authenticator if they have none, and the session is
    marked as verified by it. For the password-only state use `unverified_client_for`
    (or set `client.second_factor = False` before force_login)."""
    from django.test import Client

    force_login = Client.force_login

    def force_login_verified(self, user, backend=None):
        force_login(self, user, backend)
        if getattr(self, "second_factor", True):
            verify_client(self, user)

    monkeypatch.setattr(Client, "force_login", force_login_verified)


def verify_client(client, user):
    """Mark a signed-in test client's session as having passed the second factor."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(
            user=user, name="Authenticator app", confirmed=True
        )
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


@pytest.fixture
def unverified_client_for(client):
    """Sign a cast member in with the password only: `unverified_client_for(alice)`."""

    def login(user):
        client.second_factor = False
        client.force_login(user)
        return client

    return login


REFUSED_BROKER = "redis://127.0.0.1:1/0"


@pytest.fixture
def broker_refused(monkeypatch):
    """The Celery app publishes for real (not in-process) to a broker address that
    refuses connections, with short timeouts; put back afterwards."""
    from cse import celery_app

    # Celery reads the variable before its configuration.
    monkeypatch.setenv("CELERY_BROKER_URL", REFUSED_BROKER)

    conf = celery_app.conf
    saved = {
        name: conf[name]
        for name in ("broker_url", "broker_transport_options", "task_always_eager")
    }

    def drop_pools():  # the next publish builds a pool for the current URL
        celery_app._pool = None
        celery_app.amqp._producer_pool = None

    drop_pools()
    conf.broker_url = REFUSED_BROKER
    conf.broker_transport_options = {"socket_connect_timeout": 1, "socket_timeout": 1}
    conf.task_always_eager = False
    try:
        yield REFUSED_BROKER
    finally:
        drop_pools()
        for name, value in saved.items():
            conf[name] = value


@pytest.fixture
def beat_alive(db, settings):
    """The periodic sweep has just run, as the readiness check (/health/) expects,
    and counts as recent however long the test takes."""
    from cse.outbox import record_heartbeat

    record_heartbeat("beat")
    settings.HEALTH_BEAT_MAX_AGE_SECONDS = 24 * 3600


@pytest.fixture
def audit_event_queries(db):
    """The queries one audit event costs: a single INSERT on PostgreSQL, where a
    trigger links it into its chain; on SQLite the previous link is read first."""
    from django.db import connection

    return 1 if connection.vendor == "postgresql" else 2
