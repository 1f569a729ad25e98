"""The app's PostgreSQL role: what it may do, granted by the owner role.

The app connects as a role that owns nothing. It may read and write the app's
tables and use their sequences, but on the append-only tables only SELECT and
INSERT, and on the migration history only SELECT. It has no DDL: it cannot create,
alter or drop tables, disable triggers, or truncate. The owner role (the one that
runs migrate) grants this after every migrate and sets default privileges, so a
table added later is covered as soon as it exists.
"""

from __future__ import annotations

import re

from django.core.management.base import CommandError

# Rows are only ever added here (cse.audit.record).
APPEND_ONLY_TABLES = ("cse_auditevent",)
# Only migrate writes here.
READ_ONLY_TABLES = ("django_migrations",)

_ROLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_$]{0,62}$")


def grant_app_role(connection, role: str) -> list[str]:
    """Grant `role` the app's rights on the database `connection` is on (as the
    owner), after checking the role cannot do more. Returns the statements run."""
    if connection.vendor != "postgresql":
        raise CommandError("Database roles exist on PostgreSQL only.")
    if not _ROLE_NAME.match(role):
        raise CommandError(f"{role!r} is not a plain PostgreSQL role name.")
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        _check_role(cursor, role)
        cursor.execute("SELECT current_database(), current_schema()")
        database, schema = cursor.fetchone()
        existing = set(connection.introspection.table_names(cursor))
        who, db, ns = quote(role), quote(database), quote(schema)
        statements = [
            f"GRANT CONNECT ON DATABASE {db} TO {who}",
            f"REVOKE CREATE ON DATABASE {db} FROM {who}",
            f"REVOKE CREATE ON SCHEMA {ns} FROM PUBLIC",
            f"REVOKE CREATE ON SCHEMA {ns} FROM {who}",
            f"GRANT USAGE ON SCHEMA {ns} TO {who}",
            f"REVOKE ALL ON ALL TABLES IN SCHEMA {ns} FROM PUBLIC",
            f"REVOKE ALL ON ALL TABLES IN SCHEMA {ns} FROM {who}",
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {ns} "
            f"TO {who}",
            *(
                f"REVOKE UPDATE, DELETE ON {quote(table)} FROM {who}"
                for table in APPEND_ONLY_TABLES
                if table in existing
            ),
            *(
                f"REVOKE INSERT, UPDATE, DELETE ON {quote(table)} FROM {who}"
                for table in READ_ONLY_TABLES
                if table in existing
            ),
            f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {ns} FROM {who}",
            f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {ns} TO {who}",
            # Tables and sequences the owner creates later (the next migrate
            # grants again, narrowing any new append-only table).
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA {ns} "
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {who}",
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA {ns} "
            f"GRANT USAGE, SELECT ON SEQUENCES TO {who}",
        ]
        for statement in statements:
            cursor.execute(statement)
    return statements


def _check_role(cursor, role: str) -> None:
    cursor.execute(
        "SELECT rolsuper, rolcreaterole, rolcreatedb, rolbypassrls,"
        " rolname = current_user, pg_has_role(rolname, current_user, 'MEMBER')"
        " FROM pg_roles WHERE rolname = %s",
        [role],
    )
    row = cursor.fetchone()
    if row is None:
        raise CommandError(
            f"There is no role {role!r}: create it first "
            f"(CREATE ROLE {role} LOGIN PASSWORD '...')."
        )
    superuser, createrole, createdb, bypassrls, is_owner, member = row
    problems = [
        text
        for present, text in (
            (is_owner, "is the role running this command (the owner)"),
            (superuser, "is a superuser"),
            (createrole, "may create roles (CREATEROLE)"),
            (createdb, "may create databases (CREATEDB)"),
            (bypassrls, "bypasses row security (BYPASSRLS)"),
            (member, "is a member of the owner role"),
        )
        if present
    ]
    cursor.execute(
        "SELECT count(*) FROM pg_class"
        " WHERE relowner = (SELECT oid FROM pg_roles WHERE rolname = %s)",
        [role],
    )
    if owned := cursor.fetchone()[0]:
        problems.append(f"owns {owned} tables, indexes or sequences here")
    if problems:
        raise CommandError(
            f"The app role {role!r} must own nothing and have no more rights than "
            f"it is granted, but it {'; '.join(problems)}."
        )
