"""manage.py backup and restore: records and an uploaded file are backed up into one
private directory, restored into a new database (PostgreSQL: created here, with an
owner role and an app role of its own, and dropped after) and a new file storage,
and the result is the backup: rows, migrations, the audit triggers, the trail
against the backup's anchors, the file byte for byte. Nothing personal is printed.
"""

from __future__ import annotations

import datetime
import io
import json
import os
import secrets
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import psycopg2
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from cse import services
from cse.backups import table_counts
from cse.models import SharingDecision
from missing import services as missing
from tests.factories import make_child

ROOT = Path(__file__).resolve().parents[2]
NAME = ("Testchild", "Backupson")
UPLOAD = "cawns/signed-copy-test.pdf"

pytestmark = pytest.mark.django_db(transaction=True)
postgresql_only = pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="pg_dump and roles are PostgreSQL's"
)
sqlite_only = pytest.mark.skipif(
    "connection.vendor != 'sqlite'", reason="the embedded default is SQLite"
)


@pytest.fixture
def storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "private", "base_url": None},
        },
    }
    return tmp_path / "private"


@pytest.fixture
def records(alice, agency_b, storage):
    """A child with an episode (and its interview), shared with agency B, and an
    uploaded file; every step audited."""
    child = make_child(alice, forename=NAME[0], surname=NAME[1])
    moment = datetime.datetime(2020, 3, 1, 10, tzinfo=datetime.UTC)
    missing.record_episode(
        by=alice,
        child=child,
        fields={
            "category": "missing",
            "missing_from": "home",
            "reported_at": moment,
            "last_seen_at": moment,
            "returned_at": moment + datetime.timedelta(hours=9),
        },
    )
    services.record_sharing_decision(
        by=alice,
        subject=child,
        agency=agency_b,
        decision=SharingDecision.Decision.SHARE,
        purpose="Joint investigation of exploitation concerns",
        consent=SharingDecision.Consent.GIVEN,
    )
    content = secrets.token_bytes(40_000)
    stored = storages["default"].save(UPLOAD, ContentFile(content))
    assert stored == UPLOAD
    return child, content


def _backup(tmp_path) -> tuple[Path, dict, str]:
    out = io.StringIO()
    call_command("backup", "--output", str(tmp_path / "backups"), stdout=out)
    (made,) = (tmp_path / "backups").iterdir()
    return made, json.loads((made / "manifest.json").read_text()), out.getvalue()


def _assert_private(backup: Path) -> None:
    assert stat.S_IMODE(backup.stat().st_mode) == 0o700
    for directory, subdirectories, names in os.walk(backup):
        for name in subdirectories:
            assert stat.S_IMODE((Path(directory) / name).stat().st_mode) == 0o700
        for name in names:
            assert stat.S_IMODE((Path(directory) / name).stat().st_mode) == 0o600


def _assert_nothing_personal(*texts: str) -> None:
    for text in texts:
        for part in NAME:
            assert part not in text


def _manage(*args: str, env: dict) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "DATABASE_URL",
            "MIGRATION_DATABASE_URL",
            "DATABASE_APP_ROLE",
            "CSE_DATABASE_ROLE",
            "DJANGO_SETTINGS_MODULE",
        }
    }
    clean.update(SECRET_KEY="test-only-secret-key-for-a-restore-subprocess", **env)
    return subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, str(ROOT / "manage.py"), *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_a_backup_lists_and_checksums_every_file_and_refuses_one_changed_since(
    records, tmp_path
):
    backup, manifest, printed = _backup(tmp_path)
    _assert_private(backup)
    _assert_nothing_personal(printed)
    # Its own audit event is written before the snapshot it counts; nothing after.
    assert manifest["tables"] == table_counts(connection)
    assert manifest["tables"]["cse_child"] == 1
    assert manifest["audit"]["intact"] and manifest["audit"]["anchors"]
    assert not manifest["migrations"]["unapplied"]
    listed = {entry["path"] for entry in manifest["files"]}
    assert f"files/{UPLOAD}" in listed and len(listed) == 2
    call_command("restore", str(backup), "--check", stdout=io.StringIO())

    (backup / "files" / UPLOAD).write_bytes(b"changed")
    with pytest.raises(CommandError, match="does not match its checksum"):
        call_command("restore", str(backup), "--check", stdout=io.StringIO())


@postgresql_only
def test_restore_refuses_a_database_that_is_not_empty(records, tmp_path):
    backup, _, _ = _backup(tmp_path)
    before = table_counts(connection)
    with pytest.raises(CommandError, match="already has .* tables"):
        call_command("restore", str(backup), stdout=io.StringIO())
    assert table_counts(connection) == before


# --- PostgreSQL: into a new database with roles of its own --------------------------


@pytest.fixture
def new_database():
    """A new, empty database owned by a role of its own (no superuser, as in real
    use), and an app role to grant; all dropped after the test."""
    base = connection.settings_dict["NAME"][:40]
    name, owner, app = f"{base}_restored", f"{base}_rs_owner", f"{base}_rs_app"
    admin = _admin()

    def drop():
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            for role in (owner, app):
                cursor.execute(f'DROP ROLE IF EXISTS "{role}"')

    drop()
    with admin.cursor() as cursor:
        for role, password in ((owner, "owner-test"), (app, "app-test")):
            cursor.execute(
                f"CREATE ROLE \"{role}\" LOGIN PASSWORD '{password}' "
                "NOSUPERUSER NOCREATEDB NOCREATEROLE"
            )
        cursor.execute(f'CREATE DATABASE "{name}" OWNER "{owner}"')
    yield {"name": name, "owner": (owner, "owner-test"), "app": (app, "app-test")}
    drop()
    admin.close()


