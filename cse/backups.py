"""Backups of the whole product, the database and the uploaded files together, and
their restore into a new database, verified before it is used.

A backup is one directory (mode 0700; every file in it 0600, since it holds all the
personal data there is):

  manifest.json     when it was made, the app's version and migration heads, the
                    rows in every table, the audit trail's anchors, and the size and
                    SHA-256 of every file below
  database.dump     PostgreSQL: pg_dump's custom format, as the owner role
  database.sqlite3  SQLite (the embedded default): a copy by SQLite's backup API
  files/...         the private file storage (signed notices, generated documents)

The counts and anchors describe exactly what the dump holds: on PostgreSQL they are
read in the transaction whose snapshot pg_dump is given (`pg_dump --snapshot`); on
SQLite in the read transaction the copy is made in, which no writer can commit
through. The files are copied after that, so every file the database names is there.
A backup is written under a hidden name and renamed when complete, so a backup that
failed half-way never looks like one.

Nothing here prints personal data: the messages give counts, table names, hashes and
paths. pg_dump's and pg_restore's own messages can quote rows, so they go to a file
only the user running the command can read.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess  # noqa: S404 - pg_dump and pg_restore, never through a shell
import tempfile
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import django
from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connections, transaction
from django.db.migrations.loader import MigrationLoader

from cse import audit
from cse.audit_chain import digest, link_hash
from cse.database_roles import grant_app_role
from cse.management.commands.verify_audit import ANCHOR
from cse.models import AuditEvent

FORMAT = "cse-backup-1"
MANIFEST = "manifest.json"
POSTGRESQL_DUMP = "database.dump"
SQLITE_COPY = "database.sqlite3"
FILES = "files"
# The triggers that keep the trail append-only and chained (cse migrations 0002,
# 0012, 0013): a restore without them would be a trail anyone could rewrite.
AUDIT_TRIGGERS = (
    "cse_auditevent_append_only",
    "cse_auditevent_link",
    "cse_auditevent_no_truncate",
)
_CHUNK = 1 << 20


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


@dataclass
class Made:
    path: Path
    manifest: dict


@dataclass
class Restored:
    manifest: dict
    checks: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


# --- backup --------------------------------------------------------------------------


def make_backup(*, output: Path, using: str = "default") -> Made:
    """Write a backup of the database `using` and the private file storage into a
    new directory under `output`. Run as the database's owner role."""
    connection = connections[using]
    if connection.in_atomic_block:
        # The counts and the dump must share one snapshot of their own.
        raise BackupError("Back up outside a transaction.")
    root = _storage_root()
    now = datetime.datetime.now(datetime.UTC)
    if output.resolve().is_relative_to(root.resolve()):
        raise BackupError(
            f"Write backups outside the file storage ({root}), or each would hold the "
            "ones before it."
        )
    with _private_files():
        output.mkdir(parents=True, exist_ok=True)
        final = _free_name(output, f"cse-backup-{now:%Y%m%dT%H%M%SZ}")
        partial = output / f".{final.name}.partial"
        partial.mkdir(mode=0o700)
        try:
            # The backup is an export of every record: it goes in the trail first, so
            # the backup holds the event that says it was made.
            audit.record(
                by=None,
                action=AuditEvent.Action.EXPORT,
                summary="backup of the database and the uploaded files",
                detail={"backup": final.name},
            )
            if connection.vendor == "postgresql":
                state = _dump_postgresql(connection, partial / POSTGRESQL_DUMP)
            elif connection.vendor == "sqlite":
                state = _copy_sqlite(connection, partial / SQLITE_COPY)
            else:
                raise BackupError(f"Cannot back up a {connection.vendor} database.")
            files = [_file_entry(partial, partial / state.pop("file"))]
            for source in _stored_files(root):
                relative = source.relative_to(root)
                files.append(_copy_file(source, partial / FILES / relative, partial))
            manifest = {
                "format": FORMAT,
                "created_at": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "app": _app_version(),
                **state,
                "files": files,
            }
            _write_private(partial / MANIFEST, json.dumps(manifest, indent=2) + "\n")
            partial.rename(final)
        except BaseException:
            shutil.rmtree(partial, ignore_errors=True)
            raise
    return Made(final, manifest)


