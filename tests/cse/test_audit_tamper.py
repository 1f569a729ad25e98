"""The audit trail resists erasure by the app's own database role, and any change
made around that (by the owner role or a superuser) breaks its hash chain, which
verify_audit reports."""

from __future__ import annotations

import datetime
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import psycopg2
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from cse import audit
from cse.audit_chain import GENESIS, digest, link_hash
from cse.models import AuditEvent

ROOT = Path(__file__).resolve().parents[2]
postgresql_only = pytest.mark.skipif(
    "connection.vendor != 'postgresql'",
    reason="database roles and triggers are PostgreSQL's",
)


def verify(*args) -> str:
    out = io.StringIO()
    err = io.StringIO()
    try:
        call_command("verify_audit", *args, stdout=out, stderr=err)
    except CommandError:
        raise AssertionError(err.getvalue()) from None
    return out.getvalue()


def verify_fails(*args) -> str:
    err = io.StringIO()
    with pytest.raises(CommandError, match="altered") as failure:
        call_command("verify_audit", *args, stdout=io.StringIO(), stderr=err)
    assert failure.value.returncode == 1
    return err.getvalue()


def tamper(sql: str, params=()) -> None:
    """Change the trail as the owner would: on PostgreSQL with its trigger set aside
    for the moment (SQLite has none)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE cse_auditevent DISABLE TRIGGER USER")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE cse_auditevent ENABLE TRIGGER USER")


@pytest.fixture
def trail(alice, child):
    """A few events on one chain, oldest first."""
    for n in range(5):
        audit.record(by=alice, action="view", obj=child, summary=f"look {n}")
    return list(AuditEvent.objects.order_by("chain", "seq"))


# --- the chain, on either database ---------------------------------------------


def test_events_are_linked_one_after_another(trail):
    by_chain: dict[int, list[AuditEvent]] = {}
    for event in trail:
        by_chain.setdefault(event.chain, []).append(event)
    for events in by_chain.values():
        assert [e.seq for e in events] == list(range(1, len(events) + 1))
        assert events[0].prev_hash == GENESIS
        for before, after in zip(events, events[1:], strict=False):
            assert after.prev_hash == before.hash
        assert all(digest(e) == e.digest for e in events)
        assert all(
            link_hash(e.chain, e.seq, e.prev_hash, e.digest) == e.hash for e in events
        )
    assert "The audit trail is intact" in verify()


def test_values_the_database_respells_still_verify(alice):
    token = audit.set_request_context(
        audit.RequestContext(ip_address="::FFFF:10.1.2.3", path="/x/", request_id="r")
    )
    try:
        audit.record(
            by=alice,
            action="export",
            summary="Unicode — “quoted” ünïcode",
            changes={"n": [1.0, 2.5]},
            detail={
                "big": 1e16,
                "small": 0.1,
                3: "int key",
                "nested": {"b": 1, "a": 2},
            },
        )
    finally:
        audit.reset_request_context(token)
    assert "intact" in verify()


def test_a_changed_event_is_found(trail):
    target = trail[2]
    tamper(
        "UPDATE cse_auditevent SET summary = %s WHERE id = %s", ["edited", target.pk]
    )
    problems = verify_fails()
    assert f"link {target.seq} (event #{target.pk}" in problems
    assert "has been changed since it was written" in problems


def test_a_changed_user_or_time_is_found(trail):
    target = trail[1]
    tamper("UPDATE cse_auditevent SET user_id = NULL WHERE id = %s", [target.pk])
    assert f"event #{target.pk}" in verify_fails()


def test_a_removed_event_is_a_missing_link(trail):
    target = trail[2]
    tamper("DELETE FROM cse_auditevent WHERE id = %s", [target.pk])
    problems = verify_fails()
    assert (
        f"link {target.seq} missing (removed) before link {target.seq + 1}" in problems
    )


def test_a_removed_first_event_is_a_missing_link(trail):
    tamper("DELETE FROM cse_auditevent WHERE id = %s", [trail[0].pk])
    assert "link 1 is missing" in verify_fails()


def test_an_event_written_around_record_is_reported(trail):
    AuditEvent.objects.create(action="view", summary="not through record()")
    assert "written around cse.audit.record" in verify_fails()


def test_a_rewritten_chain_passes_alone_but_fails_against_its_anchor(trail):
    out = verify("--print-anchor")
    anchors = re.findall(r"^\d+:\d+:[0-9a-f]{64}", out, flags=re.MULTILINE)
    assert len(anchors) == 1
    # Rewrite every link from the second on, hashes recomputed: the chain alone is
    # consistent again, as a superuser with time could make it.
    for event in trail[1:]:
        event.summary = "rewritten"
    rewrite(trail[1:])
    assert "intact" in verify()
    assert "is not the one anchored" in verify_fails("--anchor", anchors[0])


def test_events_removed_from_the_end_fail_against_an_anchor(trail, tmp_path):
    anchors = tmp_path / "anchors.txt"
    anchors.write_text(verify("--print-anchor"))
    last = trail[-1]
    tamper("DELETE FROM cse_auditevent WHERE id = %s", [last.pk])
    assert "intact" in verify()  # a cut end leaves no gap...
    problems = verify_fails("--anchor-file", str(anchors))  # ...but the anchor knows
    assert f"no longer has link {last.seq}" in problems
    assert "intact" in verify(
        "--anchor", f"{last.chain}:{last.seq - 1}:{trail[-2].hash}"
    )


def rewrite(events: list[AuditEvent]) -> None:
    """Recompute every link of `events` (one chain, in order) from the first on and
    store them: what someone able to change rows and with time to spare can do."""
    prev = events[0].prev_hash
    for event in events:
        event.prev_hash = prev
        event.digest = digest(event)
        event.hash = prev = link_hash(event.chain, event.seq, prev, event.digest)
        tamper(
            "UPDATE cse_auditevent SET at = %s, summary = %s, digest = %s,"
            " prev_hash = %s, hash = %s WHERE id = %s",
            [
                event.at,
                event.summary,
                event.digest,
                event.prev_hash,
                event.hash,
                event.pk,
            ],
        )


def test_a_date_range_checks_the_days_asked_for(trail):
    # A consistent history over two days: the first link on an earlier day.
    old = trail[0]
    old.at = datetime.datetime(2026, 1, 10, 12, tzinfo=datetime.UTC)
    rewrite(trail)
    assert "1 events" in verify("--since", "2026-01-10", "--until", "2026-01-10")
    assert f"{len(trail) - 1} events" in verify("--since", "2026-01-11")
    # Alter the old day's event: a range that includes it notices, and so does a
    # range that starts from it.
    tamper("UPDATE cse_auditevent SET summary = 'x' WHERE id = %s", [old.pk])
    assert "has been changed" in verify_fails("--until", "2026-01-10")
    assert "before the range, has been changed" in verify_fails("--since", "2026-01-11")


def test_bad_options_are_clear_errors(trail):
    with pytest.raises(CommandError, match="not a date"):
        call_command("verify_audit", "--since", "10/01/2026")
    with pytest.raises(CommandError, match="holds no anchor"):
        call_command("verify_audit", "--anchor", "nonsense")
    with pytest.raises(CommandError, match="after --until"):
        call_command("verify_audit", "--since", "2026-02-01", "--until", "2026-01-01")


# --- PostgreSQL: triggers, roles, chains under contention ----------------------


@postgresql_only
def test_the_owner_cannot_truncate_the_trail_either(trail):
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    for statement in (
        "TRUNCATE cse_auditevent",
        "TRUNCATE cse_auditevent CASCADE",
        "TRUNCATE cse_breakglass CASCADE",  # cascades into the trail
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement)
    assert AuditEvent.objects.count() == len(trail)


@postgresql_only
def test_a_busy_chain_is_passed_over_not_waited_for(alice):
    """Writers holding a chain (a transaction still open) do not hold up others:
    the next event goes on the first chain free."""
    CHAIN_LOCK_KEY = 0x63736561  # noqa: N806 (as in migration 0012)
    settings_dict = connection.settings_dict
    other = psycopg2.connect(
        host=settings_dict["HOST"] or None,
        port=settings_dict["PORT"] or None,
        dbname=settings_dict["NAME"],
        user=settings_dict["USER"],
        password=settings_dict["PASSWORD"] or None,
    )
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            with connection.cursor() as ours:
                ours.execute("SELECT pg_backend_pid() %% %s", [8])
                ours_first = ours.fetchone()[0]
            for chain in range(8):
                if chain != (ours_first + 3) % 8:
                    cursor.execute(
                        "SELECT pg_advisory_xact_lock(%s, %s)", [CHAIN_LOCK_KEY, chain]
                    )
        event = audit.record(by=alice, action="view", summary="while busy")
        assert event.seq >= 1 and event.chain == (ours_first + 3) % 8
    finally:
        other.rollback()
        other.close()
    assert "intact" in verify()


@postgresql_only
def test_the_grant_refuses_a_role_that_could_do_more(db):
    with pytest.raises(CommandError, match="superuser|owner"):
        call_command("grant_app_role", connection.settings_dict["USER"])
    with pytest.raises(CommandError, match="no role"):
        call_command("grant_app_role", "no_such_role_here")
    with pytest.raises(CommandError, match="plain PostgreSQL role name"):
        call_command("grant_app_role", 'x"; DROP TABLE cse_auditevent; --')


@pytest.fixture
def app_role(transactional_db):
    """A real login role for the app on the test database, granted by the command
    the owner runs after migrate, and a connection as it."""
    role = f"{connection.settings_dict['NAME']}_app"[:63]
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        if cursor.fetchone():
            cursor.execute(f'DROP OWNED BY "{role}"')
            cursor.execute(f'DROP ROLE "{role}"')
        cursor.execute(
            f"CREATE ROLE \"{role}\" LOGIN PASSWORD 'app-role-test' "
            "NOSUPERUSER NOCREATEDB NOCREATEROLE"
        )
    call_command("grant_app_role", role, stdout=io.StringIO())
    settings_dict = connection.settings_dict
    app = psycopg2.connect(
        host=settings_dict["HOST"] or None,
        port=settings_dict["PORT"] or None,
        dbname=settings_dict["NAME"],
        user=role,
        password="app-role-test",
    )
    app.autocommit = True
    yield role, app
    app.close()
    with connection.cursor() as cursor:
        cursor.execute(f'DROP OWNED BY "{role}"')
        cursor.execute(f'DROP ROLE "{role}"')


def _as_app(app, *statements):
    with app.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
        return cursor.fetchall() if cursor.description else None


@postgresql_only
def test_the_app_role_cannot_erase_or_alter_the_trail(app_role, alice, child):
    role, app = app_role
    for n in range(3):
        audit.record(by=alice, action="view", obj=child, summary=f"look {n}")
    before = list(
        AuditEvent.objects.order_by("pk").values_list("pk", "summary", "hash")
    )
    refused = []
    for attempt in (
        ["TRUNCATE cse_auditevent"],
        ["TRUNCATE cse_auditevent CASCADE"],
        ["TRUNCATE cse_breakglass CASCADE"],
        ["DELETE FROM cse_auditevent"],
        ["UPDATE cse_auditevent SET summary = 'gone'"],
        ["ALTER TABLE cse_auditevent DISABLE TRIGGER ALL"],
        ["ALTER TABLE cse_auditevent DISABLE TRIGGER cse_auditevent_append_only"],
        ["DROP TRIGGER cse_auditevent_append_only ON cse_auditevent"],
        ["SET session_replication_role = replica"],
        ["BEGIN", "SET LOCAL session_replication_role = replica"],
        ["DROP TABLE cse_auditevent CASCADE"],
        ["ALTER TABLE cse_auditevent RENAME TO cse_old_events"],
        ["CREATE TABLE cse_auditevent_copy (id int)"],
        [f'SET ROLE "{connection.settings_dict["USER"]}"'],
    ):
        try:
            _as_app(app, *attempt)
        except psycopg2.Error:
            refused.append(attempt[-1])
        finally:
            if app.status != psycopg2.extensions.STATUS_READY:
                app.rollback()
            app.autocommit = True
    assert len(refused) == 14, refused
    after = list(AuditEvent.objects.order_by("pk").values_list("pk", "summary", "hash"))
    assert after == before


@postgresql_only
def test_the_app_role_adds_and_reads_events_and_works_the_other_tables(
    app_role, alice, child
):
    role, app = app_role
    audit.record(by=alice, action="view", obj=child, summary="by the owner")
    # The app adds an event by plain SQL, asking for a place of its choosing: the
    # database places and hashes it as the next link of a chain all the same.
    event = AuditEvent(
        at=datetime.datetime.now(datetime.UTC), action="view", summary="by the app"
    )
    with app.cursor() as cursor:
        cursor.execute(
            "INSERT INTO cse_auditevent (at, username, action, object_type, object_id,"
            " summary, changes, detail, path, request_id, digest, chain, seq,"
            " prev_hash, hash) VALUES (%s, '', 'view', '', '', %s, '{}', '{}', '', '',"
            " %s, 50, 1, %s, 'forged') RETURNING chain, seq",
            [event.at, event.summary, digest(event), GENESIS],
        )
        chain, seq = cursor.fetchone()
        assert chain < 8 and (chain, seq) != (50, 1)
        cursor.execute("SELECT count(*) FROM cse_auditevent")
        assert cursor.fetchone()[0] == AuditEvent.objects.count()
        # Ordinary tables: read, write, delete, and their sequences.
        cursor.execute("UPDATE cse_subject SET search_text = search_text")
        cursor.execute("DELETE FROM django_session")
        cursor.execute(
            "INSERT INTO django_session (session_key, session_data, expire_date)"
            " VALUES ('k', 'd', now())"
        )
        cursor.execute(
            "SELECT count(*) FROM pg_class"
            " WHERE relowner = (SELECT oid FROM pg_roles WHERE rolname = %s)",
            [role],
        )
        assert cursor.fetchone()[0] == 0
    assert "intact" in verify()


@postgresql_only
def test_a_table_added_later_is_granted_to_the_app(app_role):
    role, app = app_role
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE cse_later (id bigserial PRIMARY KEY, v text)")
    try:
        _as_app(
            app, "INSERT INTO cse_later (v) VALUES ('x')", "SELECT v FROM cse_later"
        )
        with pytest.raises(psycopg2.Error):
            _as_app(app, "TRUNCATE cse_later")
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE cse_later")


@postgresql_only
def test_verify_finds_a_row_the_owner_changed_with_the_trigger_off(
    app_role, alice, child
):
    role, app = app_role
    for n in range(4):
        audit.record(by=alice, action="view", obj=child, summary=f"look {n}")
    target = AuditEvent.objects.order_by("pk")[1]
    with connection.cursor() as cursor:  # committed: this test is not in a transaction
        cursor.execute(
            "ALTER TABLE cse_auditevent DISABLE TRIGGER cse_auditevent_append_only"
        )
        cursor.execute(
            "UPDATE cse_auditevent SET summary = 'nothing to see' WHERE id = %s",
            [target.pk],
        )
        cursor.execute(
            "ALTER TABLE cse_auditevent ENABLE TRIGGER cse_auditevent_append_only"
        )
    # The app role sees the change and the command reading as it would report it.
    with app.cursor() as cursor:
        cursor.execute("SELECT summary FROM cse_auditevent WHERE id = %s", [target.pk])
        assert cursor.fetchall() == [("nothing to see",)]
    assert f"event #{target.pk}" in verify_fails()
    with connection.cursor() as cursor:
        cursor.execute(
            "ALTER TABLE cse_auditevent DISABLE TRIGGER cse_auditevent_append_only"
        )
        cursor.execute("DELETE FROM cse_auditevent WHERE id = %s", [target.pk])
        cursor.execute(
            "ALTER TABLE cse_auditevent ENABLE TRIGGER cse_auditevent_append_only"
        )
    assert f"link {target.seq} missing" in verify_fails()


# --- settings: which role each command connects as -----------------------------


def _settings_in(env: dict) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    for name in ("DATABASE_URL", "MIGRATION_DATABASE_URL", "DATABASE_APP_ROLE"):
        base.pop(name, None)
    base.update(DEBUG="true", CSE_VAR_DIR=str(ROOT / "var"), **env)
    return subprocess.run(  # noqa: S603 (our own settings)
        [
            sys.executable,
            "-c",
            "import cse.settings as s; d = s.DATABASES['default'];"
            "print(d['USER'], d['NAME'], s.DATABASE_APP_ROLE)",
        ],
        cwd=ROOT,
        env=base,
        capture_output=True,
        text=True,
        timeout=60,
    )


APP_URL = "postgres://cse_app:a@db:5432/cse"
OWNER_URL = "postgres://cse:o@db:5432/cse"


def test_the_app_connects_as_its_role_and_migrate_as_the_owner():
    app = _settings_in({"DATABASE_URL": APP_URL, "MIGRATION_DATABASE_URL": OWNER_URL})
    assert app.stdout.split() == ["cse_app", "cse", "cse_app"], app.stderr
    owner = _settings_in(
        {
            "DATABASE_URL": APP_URL,
            "MIGRATION_DATABASE_URL": OWNER_URL,
            "CSE_DATABASE_ROLE": "owner",
        }
    )
    assert owner.stdout.split() == ["cse", "cse", "cse_app"], owner.stderr
    # One role, as before, when no owner is configured: nothing to grant.
    single = _settings_in({"DATABASE_URL": APP_URL, "CSE_DATABASE_ROLE": "owner"})
    assert single.stdout.split() == ["cse_app", "cse"], single.stderr


def test_the_owner_url_must_be_another_role_on_the_same_database():
    other_db = _settings_in(
        {"DATABASE_URL": APP_URL, "MIGRATION_DATABASE_URL": OWNER_URL + "_other"}
    )
    assert "must name the same database" in other_db.stderr
    same_role = _settings_in(
        {"DATABASE_URL": APP_URL, "MIGRATION_DATABASE_URL": APP_URL}
    )
    assert "must be different roles" in same_role.stderr


def test_manage_py_runs_migrate_and_grants_as_the_owner():
    import manage

    assert {"migrate", "grant_app_role"} <= manage.OWNER_COMMANDS
