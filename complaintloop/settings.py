"""Settings, read once from the environment. With nothing set, everything runs embedded
under ``var/`` (SQLite database, filesystem Celery broker)."""

import os
import time
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.core.management.utils import get_random_secret_key

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("COMPLAINTLOOP_VAR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).lower() in {"1", "true", "yes", "on"}


# DEPLOYMENT=production: a real installation behind TLS (docs/operations.md, "Production
# settings"). It must be given SECRET_KEY and gets secure cookies, HSTS and the HTTPS
# redirect by default. Anything else is the embedded install (make demo, tests, dev).
DEPLOYMENT = os.environ.get("DEPLOYMENT", "embedded").strip().lower() or "embedded"
if DEPLOYMENT not in {"embedded", "production"}:
    raise ImproperlyConfigured(f"DEPLOYMENT must be 'embedded' or 'production', not {DEPLOYMENT!r}")
PRODUCTION = DEPLOYMENT == "production"


def _weak(key: str) -> bool:
    # Django's own measure (security.W009): 50 characters, 5 distinct, not "insecure".
    return len(key) < 50 or len(set(key)) < 5 or key.startswith("django-insecure-")


def _persisted_secret_key(path: Path) -> str:
    """The embedded install's key: generated once, kept under the data directory, the
    same for every web worker and the Celery worker. Written to a temporary file and
    linked into place, so two processes starting at once agree on one key."""
    for _attempt in range(50):
        try:
            key = path.read_text(encoding="ascii").strip()
        except FileNotFoundError:
            key = ""
        if key:
            return key
        candidate = path.with_name(f".{path.name}.{os.getpid()}")
        candidate.write_text(get_random_secret_key(), encoding="ascii")
        os.chmod(candidate, 0o600)
        try:
            os.link(candidate, path)
        except FileExistsError:
            time.sleep(0.02)  # another process linked its key first: read that one
        finally:
            candidate.unlink(missing_ok=True)
    raise ImproperlyConfigured(f"cannot read or create the secret key file {path}")


def _secret_key() -> str:
    key = os.environ.get("SECRET_KEY", "").strip()
    if key:
        if PRODUCTION and _weak(key):
            raise ImproperlyConfigured(
                "SECRET_KEY is too weak for DEPLOYMENT=production: use at least 50 random "
                "characters, e.g. python -c 'from django.core.management.utils import "
                "get_random_secret_key as k; print(k())'"
            )
        return key
    if PRODUCTION:
        raise ImproperlyConfigured(
            "DEPLOYMENT=production requires SECRET_KEY (50+ random characters, the same on "
            "every web and worker process); see docs/operations.md"
        )
    return _persisted_secret_key(VAR_DIR / "secret_key")


SECRET_KEY = _secret_key()
# Keys sealing stored secrets (core/sealed.py); derived from SECRET_KEY when unset.
FIELD_ENCRYPTION_KEYS = [k for k in os.environ.get("FIELD_ENCRYPTION_KEYS", "").split(",") if k]
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# Transport security (docs/operations.md, "Production settings"): on by default with
# DEPLOYMENT=production, each switchable for the proxy in front.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", PRODUCTION)
# Load balancers probe over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^metrics$"]
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", PRODUCTION)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", PRODUCTION)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000" if PRODUCTION else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", PRODUCTION)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", PRODUCTION)
# "HTTP_X_FORWARDED_PROTO,https": the header a TLS-terminating proxy sets (and strips
# from what clients send). Unset: requests are as secure as they reach us.
_PROXY_SSL_HEADER = env_list("SECURE_PROXY_SSL_HEADER")
if _PROXY_SSL_HEADER and len(_PROXY_SSL_HEADER) != 2:
    raise ImproperlyConfigured(
        "SECURE_PROXY_SSL_HEADER is 'HEADER,value', e.g. HTTP_X_FORWARDED_PROTO,https"
    )
SECURE_PROXY_SSL_HEADER = tuple(_PROXY_SSL_HEADER) if _PROXY_SSL_HEADER else None
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Content-Security-Policy (django-csp): scripts from our own static files only, no
# inline script, no eval (htmx's allowEval is off, Alpine is its CSP build). Inline
# style attributes stay allowed (htmx and ECharts set styles). CSP_MODE=report-only
# sends the same policy as Content-Security-Policy-Report-Only; CSP_REPORT_URI names
# where browsers report violations.
_CSP = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "media-src": ["'self'", "blob:"],
        "object-src": ["'none'"],
        "frame-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        **(
            {"report-uri": [os.environ["CSP_REPORT_URI"]]}
            if os.environ.get("CSP_REPORT_URI")
            else {}
        ),
    }
}
if os.environ.get("CSP_MODE", "enforce").strip().lower() == "report-only":
    CONTENT_SECURITY_POLICY_REPORT_ONLY = _CSP