def _dump_postgresql(connection, target: Path) -> dict:
    pg_dump, version = _client("pg_dump", connection)
    log = _tool_log("pg_dump")
    connection.ensure_connection()
    with transaction.atomic(using=connection.alias):
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            (snapshot,) = cursor.fetchone()
        # pg_dump reads this transaction's snapshot while it counts and verifies.
        with open(log, "wb") as messages:
            dump = subprocess.Popen(  # noqa: S603 - fixed arguments, no shell
                [
                    pg_dump,
                    "--format=custom",
                    f"--snapshot={snapshot}",
                    f"--file={target}",
                    "--lock-wait-timeout=60000",
                ],
                env=_libpq_env(connection),
                stdout=subprocess.DEVNULL,
                stderr=messages,
            )
            try:
                state = _state(connection)
            finally:
                status = dump.wait()
    _tool_finished("pg_dump", status, log)
    return {
        "file": POSTGRESQL_DUMP,
        "database": {
            "vendor": "postgresql",
            "server_version": _server_version(connection),
            "dump": "pg_dump custom format",
            "pg_dump_version": version,
        },
        **state,
    }


def _copy_sqlite(connection, target: Path) -> dict:
    connection.ensure_connection()
    with connection.cursor() as cursor:
        # A read transaction (not Django's immediate one: SQLite's backup cannot read
        # through a connection holding the write lock). No writer can commit until
        # it ends, so the counts, the anchors and the copy agree.
        cursor.execute("BEGIN DEFERRED")
        try:
            state = _state(connection)
            _create_private(target)
            copy = sqlite3.connect(target)
            try:
                connection.connection.backup(copy)
            finally:
                copy.close()
        finally:
            cursor.execute("ROLLBACK")
    return {
        "file": SQLITE_COPY,
        "database": {"vendor": "sqlite", "server_version": sqlite3.sqlite_version},
        **state,
    }


def _state(connection) -> dict:
    """What the restore must find again: rows per table, migrations, the trail."""
    return {
        "tables": table_counts(connection),
        "migrations": migration_state(connection),
        "audit": _audit_state(),
    }


def _audit_state() -> dict:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("verify_audit", "--print-anchor", stdout=out, stderr=err)
    except CommandError as error:
        return {
            "intact": False,
            "problems": err.getvalue().splitlines() or [str(error)],
            "anchors": [],
        }
    lines = out.getvalue().splitlines()
    return {
        "intact": True,
        "summary": lines[0] if lines else "",
        "anchors": [":".join(found) for found in ANCHOR.findall(out.getvalue())],
    }


# --- restore -------------------------------------------------------------------------


def check_backup(path: Path) -> dict:
    """The backup's manifest, once every file it lists is there with its size and
    SHA-256, and nothing lies outside the backup directory."""
    manifest_path = path / MANIFEST
    try:
        manifest = json.loads(manifest_path.read_text())
    except FileNotFoundError:
        raise BackupError(f"{path} is not a backup: it has no {MANIFEST}.") from None
    except (OSError, ValueError) as error:
        raise BackupError(f"Cannot read {manifest_path}: {error}.") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(
            f"{path} is a backup of another format ({manifest.get('format')!r}); "
            f"this version reads {FORMAT}."
        )
    if not isinstance(manifest.get("files"), list) or not manifest.get("database"):
        raise BackupError(f"{manifest_path} is incomplete: it lists no files.")
    problems = []
    for entry in manifest["files"]:
        name = _inside(path, entry["path"])
        if not name.is_file():
            problems.append(f"{entry['path']} is missing")
        elif _sha256(name) != entry["sha256"]:
            problems.append(f"{entry['path']} does not match its checksum")
    if problems:
        raise BackupError(
            "The backup is damaged or incomplete: " + "; ".join(problems[:10]) + "."
        )
    return manifest


def restore_backup(
    *, path: Path, force: bool = False, using: str = "default"
) -> Restored:
    """Restore a backup into the (new, empty) database `using` and the private file
    storage, grant the app role, then check that the result is the backup: rows,
    migrations, the audit triggers and the trail against the backup's anchors. Run
    as the database's owner role. Nothing is written before every file of the backup
    has been checked and the database and storage found empty (unless `force`)."""
    connection = connections[using]
    manifest = check_backup(path)
    vendor = manifest["database"]["vendor"]
    if vendor != connection.vendor:
        raise BackupError(
            f"This is a {vendor} backup; the database configured is {connection.vendor}."
        )
    root = _storage_root()
    stored = [e for e in manifest["files"] if e["path"].startswith(f"{FILES}/")]
    if not force:
        if tables := _tables_in(connection):
            raise BackupError(
                f"The database {connection.settings_dict['NAME']} already has "
                f"{len(tables)} tables. Restore into a new, empty database, or add "
                "--force to replace what is there."
            )
        if any(True for _ in _stored_files(root)):
            raise BackupError(
                f"The file storage {root} is not empty. Restore into an empty one, or "
                "add --force to write over what is there."
            )
    with _private_files():
        if vendor == "postgresql":
            _restore_postgresql(
                connection, path / POSTGRESQL_DUMP, manifest, clean=force
            )
        else:
            _restore_sqlite(connection, path / SQLITE_COPY)
        result = Restored(manifest)
        role = settings.DATABASE_APP_ROLE
        if connection.vendor == "postgresql" and role:
            grant_app_role(connection, role)
            result.checks.append(f"Granted the app role {role} its rights.")
        for entry in stored:
            relative = entry["path"][len(FILES) + 1 :]
            _restore_file(path / entry["path"], _inside(root, relative))
    _verify(connection, root, stored, result)
    if not result.problems:
        event = audit.record(
            by=None,
            action=AuditEvent.Action.IMPORT,
            summary="restored from a backup",
            detail={"backup": path.name, "made": manifest["created_at"]},
        )
        _check_linked(event, result)
    return result


