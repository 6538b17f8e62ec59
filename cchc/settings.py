"""One settings module, driven by environment variables (documented in .env.example).

With no variable set, the platform runs embedded: SQLite under DATA_DIR, debug off-by-default
protections relaxed only where the embedded demo needs it (see CCHC_DEMO).
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from cchc.lib.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env_str("DATA_DIR", str(BASE_DIR / "var"))).resolve()

# The embedded demo (make run) is the default; production sets CCHC_DEMO=0 and SECRET_KEY.
DEMO = env_bool("CCHC_DEMO", True)
DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY", "embedded-demo-only-not-secret" if DEMO else None)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # The form renderer (TemplatesSetting) finds Django's own form templates through this app.
    "django.forms",
    "django_htmx",
    "ninja",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_tasks",
    "django_tasks_db",
    "django_ratelimit",
    "cchc.accounts",
    "cchc.units",
    "cchc.catalogue",
    "cchc.worktime",
    "cchc.dossiers",
    "cchc.notify",
    "cchc.feedback",
    "cchc.tickets",
    "cchc.records",
    "cchc.surveys",
    "cchc.portal",
    "cchc.reports",
    "cchc.parindex",
    "cchc.ops",
]

MIDDLEWARE = [
    # An oversize body is answered 413 from its Content-Length before anything reads it.
    "cchc.lib.bodylimit.RequestBodyLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    # A NUL character in the path or query string: 404/400 before anything reads it (issue 10).
    "cchc.lib.nul_guard.RefuseNulMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "cchc.portal.middleware.VietnameseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # A business refusal no view caught: its message and status on a page, not a 500 (the API
    # answers the same refusals as JSON in cchc.api).
    "cchc.lib.errors.DomainErrorMiddleware",
    # Turns a blocked rate limit into RATELIMIT_VIEW's 429 page with what to do.
    "django_ratelimit.middleware.RatelimitMiddleware",
    "cchc.accounts.middleware.StaffIdleTimeoutMiddleware",
    "cchc.accounts.middleware.RequireTwoFactorMiddleware",
    # Axes must be last: it inspects the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "cchc.urls"
WSGI_APPLICATION = "cchc.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "cchc" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "cchc.portal.context.site",
                "cchc.portal.context.brand",
            ],
            # {% error_summary %} and friends on every page without a {% load %}.
            "builtins": ["cchc.lib.ui"],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'cchc.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=env_bool("DB_CONN_HEALTH_CHECKS", True),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # WAL and a busy timeout let the web server and the job worker share the file safely;
    # IMMEDIATE transactions make SQLite writers queue instead of failing with "locked".
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # Tests use a file, not SQLite's shared in-memory database, so that concurrency tests run
    # real parallel transactions (IMMEDIATE mode makes the second writer wait, then fail cleanly).
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / f"test-{os.getpid()}.sqlite3")}
# A PostgreSQL streaming replica that reports and exports read from (cchc/dbrouter.py: reads of
# the reports app and reads inside `with replica():`); unset, everything reads the primary.
DATABASE_REPLICA_URL = env_str("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(
        DATABASE_REPLICA_URL,
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=env_bool("DB_CONN_HEALTH_CHECKS", True),
    )
    # A test database has no replica: tests read the primary under this alias.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["cchc.dbrouter.ReplicaRouter"]
# Seconds reads go to the primary after the replica failed to answer, before it is tried again.
REPLICA_RETRY_SECONDS = env_int("REPLICA_RETRY_SECONDS", 30)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "units:workspace"
LOGOUT_REDIRECT_URL = "portal:home"

# Login lockout and two-factor: see the security block near the end.

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "cchc" / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True
FORMAT_MODULE_PATH = ["cchc.formats"]
# One way of rendering forms: label, hint, error at the field, input (cchc.lib.forms).
FORM_RENDERER = "cchc.lib.forms.FormRenderer"

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "cchc" / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(DATA_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = env_bool("WHITENOISE_USE_FINDERS", False)

# A cache shared by every process: rate limits must count across gunicorn workers. The database
# cache needs nothing more than the database; set REDIS_URL in production for speed.
REDIS_URL = env_str("REDIS_URL", "")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "cchc_cache"}
    ),
    # Per process, never shared: answers that are cheap to check and costly to build, each
    # stored under a key that changes with its source (e.g. a dossier's row version), so a
    # stale entry is never found. The timeout bounds what the key cannot see (a unit renamed).
    "local": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "cchc-local",
        "TIMEOUT": 300,
        "OPTIONS": {"MAX_ENTRIES": 5000},
    },
    # Rate-limit counters: shared by all processes and incremented atomically, in Redis when
    # there is one, else in one database table with one statement per call (ratecounter.py).
    # Either counts in this process's memory while its store does not answer (an outage).
    "ratelimit": (
        {"BACKEND": "cchc.portal.ratecounter.ResilientRedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "cchc.portal.ratecounter.RateCounterCache"}
    ),
}
RATELIMIT_ENABLE = env_bool("RATELIMIT_ENABLE", True)
RATELIMIT_USE_CACHE = "ratelimit"
RATELIMIT_VIEW = "cchc.lib.ratelimited.rate_limited"
# W001 only says a backend is not in django-ratelimit's short list (Django's own Redis backend
# is not in it either); both backends above count atomically.
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"]

# Durable, database-backed job queue: enqueued in the same transaction as the change.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "cchc@localhost")

# The citizens' portal as printed on receipts (QR codes) and in messages.
PUBLIC_BASE_URL = env_str("PUBLIC_BASE_URL", "http://127.0.0.1:8000")

# SMS to citizens: a gateway class (cchc.notify.sms.HttpSmsGateway in production, or the file
# gateway that only writes DATA_DIR/sms.log). Production must choose explicitly, so that SMS are
# never silently written to a file instead of being sent.
SMS_GATEWAY = env_str("SMS_GATEWAY", "cchc.notify.sms.FileSmsGateway" if DEMO else None)
SMS_STRIP_DIACRITICS = env_bool("SMS_STRIP_DIACRITICS", True)
SMS_FILE_PATH = env_str("SMS_FILE_PATH", "")  # empty: DATA_DIR/sms.log
SMS_HTTP_URL = env_str("SMS_HTTP_URL", "")
SMS_HTTP_TOKEN = env_str("SMS_HTTP_TOKEN", "")
SMS_HTTP_TIMEOUT = env_int("SMS_HTTP_TIMEOUT", 10)
SMS_SENDER = env_str("SMS_SENDER", "CCHC")
NOTIFY_MAX_ATTEMPTS = env_int("NOTIFY_MAX_ATTEMPTS", 5)
NOTIFY_RETRY_DELAY_SECONDS = env_int("NOTIFY_RETRY_DELAY_SECONDS", 60)
NOTIFY_REMINDER_HOUR = env_int("NOTIFY_REMINDER_HOUR", 7)
# Local hour of the nightly job that closes the queue's past days (no-shows, expired bookings).
QUEUE_CLOSE_HOUR = env_int("QUEUE_CLOSE_HOUR", 1)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)

# One-stop rules the sources mark UNVERIFIED (docs/rules.md): data with today's behaviour as the
# default, read through cchc.dossiers.rules.
ONE_STOP_MAX_RESCHEDULES = env_int("ONE_STOP_MAX_RESCHEDULES", 1)
ONE_STOP_MAX_SUPPLEMENTS = env_int("ONE_STOP_MAX_SUPPLEMENTS", 1)
ONE_STOP_SUPPLEMENT_WINDOW_DAYS = env_int("ONE_STOP_SUPPLEMENT_WINDOW_DAYS", 3)
ONE_STOP_PAYMENT_STOPS_CLOCK = env_bool("ONE_STOP_PAYMENT_STOPS_CLOCK", False)
ONE_STOP_NEXT_MORNING_MINUTES = env_int("ONE_STOP_NEXT_MORNING_MINUTES", 60)
DOSSIER_CODE_PATTERN = env_str("DOSSIER_CODE_PATTERN", "{agency}-{day:%y%m%d}-{number:04d}")
FORMS_LEGAL_BASIS = env_str("FORMS_LEGAL_BASIS", "")

# The public face: who runs this service, as people know it from the national and provincial
# portals (header: emblem, authority, site name; footer: responsible agency, hotline, address).
# The demo is Thanh Hóa's; a province sets its own. The emblem is a static path or a full URL.
BRAND_AUTHORITY = env_str("BRAND_AUTHORITY", "UBND tỉnh Thanh Hóa")
BRAND_SITE_NAME = env_str("BRAND_SITE_NAME", "Hệ thống thông tin giải quyết thủ tục hành chính")
BRAND_SHORT_NAME = env_str("BRAND_SHORT_NAME", "Dịch vụ công Thanh Hóa")
BRAND_EMBLEM = env_str("BRAND_EMBLEM", "cchc/emblem.svg")
FOOTER_AGENCY = env_str("FOOTER_AGENCY", "Văn phòng UBND tỉnh Thanh Hóa")
FOOTER_ADDRESS = env_str("FOOTER_ADDRESS", "35 Đại lộ Lê Lợi, phường Hạc Thành, tỉnh Thanh Hóa")
FOOTER_HOTLINE = env_str("FOOTER_HOTLINE", "0237 3000 000")
FOOTER_EMAIL = env_str("FOOTER_EMAIL", "")

FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# -- Security (issue 10): HTTPS, CSP, sessions, second factor, lockout, body size -------------
# docs/security.md says what each protects and which test shows it.
BEHIND_TLS_PROXY = env_bool("BEHIND_TLS_PROXY", False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_TLS_PROXY else None
# Proxies in front that append the client's address to X-Forwarded-For (nginx: 1). Lockout and
# rate limits then count per citizen, not per proxy (cchc/lib/clientip.py).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 1 if BEHIND_TLS_PROXY else 0)
RATELIMIT_IP_META_KEY = "cchc.lib.clientip.client_ip"
AXES_CLIENT_IP_CALLABLE = "cchc.lib.clientip.client_ip"
# Plain HTTP is redirected to HTTPS in production; paths matching SECURE_REDIRECT_EXEMPT
# (regular expressions without the leading slash) answer on HTTP too, for probes on the loopback.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEMO)
SECURE_REDIRECT_EXEMPT = env_list("SECURE_REDIRECT_EXEMPT", [r"^healthz/?$", r"^metrics/?$"])
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEMO)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# Content-Security-Policy (django-csp): scripts and styles from our own static files only, no
# inline script, style or event handler anywhere; nothing may frame the site. Violations are
# reported to CSP_REPORT_URI when set.
CSP_REPORT_URI = env_str("CSP_REPORT_URI", "")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        **({"report-uri": [CSP_REPORT_URI]} if CSP_REPORT_URI else {}),
    }
}
# A staff session ends after this many minutes without activity (citizens' portal sessions keep
# SESSION_COOKIE_AGE, two weeks).
STAFF_IDLE_TIMEOUT_MINUTES = env_int("STAFF_IDLE_TIMEOUT_MINUTES", 30)
# Second factor (TOTP), required in production: for superusers, for the roles in
# TWO_FACTOR_ROLES wherever they sit, and for the roles in TWO_FACTOR_MULTI_COMMUNE_ROLES when the
# account reaches more than one commune (a province appraiser reads every commune's dossiers).
REQUIRE_2FA = env_bool("REQUIRE_2FA", not DEMO)
TWO_FACTOR_ROLES = env_list("TWO_FACTOR_ROLES", ["administrator"])
TWO_FACTOR_MULTI_COMMUNE_ROLES = env_list(
    "TWO_FACTOR_MULTI_COMMUNE_ROLES",
    [
        "reception",
        "specialist",
        "leader",
        "tthc_control",
        "appraiser",
        "supervisor",
        "administrator",
    ],
)
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "CCHC")
# Login lockout (django-axes): per user name from one address, and per user name across all
# addresses (password spraying), each with its own limit (cchc/accounts/lockout.py).
AXES_HANDLER = "cchc.accounts.lockout.PerParameterLimitHandler"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "username"]
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
LOGIN_LOCKOUT_LIMITS = {"username": env_int("LOGIN_FAILURE_LIMIT_PER_USERNAME", 20)}
AXES_COOLOFF_TIME = env_int("LOGIN_COOLOFF_MINUTES", 15) / 60
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
# Request bodies: JSON and forms up to UPLOAD_MAX_BYTES, a multipart upload up to
# UPLOAD_REQUEST_MAX_BYTES (default: what one dossier may hold in all, plus the form); larger
# ones are answered 413 unread (cchc/lib/bodylimit.py). nginx's client_max_body_size must allow it.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("UPLOAD_MAX_BYTES", 10 * 1024 * 1024)
UPLOAD_REQUEST_MAX_BYTES = env_int("UPLOAD_REQUEST_MAX_BYTES", 51 * 1024 * 1024)

# Logs (cchc/ops/logs.py): one JSON object per line in production (LOG_FORMAT=json), text for a
# terminal (the embedded default); every record carries the request id, and phones, identity
# numbers and e-mail addresses are masked whatever logged them. One access line per request
# comes from the application (cchc.access: path without query string, route, status, duration).
LOG_FORMAT = env_str("LOG_FORMAT", "text" if DEMO else "json")
if LOG_FORMAT not in ("json", "text"):
    raise ImproperlyConfigured("LOG_FORMAT must be json or text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "cchc.ops.logs.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "cchc.ops.logs.JsonFormatter"},
        "text": {"()": "cchc.ops.logs.TextFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        # The access lines (INFO); LOG_ACCESS=0 leaves them to nginx.
        "cchc.access": {"level": "INFO" if env_bool("LOG_ACCESS", True) else "WARNING"},
    },
}

# -- API input and the history import (issue 10) ---------------------------------------------
# Roles whose members may import historical dossiers (POST /api/v1/dossiers/import and
# `import_dossiers --user`), in the units those roles reach: comma-separated role names.
# Seconds the worklist's tab counts are kept for someone who sees several units (0: always
# counted). An officer of one unit always gets exact counts.
WORKLIST_COUNTS_CACHE_SECONDS = env_int("WORKLIST_COUNTS_CACHE_SECONDS", 30)
DOSSIER_IMPORT_ROLES = env_list("DOSSIER_IMPORT_ROLES", ["tthc_control", "administrator"])

# -- Backups and digital signatures (issue 10) ------------------------------------------------
# Folder of pg_dump, pg_restore and psql for `manage.py backup` / `restore` (empty: PATH, then the
# newest /usr/lib/postgresql/*/bin). They must not be older than the server.
BACKUP_PG_BIN_DIR = env_str("BACKUP_PG_BIN_DIR", "")
# Units' signing certificates (cchc/dossiers/signing.py): a folder outside the repository with
# `<unit code>.p12` and, for a file with a passphrase, `<unit code>.pass`, readable by the
# application's user only. Empty: signing is off.
SIGNING_CERT_DIR = env_str("SIGNING_CERT_DIR", "")
# PEM file of the certificate authorities whose signatures on uploaded PDFs are trusted (the
# national root CA and the CAs the province accepts). Empty: signatures are checked for
# integrity only, and the page says the signer could not be verified.
SIGNING_TRUST_ROOTS = env_str("SIGNING_TRUST_ROOTS", "")

# -- Operations (issue 10): health, metrics, outages, job worker ------------------------------
# docs/reliability.md and docs/deploy.md say how these are used and what was measured.
# Outermost: the request id (and the access line); django-prometheus counts requests and
# latencies per route around everything else, the lockout middleware staying last.
MIDDLEWARE = [
    "cchc.ops.middleware.RequestIdMiddleware",
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    *[m for m in MIDDLEWARE if m != "axes.middleware.AxesMiddleware"],
    "django_prometheus.middleware.PrometheusAfterMiddleware",
    *[m for m in MIDDLEWARE if m == "axes.middleware.AxesMiddleware"],
]
# /metrics answers a bearer token, or a direct (not proxied) connection from these addresses or
# networks; anyone else gets 404. Behind nginx, let the monitoring host scrape gunicorn directly.
METRICS_TOKEN = env_str("METRICS_TOKEN", "")
METRICS_ALLOWED_IPS = env_list("METRICS_ALLOWED_IPS", ["127.0.0.1", "::1"])
# /healthz answers 503 when due jobs wait longer than this, or no job worker was heard from.
HEALTH_QUEUE_MAX_AGE_SECONDS = env_int("HEALTH_QUEUE_MAX_AGE_SECONDS", 300)
HEALTH_WORKER_MAX_SILENCE_SECONDS = env_int("HEALTH_WORKER_MAX_SILENCE_SECONDS", 60)
# A database outage is answered 503 with this Retry-After (seconds).
OUTAGE_RETRY_AFTER_SECONDS = env_int("OUTAGE_RETRY_AFTER_SECONDS", 5)
# Seconds to wait for PostgreSQL to accept a connection: during an outage requests fail fast.
if DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = env_int(
        "DB_CONNECT_TIMEOUT", 5
    )
# Delivery leases: a worker renews its claim on a message while sending; a claim not renewed
# for this long belongs to a dead worker and is settled by `manage.py worker`, which looks every
# NOTIFY_SWEEP_SECONDS (cchc/notify/delivery.py).
NOTIFY_LEASE_SECONDS = env_int("NOTIFY_LEASE_SECONDS", 20)
NOTIFY_SWEEP_SECONDS = env_int("NOTIFY_SWEEP_SECONDS", 10)
# The SMS gateway drops a second request carrying a reference it has already seen: an SMS
# whose outcome is unknown is then tried again instead of being marked possibly sent.
SMS_HTTP_DEDUPLICATES = env_bool("SMS_HTTP_DEDUPLICATES", False)

# -- Reports (issue 11): how the aggregate tables behind every figure are kept ----------------
# cchc/reports/aggregates.py and docs/formats.md ("Reports"). The job worker's sweep counts the
# dossiers changed since the previous sweep; between sweeps every report adds those changes
# itself, so no figure waits for the worker.
REPORTS_SWEEP_INTERVAL_SECONDS = env_int("REPORTS_SWEEP_INTERVAL_SECONDS", 60)
# Changes stamped up to this long before a sweep looked are looked at again by the next one: a
# transaction that took its time stamp before and committed after is still counted.
REPORTS_SWEEP_LAG_SECONDS = env_int("REPORTS_SWEEP_LAG_SECONDS", 600)
# With more changes than this waiting (the worker stopped), a report answers 503 "try again in
# a few minutes" and queues the sweep, rather than counting them all on the fly.
REPORTS_MAX_PENDING = env_int("REPORTS_MAX_PENDING", 20000)
# The longest period one report covers, in days (about ten years).
REPORTS_MAX_PERIOD_DAYS = env_int("REPORTS_MAX_PERIOD_DAYS", 3700)

# -- Reports (issue 11): the service index (QĐ 766) and the TT 01/2018 indicators ------------------
# cchc/reports/service_index.py, indicators.py, docs/service_index.md. The weights, formulas and
# bands: a JSON file (empty: cchc/reports/scoring.json, the defaults; copy it, point here to change).
REPORTS_SCORING_FILE = env_str("REPORTS_SCORING_FILE", "")
# A unit is ranked only with at least this many dossiers received in the period (small units are
# listed apart, unranked, with the reason on the page).
REPORTS_INDEX_RANK_MIN_DOSSIERS = env_int("REPORTS_INDEX_RANK_MIN_DOSSIERS", 30)
# Seconds between the job worker's sweeps of the daily snapshot (reports stay exact between them:
# the days not swept yet are counted from the records).
REPORTS_INDEX_SWEEP_SECONDS = env_int("REPORTS_INDEX_SWEEP_SECONDS", 300)
# Once a day the sweep counts this many recent days again whole (dates edited by hand).
REPORTS_INDEX_RECHECK_DAYS = env_int("REPORTS_INDEX_RECHECK_DAYS", 35)
# The first sweep counts this many months back; older days: `refresh_service_index --from`.
REPORTS_INDEX_BACKFILL_MONTHS = env_int("REPORTS_INDEX_BACKFILL_MONTHS", 13)
# The longest month-by-month trend one request asks for.
REPORTS_INDEX_TREND_MAX_MONTHS = env_int("REPORTS_INDEX_TREND_MAX_MONTHS", 60)

# -- Reports (issue 11): dashboards, the public results page, the periodic report documents ---------
# cchc/reports/dashboards.py, exports.py, docs/reports.md. On a dashboard, a unit is ranked by its
# on-time rate only with at least this many dossiers resolved in the period (listed apart otherwise).
REPORTS_RANK_MIN_RESOLVED = env_int("REPORTS_RANK_MIN_RESOLVED", 10)
# Days a generated report file (.docx, .pdf) is kept for download.
REPORTS_EXPORT_KEEP_DAYS = env_int("REPORTS_EXPORT_KEEP_DAYS", 7)
# Report files one person may have waiting for the job worker at once.
REPORTS_EXPORT_MAX_WAITING = env_int("REPORTS_EXPORT_MAX_WAITING", 3)

# -- Citizen sign-in through the national identity (issue 12) --------------------------------------
# cchc/portal/identity.py, docs/citizen.md. An OpenID Connect provider (VNeID / the national public
# service portal's single sign-on): off unless CITIZEN_OIDC_ISSUER is set. The one-time code by SMS
# or e-mail stays for everyone, and is what the sign-in page offers when the provider is down.
CITIZEN_OIDC_ISSUER = env_str("CITIZEN_OIDC_ISSUER", "").rstrip("/")
CITIZEN_OIDC_CLIENT_ID = env_str("CITIZEN_OIDC_CLIENT_ID", "")
CITIZEN_OIDC_CLIENT_SECRET = env_str("CITIZEN_OIDC_CLIENT_SECRET", "")
CITIZEN_OIDC_SCOPES = env_str("CITIZEN_OIDC_SCOPES", "openid profile phone")
# The claims (in the ID token) that carry the 12-digit personal identification number, the phone
# and the name. The phone is what finds the citizen's dossiers, as with the one-time code.
CITIZEN_OIDC_ID_NUMBER_CLAIM = env_str("CITIZEN_OIDC_ID_NUMBER_CLAIM", "citizen_id")
CITIZEN_OIDC_PHONE_CLAIM = env_str("CITIZEN_OIDC_PHONE_CLAIM", "phone_number")
CITIZEN_OIDC_NAME_CLAIM = env_str("CITIZEN_OIDC_NAME_CLAIM", "name")
# The button's words: "Đăng nhập bằng <label>".
CITIZEN_OIDC_LABEL = env_str("CITIZEN_OIDC_LABEL", "VNeID")
# Seconds to wait for the provider (discovery, token, keys) before saying it cannot be reached.
CITIZEN_OIDC_TIMEOUT_SECONDS = env_int("CITIZEN_OIDC_TIMEOUT_SECONDS", 5)
