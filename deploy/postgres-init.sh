#!/bin/sh
# Run once by the postgres image when its data directory is first created, as
# POSTGRES_USER: the superuser, which owns the database and runs migrations. Creates
# the app's role, which owns nothing and gets its rights from `manage.py migrate`
# (cse.database_roles): never a superuser, never able to create roles or databases.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v app_role="$APP_DB_USER" -v app_password="$APP_DB_PASSWORD" <<'SQL'
CREATE ROLE :"app_role" LOGIN PASSWORD :'app_password'
  NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
SQL