def _restore_postgresql(connection, dump: Path, manifest: dict, *, clean: bool):
    made_by = manifest["database"].get("pg_dump_version", "0")
    pg_restore, _ = _client("pg_restore", connection, at_least=_major(made_by))
    connection.close()
    log = _tool_log("pg_restore")
    arguments = [
        pg_restore,
        f"--dbname={connection.settings_dict['NAME']}",
        # The restoring owner owns everything; grant_app_role gives the app role
        # its rights afresh (the role may have another name here).
        "--no-owner",
        "--no-privileges",
        "--single-transaction",
        "--exit-on-error",
    ]
    if clean:
        arguments += ["--clean", "--if-exists"]
    with open(log, "wb") as messages:
        status = subprocess.run(  # noqa: S603 - fixed arguments, no shell
            [*arguments, str(dump)],
            env=_libpq_env(connection),
            stdout=subprocess.DEVNULL,
            stderr=messages,
            check=False,
        ).returncode
    _tool_finished("pg_restore", status, log)


def _restore_sqlite(connection, copy: Path) -> None:
    target = Path(connection.settings_dict["NAME"])
    connection.close()
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        _create_private(target)
    source = sqlite3.connect(f"file:{copy}?mode=ro", uri=True)
    destination = sqlite3.connect(target)
    try:
        source.backup(destination)
    finally:
        destination.close()
        source.close()
    target.chmod(0o600)


def _verify(connection, root: Path, stored: list[dict], result: Restored) -> None:
    manifest = result.manifest
    counts = table_counts(connection)
    expected = manifest["tables"]
    wrong = sorted(
        name
        for name in set(counts) | set(expected)
        if counts.get(name) != expected.get(name)
    )
    if wrong:
        result.problems.append(
            f"Rows differ from the backup's in {len(wrong)} tables: "
            + ", ".join(
                f"{name} ({counts.get(name, 'missing')} for {expected.get(name, 'none')})"
                for name in wrong[:10]
            )
        )
    else:
        result.checks.append(
            f"Rows: all {len(counts)} tables hold what the backup counted "
            f"({sum(counts.values())} rows)."
        )
    state = migration_state(connection)
    if state["unapplied"]:
        result.problems.append(
            f"{len(state['unapplied'])} migrations of this version of the app are not "
            f"applied (the backup was made by version {manifest['app']['version']}): "
            "restore with that version, or run manage.py migrate once checked."
        )
    elif state["unknown"]:
        result.problems.append(
            f"The database has {len(state['unknown'])} migrations this version of the "
            "app does not know: restore with the version that made the backup "
            f"({manifest['app']['version']})."
        )
    else:
        result.checks.append("Migrations: none unapplied.")
    if connection.vendor == "postgresql":
        _verify_triggers(connection, result)
    anchors = manifest["audit"].get("anchors", [])
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(
            "verify_audit", *(f"--anchor={a}" for a in anchors), stdout=out, stderr=err
        )
    except CommandError:
        result.problems.append(
            "The audit trail does not verify against the backup's anchors: "
            + "; ".join(err.getvalue().splitlines()[:5])
        )
    else:
        result.checks.append(f"Audit trail: {out.getvalue().strip()}")
    damaged = [
        entry["path"]
        for entry in stored
        if _sha256(_inside(root, entry["path"][len(FILES) + 1 :])) != entry["sha256"]
    ]
    if damaged:
        result.problems.append(f"{len(damaged)} restored files do not match the backup")
    else:
        result.checks.append(
            f"Files: {len(stored)} restored, each as it was backed up."
        )


