"""/health/live, /health/ready and /health/: JSON for probes, 503 naming what is not
ready, and nothing else about the system."""

from __future__ import annotations

import datetime

import pytest
from django.db import OperationalError, connection
from django.urls import reverse
from django.utils import timezone

from cse.models import Heartbeat

READY = {"database": "ok", "broker": "ok", "beat": "ok"}
STATES = {"ok", "unavailable", "stale", "unknown"}


def _database_down(execute, sql, params, many, context):
    raise OperationalError("could not connect to server: Connection refused")


def test_live_answers_without_the_database(client, db, django_assert_num_queries):
    with django_assert_num_queries(0), connection.execute_wrapper(_database_down):
        response = client.get("/health/live")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok"}


def test_ready_is_200_when_database_broker_and_beat_are_fine(client, beat_alive):
    response = client.get("/health/ready")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": READY}
    assert response["Cache-Control"].startswith("max-age=0")


def test_the_old_address_is_the_readiness_check(client, beat_alive, broker_refused):
    assert reverse("health") == "/health/"
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json()["checks"]["broker"] == "unavailable"


def test_ready_is_503_naming_the_broker_when_it_refuses(
    client, beat_alive, broker_refused
):
    response = client.get("/health/ready")
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "status": "unavailable",
        "checks": {"database": "ok", "broker": "unavailable", "beat": "ok"},
    }


def test_ready_is_503_when_beat_has_not_run_within_two_sweeps(client, db, settings):
    response = client.get("/health/ready")
    assert response.status_code == 503  # never ran
    assert response.json()["checks"] == {**READY, "beat": "stale"}
    late = timezone.now() - datetime.timedelta(
        seconds=settings.HEALTH_BEAT_MAX_AGE_SECONDS + 5
    )
    Heartbeat.objects.create(name="beat", at=late)
    response = client.get("/health/ready")
    assert response.status_code == 503
    assert response.json()["checks"]["beat"] == "stale"
    Heartbeat.objects.filter(name="beat").update(
        at=timezone.now() - datetime.timedelta(seconds=30)
    )
    assert client.get("/health/ready").status_code == 200


def test_the_sweep_task_records_the_heartbeat(client, db):
    from cse.tasks import sweep_outbox

    assert client.get("/health/ready").json()["checks"]["beat"] == "stale"
    sweep_outbox.apply()
    assert client.get("/health/ready").status_code == 200


@pytest.mark.parametrize("signed_in", [False, True])
def test_ready_is_503_json_not_an_html_page_when_the_database_is_down(
    client, alice, signed_in
):
    if signed_in:  # a session cookie must not make the probe touch the database
        client.force_login(alice)
    client.raise_request_exception = False
    with connection.execute_wrapper(_database_down):
        response = client.get("/health/ready")
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "status": "unavailable",
        "checks": {"database": "unavailable", "broker": "ok", "beat": "unknown"},
    }


def test_probes_over_plain_http_to_an_internal_address_get_the_json(
    client, beat_alive, settings
):
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["cse.example.org"]
    response = client.get("/health/ready", HTTP_HOST="10.0.0.5:8000")
    assert response.status_code == 200
    assert client.get("/health/live", HTTP_HOST="10.0.0.5:8000").status_code == 200
    # Every other page still insists on HTTPS and a known host.
    assert client.get(reverse("login"), HTTP_HOST="cse.example.org").status_code == 301


def test_they_say_nothing_beyond_component_status(client, db, broker_refused):
    with connection.execute_wrapper(_database_down):
        body = client.get("/health/ready").content.decode()
    assert "127.0.0.1" not in body and "Connection refused" not in body
    assert "OperationalError" not in body
    for url in ("/health/live", "/health/ready", "/health/"):
        payload = client.get(url).json()
        assert set(payload) <= {"status", "checks"}
        assert set(payload.get("checks", {})) <= {"database", "broker", "beat"}
        assert set(payload.get("checks", {}).values()) <= STATES


def test_they_answer_head_and_refuse_post(client, beat_alive):
    assert client.head("/health/live").status_code == 200
    assert client.head("/health/ready").status_code == 200
    assert client.post("/health/live").status_code == 405
    assert client.post("/health/ready").status_code == 405