else:
    CONTENT_SECURITY_POLICY = _CSP

INSTALLED_APPS = [
    "complaintloop.core.apps.ConsoleAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "complaintloop.core",
    "complaintloop.org",
    "complaintloop.customers",
    "complaintloop.taxonomy",
    "complaintloop.processes",
    "complaintloop.routing",
    "complaintloop.incidents",
    "complaintloop.tickets",
    "complaintloop.notify",
    "complaintloop.webhooks",
    "complaintloop.portal",
    "complaintloop.attachments",
    "complaintloop.channels",
    "complaintloop.partners",
    "complaintloop.web",
    "complaintloop.insights",
    "complaintloop.quality",
    "complaintloop.reports",
    "complaintloop.retention",
    "complaintloop.demo",
    "csp",
    # TOTP second factor at sign-in (web.security.second_factor).
    "django_otp",
    "django_otp.plugins.otp_totp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Oversized request bodies: 413 before anything reads them (input limits below).
    "complaintloop.core.middleware.BodyLimitMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "complaintloop.web.security.middleware.SecondFactorRequired",
    # The signed-in user is the actor of configuration changes in the audit log.
    "complaintloop.core.audit.ActorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "complaintloop.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "complaintloop" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ]
        },
    }
]
WSGI_APPLICATION = "complaintloop.wsgi.application"

DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'complaintloop.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the web process and the worker share the file.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
IS_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")
if IS_POSTGRES and os.environ.get("PG_SESSION_TUNING", "1") == "1":
    # Planner settings for SSD storage and short OLTP queries: with the defaults
    # (random_page_cost 4, JIT on) PostgreSQL hash-joins all 1M tickets to count a
    # queue's 20k open work items (1.7 s instead of 0.15 s, bench/README.md).
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault("options", "-c random_page_cost=1.1 -c jit=off")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "org.Staff"
AUTHENTICATION_BACKENDS = ["complaintloop.org.backends.RoleBackend"]
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"
# Login protection (docs/operations.md, "Login protection and second factor"). Failures
# count per username and source address within the window: after LOGIN_CHALLENGE_AFTER
# a picture challenge and a doubling wait, after LOGIN_MAX_FAILURES a lock of that pair
# only. Failures of one address over all usernames, and of one username over all
# addresses, bring the challenge too (never a lock of the account).
LOGIN_CHALLENGE_AFTER = int(os.environ.get("LOGIN_CHALLENGE_AFTER", "3"))
LOGIN_MAX_FAILURES = int(os.environ.get("LOGIN_MAX_FAILURES", "10"))
LOGIN_LOCKOUT_MINUTES = int(os.environ.get("LOGIN_LOCKOUT_MINUTES", "15"))
LOGIN_FAILURE_WINDOW_MINUTES = int(os.environ.get("LOGIN_FAILURE_WINDOW_MINUTES", "60"))
LOGIN_RETRY_MAX_SECONDS = int(os.environ.get("LOGIN_RETRY_MAX_SECONDS", "60"))
LOGIN_ACCOUNT_CHALLENGE_AFTER = int(os.environ.get("LOGIN_ACCOUNT_CHALLENGE_AFTER", "20"))
LOGIN_ADDRESS_CHALLENGE_AFTER = int(os.environ.get("LOGIN_ADDRESS_CHALLENGE_AFTER", "20"))
LOGIN_ADDRESS_MAX_FAILURES = int(os.environ.get("LOGIN_ADDRESS_MAX_FAILURES", "100"))
# Reverse proxies in front that append to X-Forwarded-For (the one that sets
# SECURE_PROXY_SSL_HEADER's header): the source address is that many entries from the
# right. 0: the header is ignored and REMOTE_ADDR is the source.
LOGIN_TRUSTED_PROXIES = int(os.environ.get("LOGIN_TRUSTED_PROXIES", "0"))
# Roles that may enrol a TOTP second factor, and roles that must (comma-separated).
LOGIN_OTP_ROLES = [
    r.strip()
    for r in os.environ.get("LOGIN_OTP_ROLES", "system_admin,supervisor").split(",")
    if r.strip()
]
LOGIN_REQUIRE_OTP_ROLES = [
    r.strip() for r in os.environ.get("LOGIN_REQUIRE_OTP_ROLES", "").split(",") if r.strip()
]
LOGIN_OTP_STEP_SECONDS = int(os.environ.get("LOGIN_OTP_STEP_SECONDS", "300"))
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "ComplaintLoop")
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "complaintloop" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# Celery: filesystem broker under var/ unless BROKER_URL names RabbitMQ or Redis.
BROKER_DIR = VAR_DIR / "broker"
CELERY_BROKER_URL = os.environ.get("BROKER_URL", "filesystem://")
if CELERY_BROKER_URL == "filesystem://":
    for sub in ("out", "processed", "control"):
        (BROKER_DIR / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "out"),
        "data_folder_out": str(BROKER_DIR / "out"),
        "data_folder_processed": str(BROKER_DIR / "processed"),
        "store_processed": False,
        "control_folder": str(BROKER_DIR / "control"),
    }
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "sla-sweep": {"task": "complaintloop.tickets.tasks.sla_sweep", "schedule": 60.0},
    "outbox-drain": {"task": "complaintloop.core.tasks.drain_outbox", "schedule": 15.0},
    "notify-send-due": {"task": "complaintloop.notify.tasks.send_due", "schedule": 30.0},
    "webhooks-send-due": {"task": "complaintloop.webhooks.tasks.send_due", "schedule": 15.0},
    "early-warning": {
        "task": "complaintloop.insights.tasks.run_early_warning",
        "schedule": crontab(hour=1, minute=45),
    },
    "quality-rollup": {
        "task": "complaintloop.quality.tasks.rollup_recent",
        "schedule": crontab(hour=1, minute=30),
    },
    # After the nightly rollup: the previous month on the 1st, the previous week on Mondays.
    "reports-monthly": {
        "task": "complaintloop.reports.tasks.schedule_monthly",
        "schedule": crontab(day_of_month=1, hour=6, minute=0),
    },
    "reports-weekly": {
        "task": "complaintloop.reports.tasks.schedule_weekly",
        "schedule": crontab(day_of_week=1, hour=6, minute=30),
    },
}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# Inbound channels (complaintloop.channels): IMAP polling, SMS callback, offline units.
CELERY_BEAT_SCHEDULE["poll-mailboxes"] = {
    "task": "complaintloop.channels.tasks.poll_mailboxes",
    "schedule": float(os.environ.get("CHANNELS_POLL_SECONDS", "60")),
}
CHANNELS_IMAP_CA_FILE = os.environ.get("CHANNELS_IMAP_CA_FILE", "")  # extra CA bundle
CHANNELS_IMAP_TIMEOUT = float(os.environ.get("CHANNELS_IMAP_TIMEOUT", "30"))
CHANNELS_POLL_LIMIT = int(os.environ.get("CHANNELS_POLL_LIMIT", "200"))
CHANNELS_SMS_SECRET = os.environ.get("CHANNELS_SMS_SECRET", "")  # HMAC key of the SMS callback
CHANNELS_SMS_UNIT = os.environ.get("CHANNELS_SMS_UNIT", "")  # unit taking unknown numbers
CHANNELS_MEDIA_ORDER_TYPE = os.environ.get("CHANNELS_MEDIA_ORDER_TYPE", "complaint")
CHANNELS_MAIL_DOMAIN = os.environ.get("CHANNELS_MAIL_DOMAIN", "complaintloop.local")
CHANNELS_OFFLINE_FROM = os.environ.get("CHANNELS_OFFLINE_FROM", "workorders@complaintloop.local")
CHANNELS_OFFLINE_REPLY_TO = os.environ.get("CHANNELS_OFFLINE_REPLY_TO", "")

# Retention (R33; docs/operations.md, "Retention (R33)"): the policies are rows edited on
# /retention/; the worker applies them every night, after the quality rollup.
CELERY_BEAT_SCHEDULE["retention-apply"] = {
    "task": "complaintloop.retention.tasks.apply_nightly",
    "schedule": crontab(hour=2, minute=30),
}
RETENTION_BATCH = int(os.environ.get("RETENTION_BATCH", "1000"))  # rows per transaction
RETENTION_MIN_DAYS = int(os.environ.get("RETENTION_MIN_DAYS", "30"))  # shortest period
RETENTION_STALE_MINUTES = int(os.environ.get("RETENTION_STALE_MINUTES", "30"))
# Key of the customers' pseudonyms (HMAC-SHA256); SECRET_KEY when unset. A new key gives
# later runs other pseudonyms for the same number; none can be turned back into it.
RETENTION_PSEUDONYM_KEY = os.environ.get("RETENTION_PSEUDONYM_KEY", "")

# Outgoing mail (scheduled report delivery); Django's SMTP backend.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = 30
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "complaintloop@localhost")