def _verify_triggers(connection, result: Restored) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass"
            " AND NOT tgisinternal AND tgenabled = 'O'",
            ["cse_auditevent"],
        )
        present = {name for (name,) in cursor.fetchall()}
    if missing := sorted(set(AUDIT_TRIGGERS) - present):
        result.problems.append(
            f"The audit trail lacks its triggers {', '.join(missing)} (or they are "
            "disabled)."
        )
        return
    refused = [
        _refused(connection, "TRUNCATE cse_auditevent"),
        _refused(
            connection,
            "DELETE FROM cse_auditevent"
            " WHERE id = (SELECT min(id) FROM cse_auditevent)",
        ),
    ]
    if all(refused):
        result.checks.append(
            "Audit triggers: present; TRUNCATE and DELETE on the trail refused."
        )
    else:
        result.problems.append("The audit trail's triggers did not refuse a change.")


def _refused(connection, statement: str) -> bool:
    """Whether the database refuses `statement`; it is rolled back either way."""
    try:
        with transaction.atomic(using=connection.alias):
            with connection.cursor() as cursor:
                cursor.execute(statement)
                if cursor.rowcount == 0 and statement.startswith("DELETE"):
                    return True  # an empty trail: nothing for the row trigger to refuse
            transaction.set_rollback(True, using=connection.alias)
    except DatabaseError:
        return True
    return False


def _check_linked(event: AuditEvent, result: Restored) -> None:
    """The restore's own event was placed and hashed by the insert trigger (SQLite:
    by cse.audit), so new events keep extending the restored chains."""
    event.refresh_from_db()
    if (
        event.seq >= 1
        and digest(event) == event.digest
        and link_hash(event.chain, event.seq, event.prev_hash, event.digest)
        == event.hash
    ):
        result.checks.append(
            f"New audit events are chained: the restore is link {event.seq} of "
            f"chain {event.chain}."
        )
    else:
        result.problems.append("A new audit event was not linked into its chain.")


# --- what is compared ---------------------------------------------------------------


def table_counts(connection) -> dict[str, int]:
    """Rows in each of the database's tables."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        names = sorted(connection.introspection.table_names(cursor))
        counts = {}
        for name in names:
            # A table name from the database itself, quoted.
            cursor.execute(f"SELECT count(*) FROM {quote(name)}")  # noqa: S608  # nosec B608
            counts[name] = cursor.fetchone()[0]
    return counts


def migration_state(connection) -> dict:
    """The code's migration heads, and what the database has not applied or has
    applied that the code does not know."""
    loader = MigrationLoader(connection)
    applied = set(loader.applied_migrations)
    nodes = set(loader.graph.nodes)
    # A squashed migration stands for the ones it replaces, still recorded as applied.
    replaced = {
        name
        for migration in loader.replacements.values()
        for name in migration.replaces
    }
    return {
        "heads": sorted(f"{app}.{name}" for app, name in loader.graph.leaf_nodes()),
        "applied": len(applied),
        "unapplied": sorted(f"{app}.{name}" for app, name in nodes - applied),
        "unknown": sorted(f"{app}.{name}" for app, name in applied - nodes - replaced),
    }


def _tables_in(connection) -> list[str]:
    if connection.vendor == "sqlite":
        name = str(connection.settings_dict["NAME"])
        if name == ":memory:" or "mode=memory" in name:
            raise BackupError("Restore into a database file, not an in-memory one.")
        if not Path(name).exists():
            return []
    with connection.cursor() as cursor:
        return connection.introspection.table_names(cursor)


# --- files, tools and versions -------------------------------------------------------


def _storage_root() -> Path:
    storage = storages["default"]
    if not isinstance(storage, FileSystemStorage):
        raise BackupError(
            "The uploaded files are not kept in a local directory; back them up with "
            "their storage's own tools."
        )
    return Path(storage.location)


def _stored_files(root: Path) -> Iterator[Path]:
    if not root.is_dir():
        return
    for directory, subdirectories, names in os.walk(root):
        subdirectories.sort()
        for name in sorted(names):
            path = Path(directory) / name
            if path.is_file() and not path.is_symlink():
                yield path


def _inside(root: Path, relative: str) -> Path:
    """`root/relative`, refusing a name that would lead outside `root`."""
    parts = Path(relative).parts
    if not parts or Path(relative).is_absolute() or ".." in parts:
        raise BackupError(f"The backup names a file outside itself: {relative!r}.")
    return root.joinpath(*parts)


@contextmanager
def _private_files() -> Iterator[None]:
    """Every file and directory made meanwhile is the user's alone (0600, 0700)."""
    previous = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(previous)


