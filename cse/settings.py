"""Settings, read from the environment.

Everything that differs between a laptop trial and a production deployment is an
environment variable; nothing hides in a production-only file. The defaults are the
embedded ones (SQLite, a filesystem Celery broker) so that `make run` needs no servers,
and DEBUG is off unless asked for.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("CSE_VAR_DIR", BASE_DIR / "var"))


def env_str(name: str, default: str | None = None) -> str:
    value = os.environ.get(name, default)
    if value is None:
        raise ImproperlyConfigured(f"Set the {name} environment variable.")
    return value


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}.")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(
            f"{name} must be a whole number, not {raw!r}."
        ) from exc


def env_list(name: str, default: str = "") -> list[str]:
    return [
        item.strip()
        for item in os.environ.get(name, default).split(",")
        if item.strip()
    ]


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Set SECRET_KEY (or DEBUG=true for a local trial).")
    SECRET_KEY = "insecure-local-trial-key-never-used-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "guardian",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_otp_webauthn",
    "crispy_forms",
    "cse",
    "screening",
    "missing",
    "meetings",
    "disruption",
    "reports",
]

MIDDLEWARE = [
    # First: probes get their JSON whatever the session, host, TLS or database.
    "cse.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Django's, plus the time of each session's last activity (cse/session_timeout.py).
    "cse.session_timeout.IdleSessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # After the CSRF check and before LoginRequiredMiddleware: a form posted after
    # the idle sign-out is kept for its author (cse/kept_work.py).
    "cse.kept_work.KeptWorkMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "cse.two_factor.SecondFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "cse.middleware.RequestContextMiddleware",
    "cse.middleware.AuditViewMiddleware",
    "cse.security.AbsoluteSessionLimitMiddleware",
    "cse.security.SecurityHeadersMiddleware",
    "cse.hidden_characters.HiddenCharactersMiddleware",
    "axes.middleware.AxesMiddleware",
    # Last: a form's one-time token is claimed only once every check above has let
    # the POST through to its view (cse/submission_tokens.py).
    "cse.submission_tokens.SubmissionTokenMiddleware",
]

ROOT_URLCONF = "cse.root_urls"
WSGI_APPLICATION = "cse.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "cse.context_processors.shell",
            ],
            # {% csrf_token %} also writes the form's one-time token.
            "builtins": ["cse.templatetags.form_tokens"],
        },
    }
]

# The database. Embedded default: SQLite in VAR_DIR, one connection, no roles.
# On PostgreSQL two roles (README, "The audit trail"):
# - DATABASE_URL is the app's role. It owns nothing and has no DDL; it may read and
#   write the app's tables but only SELECT and INSERT the audit trail.
# - MIGRATION_DATABASE_URL (optional) is the owner role, for the same database. The
#   commands that change the schema or privileges (manage.py migrate and
#   grant_app_role) run as the owner: manage.py sets CSE_DATABASE_ROLE=owner for
#   them. After migrating, the owner grants the app role (DATABASE_APP_ROLE, the user
#   of DATABASE_URL unless set) exactly those rights, new tables included.
# Without MIGRATION_DATABASE_URL everything runs as DATABASE_URL's role, as before.
if "DATABASE_URL" not in os.environ:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
_APP_DATABASE_URL = os.environ.get(
    "DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"
)
MIGRATION_DATABASE_URL = os.environ.get("MIGRATION_DATABASE_URL", "")
_DATABASE_ROLE = os.environ.get("CSE_DATABASE_ROLE", "app")
if _DATABASE_ROLE not in {"app", "owner"}:
    raise ImproperlyConfigured("CSE_DATABASE_ROLE must be app or owner.")
DATABASE_APP_ROLE = os.environ.get("DATABASE_APP_ROLE") or (
    dj_database_url.parse(_APP_DATABASE_URL).get("USER", "")
    if MIGRATION_DATABASE_URL
    else ""
)
if MIGRATION_DATABASE_URL:
    _app_db = dj_database_url.parse(_APP_DATABASE_URL)
    _owner_db = dj_database_url.parse(MIGRATION_DATABASE_URL)
    if (_app_db["ENGINE"], _app_db["NAME"]) != (_owner_db["ENGINE"], _owner_db["NAME"]):
        raise ImproperlyConfigured(
            "MIGRATION_DATABASE_URL must name the same database as DATABASE_URL."
        )
    if _app_db.get("USER") == _owner_db.get("USER"):
        raise ImproperlyConfigured(
            "DATABASE_URL and MIGRATION_DATABASE_URL must be different roles."
        )
DATABASES = {
    "default": dj_database_url.parse(
        MIGRATION_DATABASE_URL
        if _DATABASE_ROLE == "owner" and MIGRATION_DATABASE_URL
        else _APP_DATABASE_URL,
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Take the write lock when a transaction starts, not half-way through it:
    # the web process and the worker then queue instead of failing "database is
    # locked" (an audit event reads its chain's last link before it writes).
    DATABASES["default"].setdefault("OPTIONS", {})["transaction_mode"] = "IMMEDIATE"
# manage.py flush may empty the audit trail (as the owner). Only the test settings
# say yes; anywhere else the trail's TRUNCATE trigger refuses it.
AUDIT_TRAIL_FLUSHABLE = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "cse.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Lockout after failed sign-ins (see cse/lockout.py for the reasoning).
AXES_FAILURE_LIMIT = 5
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_COOLOFF_TIME = "cse.lockout.cool_off"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

# Two-factor sign-in for everyone (cse/two_factor.py): an authenticator app (TOTP,
# each code accepted once, one step of clock drift either way) with single-use
# recovery codes; users holding one of STRONG_FACTOR_ROLES must use a security key
# (WebAuthn) instead, e.g. STRONG_FACTOR_ROLES=system_administrator,police_intelligence
OTP_TOTP_ISSUER = "CSE case management"
OTP_TOTP_TOLERANCE = 1
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
RECOVERY_CODES = 10
STRONG_FACTOR_ROLES = env_list("STRONG_FACTOR_ROLES")
# Password reset links last an hour; at most this many reset e-mails an hour per account.
PASSWORD_RESET_TIMEOUT = 3600
PASSWORD_RESETS_PER_HOUR = 3

# Every free-text form field without a limit of its own is held to this many
# characters (cse.forms); the few that need more (meeting notes, intelligence
# reports) name LONG_FREE_TEXT_MAX_LENGTH.
FREE_TEXT_MAX_LENGTH = 10_000
LONG_FREE_TEXT_MAX_LENGTH = 20_000

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "cse:home"
LOGOUT_REDIRECT_URL = "login"

# Guardian answers has_perm for per-user object grants only; agency visibility is
# the access table in cse.permissions (see that module for why).
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False

# Sessions end after a period of inactivity: every request pushes the expiry on.
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_MINUTES", 30) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_ABSOLUTE_HOURS = env_int("SESSION_ABSOLUTE_HOURS", 12)
# The timeout warning (a dialog, with JavaScript) opens this long before the idle limit.
SESSION_TIMEOUT_WARNING_SECONDS = 120
# A form posted after the idle sign-out is kept, encrypted, for its author for this
# long, and shown again once they have signed in with both factors (cse/kept_work.py).
KEPT_WORK_MINUTES = 30
# Sharing, exports, bulk PDFs, break-glass and factor changes re-check identity
# when the last check is older than this.
STEP_UP_MINUTES = env_int("STEP_UP_MINUTES", 5)
# A form can be sent this many days after it was shown; its one-time token is
# refused after that, and claimed tokens are kept that long (cse.submission_tokens).
SUBMISSION_TOKEN_DAYS = env_int("SUBMISSION_TOKEN_DAYS", 7)
if not 1 <= SUBMISSION_TOKEN_DAYS <= 90:
    raise ImproperlyConfigured("SUBMISSION_TOKEN_DAYS must be between 1 and 90.")
# How long a break-glass grant lasts; an hour at most, whatever the environment says.
BREAK_GLASS_MINUTES = env_int("BREAK_GLASS_MINUTES", 60)
if not 1 <= BREAK_GLASS_MINUTES <= 60:
    raise ImproperlyConfigured("BREAK_GLASS_MINUTES must be between 1 and 60.")
# At most this many break-glass grants per user per calendar day (opening the same
# record again counts too).
BREAK_GLASS_DAILY_LIMIT = env_int("BREAK_GLASS_DAILY_LIMIT", 3)
if not 1 <= BREAK_GLASS_DAILY_LIMIT <= 20:
    raise ImproperlyConfigured("BREAK_GLASS_DAILY_LIMIT must be between 1 and 20.")
# Who may break glass: the case-working roles below by default; meeting
# administrators and chairs only when named here, e.g.
# BREAK_GLASS_ROLES=practitioner,cse_coordinator,police_officer,police_intelligence,meeting_chair
_BREAK_GLASS_ROLE_CHOICES = (
    "practitioner",
    "cse_coordinator",
    "police_officer",
    "police_intelligence",
    "meeting_administrator",
    "meeting_chair",
)
BREAK_GLASS_ROLES = env_list(
    "BREAK_GLASS_ROLES",
    "practitioner,cse_coordinator,police_officer,police_intelligence",
) or list(_BREAK_GLASS_ROLE_CHOICES[:4])
_unknown_break_glass_roles = sorted(
    set(BREAK_GLASS_ROLES) - set(_BREAK_GLASS_ROLE_CHOICES)
)
if _unknown_break_glass_roles:
    raise ImproperlyConfigured(
        "BREAK_GLASS_ROLES may name only "
        + ", ".join(_BREAK_GLASS_ROLE_CHOICES)
        + f"; not {', '.join(_unknown_break_glass_roles)}."
    )
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SECURE = env_bool("SECURE_COOKIES", not DEBUG)
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
if SECURE:
    # __Host- cookies are sent only over HTTPS, for this host and path /, so no
    # other site on the domain can set or read them.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY", False) else None
)
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%Y-%m-%d", "%d %m %Y"]

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": VAR_DIR / "private", "base_url": None},
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = ["govuk"]
CRISPY_TEMPLATE_PACK = "govuk"
CRISPY_FAIL_SILENTLY = not DEBUG

# Celery: Redis in real use; a filesystem broker needs no server for a local trial.
CELERY_BROKER_URL = os.environ.get(
    "CELERY_BROKER_URL", os.environ.get("REDIS_URL", "filesystem://")
)
BROKER_TIMEOUT = env_int("BROKER_TIMEOUT_SECONDS", 2)
if CELERY_BROKER_URL == "filesystem://":
    _queue_dir = VAR_DIR / "celery" / "queue"
    _queue_dir.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "processed_folder": str(VAR_DIR / "celery" / "processed"),
        "control_folder": str(VAR_DIR / "celery" / "control"),
        "store_processed": False,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # Long enough that a slow PDF is not re-delivered while it is still running.
        # Nothing waits for it: the outbox sweep sends e-mails left behind by a
        # dead worker within a minute.
        "visibility_timeout": 3600,
        # A broker that does not answer must not hold a web request for long.
        "socket_connect_timeout": BROKER_TIMEOUT,
        "socket_timeout": BROKER_TIMEOUT,
    }
# Enqueueing is best-effort (cse.celery): one quick retry, then the request goes on
# and the periodic sweeps pick the work up.
CELERY_BROKER_CONNECTION_TIMEOUT = BROKER_TIMEOUT
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True  # a worker that dies mid-task leaves it to be redone
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "UTC"
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
# Periodic jobs. Deadlines are columns scanned by these jobs, never long ETA tasks.
# Each part of the product keeps its entries in its own block below.
CELERY_BEAT_SCHEDULE: dict[str, dict] = {}
# --- core ---
# Every e-mail is an outbox row (cse.outbox). The task enqueued after a change commits
# usually sends it at once; this sweep sends whatever that missed (broker down, worker
# killed, database restarting), so an e-mail is at most this late. It also records
# the heartbeat the readiness check reads.
OUTBOX_SWEEP_SECONDS = env_int("OUTBOX_SWEEP_SECONDS", 60)
OUTBOX_SWEEP_BATCH = 500
OUTBOX_MAX_ATTEMPTS = env_int("OUTBOX_MAX_ATTEMPTS", 8)  # about 2 hours of tries
CELERY_BEAT_SCHEDULE["cse-sweep-outbox"] = {
    "task": "cse.tasks.sweep_outbox",
    "schedule": float(OUTBOX_SWEEP_SECONDS),
    # A tick queued behind a long backlog is dropped, not piled up.
    "options": {"expires": OUTBOX_SWEEP_SECONDS},
}
# /health/ready calls beat stale when its heartbeat is older than two sweeps: one late
# tick is not an outage.
HEALTH_BEAT_MAX_AGE_SECONDS = 2 * OUTBOX_SWEEP_SECONDS + 30
# --- end core ---
# --- cse ---
# Claimed form tokens are of no use once the tokens themselves are refused as too
# old (SUBMISSION_TOKEN_DAYS): delete them daily, 05:10 UTC.
CELERY_BEAT_SCHEDULE["cse-delete-old-submission-tokens"] = {
    "task": "cse.tasks.delete_old_submission_tokens",
    "schedule": crontab(hour=5, minute=10),
}
# --- end cse ---
# --- missing ---
# Return-home interview deadlines are columns scanned often, never long ETA tasks
# (Redis redelivers those): a reminder or an overdue alert is at most 5 minutes late.
CELERY_BEAT_SCHEDULE["missing-scan-return-interviews"] = {
    "task": "missing.tasks.scan_return_interviews",
    "schedule": 300.0,
}
# Re-check every child against the rules nightly (03:30 UTC, clear of the clock
# changes), in case an area's thresholds were changed.
CELERY_BEAT_SCHEDULE["missing-evaluate-patterns"] = {
    "task": "missing.tasks.evaluate_missing_patterns",
    "schedule": crontab(hour=3, minute=30),
}
# --- end missing ---
# --- meetings ---
# A document asked for while the broker was down waits as "queued": enqueue those
# older than 5 minutes again, so none is stuck.
CELERY_BEAT_SCHEDULE["meetings-requeue-waiting-documents"] = {
    "task": "meetings.tasks.requeue_waiting_documents",
    "schedule": 300.0,
    "options": {"expires": 300},
}
# Overdue meeting actions: once a day is enough (owners are reminded once per action),
# at 06:30 UTC, clear of the 00:00-02:00 local clock-change hours and before work.
CELERY_BEAT_SCHEDULE["meetings-remind-overdue-actions"] = {
    "task": "meetings.tasks.remind_overdue_actions",
    "schedule": crontab(hour=6, minute=30),
}
# --- end meetings ---
# --- screening ---
# --- end screening ---
# --- kept work ---
# Forms kept after an idle sign-out last KEPT_WORK_MINUTES; a sweep every 10 minutes
# deletes those nobody came back for (cse/kept_work.py).
CELERY_BEAT_SCHEDULE["cse-delete-expired-kept-work"] = {
    "task": "cse.tasks.delete_expired_kept_work",
    "schedule": 600.0,
}
# --- end kept work ---
# --- disruption ---
# A notice stops applying on the child's 16th (or, looked after, 18th) birthday:
# end it and lift the child's "CAWN in force" flag early each morning (UTC, clear
# of the 00:00-02:00 local clock-change hours).
CELERY_BEAT_SCHEDULE["disruption-expire-cawns"] = {
    "task": "disruption.tasks.expire_cawns",
    "schedule": crontab(hour=4, minute=15),
}
# --- end disruption ---
# --- reports ---
# A snapshot asked for while the broker was down waits as "pending": enqueue those
# older than 5 minutes again, so none is stuck.
CELERY_BEAT_SCHEDULE["reports-requeue-pending-snapshots"] = {
    "task": "reports.tasks.requeue_pending_snapshots",
    "schedule": 300.0,
    "options": {"expires": 300},
}
# The quarterly dataset is snapshotted on the first day after each quarter ends. A
# daily run (04:15 UTC, clear of the clock-change hours) creates the snapshot for the
# quarter just ended, and catches up if a day was missed; the unique constraint on
# scheduled snapshots makes the repeats harmless.
CELERY_BEAT_SCHEDULE["reports-quarter-end-snapshots"] = {
    "task": "reports.tasks.quarter_end_snapshots",
    "schedule": crontab(hour=4, minute=15),
}
# The MASE data snapshot of the month just ended is stored on the 1st; run daily so a
# missed day catches up (one stored snapshot per area and month, by constraint).
CELERY_BEAT_SCHEDULE["reports-mase-month-snapshots"] = {
    "task": "reports.tasks.mase_month_snapshots",
    "schedule": crontab(hour=4, minute=25),
}
# --- end reports ---

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if os.environ.get("EMAIL_HOST")
    else "django.core.mail.backends.filebased.EmailBackend",
)
EMAIL_FILE_PATH = VAR_DIR / "sent-email"
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = os.environ.get(
    "DEFAULT_FROM_EMAIL", "cse-case-management@example.org"
)
EMAIL_SUBJECT_PREFIX = "[CSE case management] "

# Where links in e-mails point; e-mails carry links, never personal data.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")

# Security keys (WebAuthn) are bound to this site: its host name and origin, from
# SITE_URL unless set apart. A key is a second factor here, never a password.
# Browsers allow keys over plain HTTP only on localhost (a local trial).
_site = urlsplit(SITE_URL)
_key_host = _site.hostname if _site.scheme == "https" else "localhost"
OTP_WEBAUTHN_RP_NAME = "CSE case management"
OTP_WEBAUTHN_RP_ID = os.environ.get("WEBAUTHN_RP_ID") or _key_host
OTP_WEBAUTHN_ALLOWED_ORIGINS = env_list(
    "WEBAUTHN_ALLOWED_ORIGINS",
    f"{_site.scheme}://{_key_host}" + (f":{_site.port}" if _site.port else ""),
)
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    # StreamHandler writes to stderr.
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # The PDF renderer narrates every step at INFO.
    "loggers": {
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        # One line per request (cse.middleware): method, path, status, duration,
        # request id, user id; never query strings. ACCESS_LOG_LEVEL=WARNING hides it.
        "cse.access": {"level": os.environ.get("ACCESS_LOG_LEVEL", "INFO")},
        # At DEBUG the template engine logs whole template contexts (a child's name
        # among them) for every missing variable: never below INFO, even when
        # LOG_LEVEL=DEBUG.
        "django.template": {"level": "INFO"},
    },
}