# Outbox delivery is enqueued on commit; tests and benchmarks can turn that off and
# drain the table explicitly.
OUTBOX_DISPATCH_ON_COMMIT = env_bool("OUTBOX_DISPATCH_ON_COMMIT", True)
# A claimed row whose worker died is taken again after this lease.
OUTBOX_CLAIM_LEASE_SECONDS = int(os.environ.get("OUTBOX_CLAIM_LEASE_SECONDS", "300"))

# Notifications (docs/operations.md, "Notifications and webhooks"). Without EMAIL_HOST
# in the environment (embedded mode has no SMTP server) mail goes to files in var/mail/.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if os.environ.get("EMAIL_HOST")
    else "django.core.mail.backends.filebased.EmailBackend",
)
EMAIL_FILE_PATH = VAR_DIR / "mail"
SMS_GATEWAY = os.environ.get("SMS_GATEWAY", "log")  # "log" (embedded) or "http"
SMS_GATEWAY_URL = os.environ.get("SMS_GATEWAY_URL", "")
SMS_GATEWAY_KEY = os.environ.get("SMS_GATEWAY_KEY", "")
SMS_GATEWAY_TIMEOUT = float(os.environ.get("SMS_GATEWAY_TIMEOUT", "5"))
NOTIFY_QUIET_HOURS = os.environ.get("NOTIFY_QUIET_HOURS", "21:00-08:00")  # local; "" = none
NOTIFY_MAX_ATTEMPTS = int(os.environ.get("NOTIFY_MAX_ATTEMPTS", "8"))
NOTIFY_RETRY_BASE_SECONDS = float(os.environ.get("NOTIFY_RETRY_BASE_SECONDS", "30"))
PORTAL_URL = os.environ.get("PORTAL_URL", "http://127.0.0.1:8000/portal/")
WEBHOOK_TIMEOUT_SECONDS = float(os.environ.get("WEBHOOK_TIMEOUT_SECONDS", "5"))
WEBHOOK_MAX_ATTEMPTS = int(os.environ.get("WEBHOOK_MAX_ATTEMPTS", "8"))
WEBHOOK_RETRY_BASE_SECONDS = float(os.environ.get("WEBHOOK_RETRY_BASE_SECONDS", "30"))
WEBHOOK_RETRY_MAX_SECONDS = float(os.environ.get("WEBHOOK_RETRY_MAX_SECONDS", "21600"))
# Webhook receivers on loopback, link-local or private addresses are refused (the server
# would POST into its own network) unless the receivers are known to live there.
WEBHOOK_ALLOW_PRIVATE_TARGETS = env_bool("WEBHOOK_ALLOW_PRIVATE_TARGETS", False)

# Input limits (docs/operations.md, "Input limits"): a body past them is answered 413
# before it is read. JSON bodies, forms and callbacks: DATA_UPLOAD_MAX_MEMORY_SIZE bytes.
# Multipart uploads: UPLOAD_MAX_BODY_BYTES, enough for the attachments allowed in one
# request (5 files of 10 MB, attachments.services) and the form around them.
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("DATA_UPLOAD_MAX_MEMORY_SIZE", "2621440"))
UPLOAD_MAX_BODY_BYTES = int(os.environ.get("UPLOAD_MAX_BODY_BYTES", str(51 * 1024 * 1024)))

# Working hours for working-time SLAs (the calendar table says which days count).
WORKDAY_START = os.environ.get("WORKDAY_START", "09:00")
WORKDAY_END = os.environ.get("WORKDAY_END", "18:00")
SLA_FIRST_RESPONSE_MINUTES = int(os.environ.get("SLA_FIRST_RESPONSE_MINUTES", "120"))
SLA_NEAR_BREACH_RATIO = float(os.environ.get("SLA_NEAR_BREACH_RATIO", "0.8"))

# Partner systems asked at intake (R30): CRM customer directory, BOSS billing, NSP
# network faults. Without a URL a source is simulated (demo data); with one, it is asked
# over HTTP JSON with this timeout in seconds, and intake never waits longer.
PARTNERS = {
    name: {
        "url": os.environ.get(f"PARTNER_{name.upper()}_URL", ""),
        "timeout": float(os.environ.get(f"PARTNER_{name.upper()}_TIMEOUT", "0.8")),
        "token": os.environ.get(f"PARTNER_{name.upper()}_TOKEN", ""),
    }
    for name in ("directory", "billing", "faults")
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "spiff": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        "httpx": {"level": "WARNING"},  # otherwise one INFO line per webhook or SMS sent
    },
}