def _create_private(path: Path) -> None:
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def _write_private(path: Path, text: str) -> None:
    with os.fdopen(
        os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w"
    ) as f:
        f.write(text)


def _copy_file(source: Path, target: Path, backup: Path) -> dict:
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    hashed = hashlib.sha256()
    size = 0
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL
    with (
        open(source, "rb") as read,
        os.fdopen(os.open(target, flags, 0o600), "wb") as write,
    ):
        while chunk := read.read(_CHUNK):
            hashed.update(chunk)
            write.write(chunk)
            size += len(chunk)
    return {
        "path": target.relative_to(backup).as_posix(),
        "bytes": size,
        "sha256": hashed.hexdigest(),
    }


def _restore_file(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
    with (
        open(source, "rb") as read,
        os.fdopen(os.open(target, flags, 0o600), "wb") as write,
    ):
        shutil.copyfileobj(read, write, _CHUNK)
    target.chmod(0o600)


def _file_entry(backup: Path, path: Path) -> dict:
    path.chmod(0o600)
    return {
        "path": path.relative_to(backup).as_posix(),
        "bytes": path.stat().st_size,
        "sha256": _sha256(path),
    }


def _sha256(path: Path) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def _free_name(output: Path, name: str) -> Path:
    candidate, n = output / name, 1
    while candidate.exists() or (output / f".{candidate.name}.partial").exists():
        n += 1
        candidate = output / f"{name}-{n}"
    return candidate


def _tool_log(tool: str) -> Path:
    """A file for a PostgreSQL tool's messages, which may quote rows: 0600."""
    handle, name = tempfile.mkstemp(prefix=f"cse-{tool}-", suffix=".log")
    os.close(handle)
    return Path(name)


def _tool_finished(tool: str, status: int, log: Path) -> None:
    if status != 0:
        raise BackupError(
            f"{tool} failed (exit status {status}). Its messages, which may quote "
            f"records, are in {log} (readable by you only); delete it when done."
        )
    log.unlink(missing_ok=True)


def _libpq_env(connection) -> dict[str, str]:
    """The connection's settings as libpq's variables, so the password is never on
    a command line."""
    params = connection.settings_dict
    _, extra = connection.client.settings_to_cmd_args_env(params, [])
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env.update(extra or {})
    for variable, key in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER")):
        if params.get(key):
            env[variable] = str(params[key])
    env["PGDATABASE"] = params["NAME"]
    return env


def _client(name: str, connection, at_least: int = 0) -> tuple[str, str]:
    """The PostgreSQL client program `name`, of the server's major version or
    later (an older pg_dump refuses a newer server)."""
    connection.ensure_connection()
    server = connection.pg_version // 10000
    wanted = max(server, at_least)
    found = []
    for candidate in (
        Path(f"/usr/lib/postgresql/{server}/bin/{name}"),
        shutil.which(name),
    ):
        if candidate is None or not Path(candidate).is_file():
            continue
        version = subprocess.run(  # noqa: S603 - a PostgreSQL program's --version
            [str(candidate), "--version"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
        found.append(f"{candidate} ({version or 'unknown version'})")
        if _major(_version_of(version)) >= wanted:
            return str(candidate), _version_of(version)
    raise BackupError(
        f"{name} {wanted} or later is needed (the server runs PostgreSQL {server}); "
        + (f"found only {', '.join(found)}" if found else "none found on PATH")
        + f". Install the PostgreSQL {wanted} client programs "
        f"(Debian: apt-get install postgresql-client-{wanted})."
    )


def _version_of(text: str) -> str:
    """'15.20' from 'pg_dump (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)'."""
    found = re.search(r"\(PostgreSQL\)\s*(\d+(?:\.\d+)*)", text)
    return found.group(1) if found else ""


def _major(version: str) -> int:
    return int(version.split(".", 1)[0]) if version[:1].isdigit() else 0


def _server_version(connection) -> str:
    major, minor = divmod(connection.pg_version, 10000)
    return f"{major}.{minor}"


def _app_version() -> dict:
    base = Path(settings.BASE_DIR)
    try:
        version = tomllib.loads((base / "pyproject.toml").read_text())["project"][
            "version"
        ]
    except (OSError, KeyError, ValueError):
        version = "unknown"
    commit = None
    git = shutil.which("git")
    if git and (base / ".git").exists():
        run = subprocess.run(  # noqa: S603 - git rev-parse, no shell
            [git, "-C", str(base), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            check=False,
        )
        commit = run.stdout.strip() or None
    return {"version": version, "commit": commit, "django": django.get_version()}