def _admin():
    settings_dict = connection.settings_dict
    admin = psycopg2.connect(
        host=settings_dict["HOST"] or None,
        port=settings_dict["PORT"] or None,
        dbname=settings_dict["NAME"],
        user=settings_dict["USER"],
        password=settings_dict["PASSWORD"] or None,
    )
    admin.autocommit = True
    return admin


def _url(database: dict, role: str) -> str:
    user, password = database[role]
    host = connection.settings_dict["HOST"] or "127.0.0.1"
    port = connection.settings_dict["PORT"] or 5432
    return f"postgres://{user}:{password}@{host}:{port}/{database['name']}"


def _connect(database: dict, role: str):
    user, password = database[role]
    link = psycopg2.connect(
        host=connection.settings_dict["HOST"] or None,
        port=connection.settings_dict["PORT"] or None,
        dbname=database["name"],
        user=user,
        password=password,
    )
    link.autocommit = True
    return link


@postgresql_only
def test_a_postgresql_backup_restores_into_a_new_database_as_it_was(
    records, tmp_path, new_database
):
    child, content = records
    backup, manifest, printed = _backup(tmp_path)
    assert manifest["database"]["dump"] == "pg_dump custom format"
    with connection.cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations")
        migrations = set(cursor.fetchall())
    restored_var = tmp_path / "restored-var"
    env = {
        "DATABASE_URL": _url(new_database, "app"),
        "MIGRATION_DATABASE_URL": _url(new_database, "owner"),
        "CSE_VAR_DIR": str(restored_var),
    }

    restore = _manage("restore", str(backup), env=env)

    assert restore.returncode == 0, restore.stderr
    assert "match the backup" in restore.stdout
    assert "TRUNCATE and DELETE on the trail refused" in restore.stdout
    _assert_nothing_personal(printed, restore.stdout, restore.stderr)

    owner = _connect(new_database, "owner")
    try:
        restored = {}
        with owner.cursor() as cursor:
            for table in manifest["tables"]:
                cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608
                restored[table] = cursor.fetchone()[0]
            cursor.execute("SELECT forename, surname FROM cse_child")
            assert cursor.fetchall() == [NAME]
            cursor.execute("SELECT app, name FROM django_migrations")
            assert set(cursor.fetchall()) == migrations
        # The restore's own event is the one row more.
        assert restored == manifest["tables"] | {
            "cse_auditevent": manifest["tables"]["cse_auditevent"] + 1
        }
        # The trigger refuses TRUNCATE even to the owner (rolled back either way).
        owner.autocommit = False
        with (
            owner.cursor() as cursor,
            pytest.raises(psycopg2.Error, match="append-only"),
        ):
            cursor.execute("TRUNCATE cse_auditevent")
        owner.rollback()
    finally:
        owner.close()
    app = _connect(new_database, "app")
    try:
        with app.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM cse_child")
            assert cursor.fetchone() == (1,)
            with pytest.raises(psycopg2.Error):
                cursor.execute("TRUNCATE cse_auditevent")
    finally:
        app.close()

    anchors = [f"--anchor={anchor}" for anchor in manifest["audit"]["anchors"]]
    verified = _manage(
        "verify_audit", *anchors, env={**env, "MIGRATION_DATABASE_URL": ""}
    )
    assert verified.returncode == 0, verified.stderr
    assert f"{len(anchors)} anchors found" in verified.stdout

    copy = restored_var / "private" / UPLOAD
    assert copy.read_bytes() == content
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600


# --- SQLite, the embedded default -------------------------------------------------------


@sqlite_only
def test_an_sqlite_backup_restores_into_a_new_database_file_as_it_was(
    records, tmp_path
):
    child, content = records
    backup, manifest, printed = _backup(tmp_path)
    _assert_private(backup)
    assert (backup / "database.sqlite3").is_file()
    restored_var = tmp_path / "restored-var"

    restore = _manage("restore", str(backup), env={"CSE_VAR_DIR": str(restored_var)})

    assert restore.returncode == 0, restore.stderr
    assert "match the backup" in restore.stdout
    assert "Migrations: none unapplied" in restore.stdout
    _assert_nothing_personal(printed, restore.stdout, restore.stderr)
    database = restored_var / "db.sqlite3"
    assert stat.S_IMODE(database.stat().st_mode) == 0o600
    copy = sqlite3.connect(database)
    try:
        assert copy.execute("SELECT forename, surname FROM cse_child").fetchall() == [
            NAME
        ]
        for table, rows in manifest["tables"].items():
            found = copy.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]  # noqa: S608
            assert found == rows + (table == "cse_auditevent")
        for anchor in manifest["audit"]["anchors"]:
            chain, seq, expected = anchor.split(":")
            assert copy.execute(
                "SELECT hash FROM cse_auditevent WHERE chain = ? AND seq = ?",
                [int(chain), int(seq)],
            ).fetchall() == [(expected,)]
    finally:
        copy.close()
    restored_file = restored_var / "private" / UPLOAD
    assert restored_file.read_bytes() == content
    assert stat.S_IMODE(restored_file.stat().st_mode) == 0o600

    again = _manage("restore", str(backup), env={"CSE_VAR_DIR": str(restored_var)})
    assert again.returncode != 0
    assert "already has" in again.stderr and "--force" in again.stderr
