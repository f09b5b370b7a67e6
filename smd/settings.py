"""One settings module, driven by environment variables (see README, "Configuration")."""

import os
import sys
from datetime import timedelta
from pathlib import Path

import dj_database_url

from smd.client_ip import check_proxy_settings

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name, default):
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
TESTING = "pytest" in sys.modules or (len(sys.argv) > 1 and sys.argv[1] == "test")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY and (DEBUG or TESTING):
    # Only for trying the app locally. Without DEBUG an empty key is left empty: Django refuses
    # it wherever it is used, `check --deploy` fails, and the WSGI/ASGI entry points refuse to
    # start, while commands that need no key (migrations, checks) still run.
    SECRET_KEY = "insecure-local-only-" + "x" * 40

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1" if (DEBUG or TESTING) else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "csp",
    "template_partials",
    # Two-factor sign-in (ADR 0014): authenticator-app codes, one-time backup codes, and a
    # cool-off after repeated failed sign-ins.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "django_celery_beat",
    "simple_history",
    # The insight hub's API (ADR 0031): Django REST framework and its OpenAPI schema.
    "rest_framework",
    "drf_spectacular",
    # The project's own apps, lowest layer first (ADR 0025): each imports only from those
    # above it in this list, never below; `make lint` checks it.
    "smd",
    "smd.audit",
    "smd.outbox",
    "smd.notifications",
    "caseload",
    "appointments",
    "offline",
    "referrals",
    "assessments",
    "sharing",
    "mdt",
    "domestic_abuse",
    "documents",
    "importer",
    "returns",
    "rights",
    "api",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "smd.middleware.SecondFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "smd.middleware.SessionLimitsMiddleware",
    "smd.middleware.NoStoreAfterPostMiddleware",
    "smd.audit.middleware.AuditMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a refused sign-in into the cool-off page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "smd.urls"
WSGI_APPLICATION = "smd.wsgi.application"

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
                "smd.context_processors.navigation",
                "smd.notifications.context_processors.unread",
            ],
        },
    },
]

# PostgreSQL in production, CI and docker compose; SQLite only as the zero-config default.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
# A streaming replica of that database, for reports (smd/replica.py, ADR 0034). Reads go there
# only inside a report (the return and extract builds, the figures pages, the API's reads) and
# only while it is no more than REPLICA_MAX_LAG_SECONDS behind; a replica further behind or out
# of reach is passed over for the primary, with a warning in the log. Its lag is measured at
# most once every REPLICA_CHECK_SECONDS per process. A return or extract build (of a finished
# quarter, in the background) tolerates more: it waits up to REPLICA_BUILD_WAIT_SECONDS for the
# replica to replay everything committed before the build began, so it misses no late change.
# Under test the replica mirrors default: no second test database is made.
REPLICA_DATABASE_URL = os.environ.get("REPLICA_DATABASE_URL", "").strip()
if REPLICA_DATABASE_URL:
    DATABASES["replica"] = dj_database_url.parse(
        REPLICA_DATABASE_URL,
        conn_max_age=env_int("CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
    # An unreachable replica costs a page at most this long, once per check.
    DATABASES["replica"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 2)
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["smd.replica.ReplicaRouter"]
REPLICA_MAX_LAG_SECONDS = env_int("REPLICA_MAX_LAG_SECONDS", 30)
REPLICA_BUILD_WAIT_SECONDS = env_int("REPLICA_BUILD_WAIT_SECONDS", 30)
REPLICA_CHECK_SECONDS = env_int("REPLICA_CHECK_SECONDS", 5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # A Redis that is down or unreachable answers within seconds, not a request's life.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    if DEBUG or TESTING:
        # Rate limits then hold per process only: fine for trying the app. In production
        # django-ratelimit's own check fails the start-up checks until REDIS_URL is set.
        SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"]

AUTH_USER_MODEL = "smd.User"
# django-axes checks every sign-in first and refuses it during a cool-off; then Django's own.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Bootstrap comes from npm (package.json); the app serves it itself, never from a CDN.
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", BASE_DIR / "node_modules" / "bootstrap" / "dist"),
]
# Stored files (quarterly returns) go to local disk, or to S3-compatible storage when
# AWS_STORAGE_BUCKET_NAME is set (django-storages reads AWS_S3_ENDPOINT_URL and credentials).
STORAGES = {
    "default": {
        "BACKEND": "storages.backends.s3.S3Storage"
        if os.environ.get("AWS_STORAGE_BUCKET_NAME")
        else "django.core.files.storage.FileSystemStorage"
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Locally and under test, serve static files straight from the finders (no collectstatic).
WHITENOISE_USE_FINDERS = DEBUG or TESTING
# Files browsers ask for at the site's root (/favicon.ico), served by WhiteNoise before any
# view, sign-in check or audit: no URL of the app's own, and no 404 on every page.
WHITENOISE_ROOT = BASE_DIR / "static" / "root"
WHITENOISE_AUTOREFRESH = DEBUG or TESTING
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# Documents on a person's record (documents.files): the largest upload, and an optional virus
# scanner run on each one. DOCUMENT_SCAN_COMMAND is a command line (split like a shell's); the
# file goes to it on stdin, or as a temporary file where an argument holds {path}. Exit 0 is
# clean, 1 is infected; anything else, or no answer in DOCUMENT_SCAN_TIMEOUT seconds, refuses
# the upload as not scanned. Empty (the default): no scan.
DOCUMENT_MAX_BYTES = env_int("DOCUMENT_MAX_MB", 10) * 1024 * 1024
DOCUMENT_SCAN_COMMAND = os.environ.get("DOCUMENT_SCAN_COMMAND", "").strip()
DOCUMENT_SCAN_TIMEOUT = env_int("DOCUMENT_SCAN_TIMEOUT", 60)
# An import file (importer): a CSV or XLSX of a previous system's records, read a row at a time.
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_MB", 200) * 1024 * 1024
# A run checking or importing with no progress for this long lost its worker: taken up again.
IMPORT_STALE_SECONDS = env_int("IMPORT_STALE_SECONDS", 10 * 60)
# A file checked without problems but never imported is taken off the server after this long
# (a finished run's file goes at once): an upload is a whole caseload's personal data.
IMPORT_CHECKED_KEEP_DAYS = env_int("IMPORT_CHECKED_KEEP_DAYS", 14)

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Celery: Redis when REDIS_URL is set; otherwise tasks run in-process.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# With acks_late, a task whose worker dies is redelivered once Redis's visibility timeout
# passes: it must be longer than the longest task (a return's time limit is 10 minutes).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 15 * 60),
    "socket_connect_timeout": 2,
}
# Work that follows a write goes through the outbox (smd/outbox, ADR 0022): a message handed
# to Celery but not done after this long is handed over again (the broker may have lost it),
# and one handed over this many times is given up with an error in the log.
OUTBOX_RESEND_AFTER_SECONDS = env_int("OUTBOX_RESEND_AFTER_SECONDS", 20 * 60)
OUTBOX_MAX_ATTEMPTS = env_int("OUTBOX_MAX_ATTEMPTS", 10)
# A done message is deleted by the sweep this many days after it was done: an account email's
# words are kept no longer than it takes to see it went.
OUTBOX_KEEP_DONE_DAYS = env_int("OUTBOX_KEEP_DONE_DAYS", 7)
# A worker building a return renews its lease this often (a quarter of it); a return whose
# lease ran out (its worker died) is queued again by the outbox sweep, within a minute.
RETURN_LEASE_SECONDS = env_int("RETURN_LEASE_SECONDS", 120)
CELERY_TIMEZONE = TIME_ZONE
# Periodic tasks live in the database (django-celery-beat), editable in the admin; the
# quarterly-return schedule is created by a migration.
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "smd@localhost")
# Links in emails. Locally it follows PORT, the port `make run` serves on.
SITE_URL = os.environ.get("SITE_URL") or f"http://127.0.0.1:{os.environ.get('PORT') or 8000}"

# NDT reviews fall due this many weeks after the latest completed assessment.
NDT_REVIEW_INTERVAL_WEEKS = env_int("NDT_REVIEW_INTERVAL_WEEKS", 13)
# Notifications (smd.notifications): days before an NDT review is due that its lead navigator is
# reminded; days a referral may wait for triage before its team leaders are told; days before a
# sharing agreement's review or end date that team leaders and managers are told.
NDT_REMINDER_DAYS = env_int("NDT_REMINDER_DAYS", 7)
REFERRAL_WAITING_DAYS = env_int("REFERRAL_WAITING_DAYS", 7)
SHARING_REMINDER_DAYS = env_int("SHARING_REMINDER_DAYS", 30)

# The public referral form: at most this many submissions per address.
REFERRAL_RATE_LIMIT = os.environ.get("REFERRAL_RATE_LIMIT", "5/10m")
RATELIMIT_VIEW = "referrals.views.public_rate_limited"
# A calendar feed address: fetches per client address (calendar apps poll every few minutes to
# hours). Like the referral form's, it fails open when the cache is down (appointments.views).
CALENDAR_FEED_RATE_LIMIT = os.environ.get("CALENDAR_FEED_RATE_LIMIT", "60/h")
# With the cache (Redis) down, the public form takes referrals without counting them, and the
# log says so: a person's referral matters more than the limit (referrals/ratelimit.py).
RATELIMIT_FAIL_OPEN = True
# The client's address (ADR 0021). Behind a reverse proxy, REMOTE_ADDR is the proxy's: name the
# header the proxy writes the client's address into (e.g. HTTP_X_FORWARDED_FOR) and list the
# proxies' addresses or networks in TRUSTED_PROXIES. The header is believed only from those
# proxies and read from the right; a header named without them refuses to start.
CLIENT_IP_META_KEY = os.environ.get("RATELIMIT_IP_META_KEY") or None
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES")
check_proxy_settings(header=CLIENT_IP_META_KEY, trusted=TRUSTED_PROXIES)
# One function gives the address to the rate limits, the sign-in cool-off and the audit log.
RATELIMIT_IP_META_KEY = "smd.client_ip.client_ip"

# The insight hub's API (api/, ADR 0031): tokens only (no session, no browsable pages), JSON
# only, a page of 100 records (up to 500 asked for with page_size). Each token may make
# API_RATE_LIMIT calls; calls without a usable token are limited per address. Both are counted
# in the cache and fail open when it is down (api/auth.py).
API_RATE_LIMIT = os.environ.get("API_RATE_LIMIT", "120/m")
API_UNAUTHENTICATED_RATE_LIMIT = os.environ.get("API_UNAUTHENTICATED_RATE_LIMIT", "30/m")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.auth.TokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["api.auth.HasToken"],
    "DEFAULT_THROTTLE_CLASSES": ["api.auth.TokenRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Pages",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "smd insight hub API",
    "DESCRIPTION": (
        "Read-only access to one team's records for a named system. Pseudonymised unless the "
        "token was made with a recorded lawful basis. See docs/api.md."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
}

# Signed out after 30 minutes without a request, and 12 hours after signing in
# (smd.middleware.SessionLimitsMiddleware); the cookie lasts no longer than that.
SESSION_IDLE_SECONDS = env_int("SESSION_IDLE_SECONDS", 30 * 60)
SESSION_MAX_SECONDS = env_int("SESSION_MAX_SECONDS", 12 * 60 * 60)
SESSION_COOKIE_AGE = SESSION_MAX_SECONDS

# A subject access export, an erasure and new backup codes ask for the password again unless
# it was given in the last PASSWORD_CONFIRM_MINUTES (smd.reauth).
PASSWORD_CONFIRM_SECONDS = env_int("PASSWORD_CONFIRM_MINUTES", 10) * 60

# Two-factor sign-in (ADR 0014). Every account gives a code from an authenticator app (or a
# one-time backup code) after its password; there is deliberately no setting to turn it off.
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "smd")
BACKUP_CODE_COUNT = 10
# Failed sign-ins: after LOGIN_FAILURE_LIMIT failures for one username from one address, that
# username is refused from that address for LOGIN_COOLOFF_MINUTES, whether or not it exists.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "smd.two_factor.views.locked_out"
AXES_CLIENT_IP_CALLABLE = "smd.client_ip.client_ip"
# No sign-in history of its own (successes are not stored) and no usernames or addresses in
# log lines: the failures it counts are all it keeps.
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False

# Content Security Policy: every script and style sheet is the app's own file; no inline
# script anywhere. Inline styles are allowed for server-drawn SVG charts and progress bars.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Permissions-Policy: the app uses no camera, microphone, location or other powerful feature,
# so no page (nor anything injected into one) may ask for them.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "screen-wake-lock",
        "usb",
        "xr-spatial-tracking",
    )
}
# A refused form (an expired or missing CSRF token) gets the app's own page, in its words.
CSRF_FAILURE_VIEW = "smd.errors.csrf_failure"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG and not TESTING:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

if TESTING:
    import tempfile

    # Stored files (returns, exports) written by tests go to a throwaway folder.
    MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="smd-test-media-"))
    # Tasks run in-process in tests; the live-worker test switches this off for itself.
    CELERY_TASK_ALWAYS_EAGER = True
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Refusals (403s and other 4xx) as one line each, without a traceback.
    "filters": {"refusals_on_one_line": {"()": "smd.log_filters.RefusalsOnOneLine"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["refusals_on_one_line"]}
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # WeasyPrint and fontTools narrate every layout step at INFO.
    "loggers": {
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# --- Caseloads and capacity (caseload app) -----------------------------------------------------
# A navigator's capacity is FTE × NAVIGATOR_CASELOAD_PER_FTE people; a peer mentor's is their
# planned hours a week ÷ PEER_MENTOR_HOURS_PER_PERSON. Both are programme decisions, so they
# are settings, not code. A contact's author may correct it for CONTACT_EDIT_WINDOW_HOURS;
# after that only a team leader can, giving a reason.
NAVIGATOR_CASELOAD_PER_FTE = env_int("NAVIGATOR_CASELOAD_PER_FTE", 8)
PEER_MENTOR_HOURS_PER_PERSON = env_int("PEER_MENTOR_HOURS_PER_PERSON", 3)
# People supported a year are projected as places × 365 ÷ average days on service (ADR 0019).
# The average comes from the team's own closed episodes once there are
# CAPACITY_CLOSED_EPISODES_NEEDED of them; until then CAPACITY_AVERAGE_DAYS_ON_SERVICE is used
# (455 days, fifteen months, is the delivery plan's own figure).
CAPACITY_AVERAGE_DAYS_ON_SERVICE = env_int("CAPACITY_AVERAGE_DAYS_ON_SERVICE", 455)
CAPACITY_CLOSED_EPISODES_NEEDED = env_int("CAPACITY_CLOSED_EPISODES_NEEDED", 20)
CONTACT_EDIT_WINDOW_HOURS = env_int("CONTACT_EDIT_WINDOW_HOURS", 24)

# --- The phone app without a signal (offline, ADR 0033) -----------------------------------------
# How long a phone keeps My caseload, encrypted, for use without a signal; after that it is
# deleted from the phone and shown again only once loaded with a signal.
OFFLINE_CASELOAD_HOURS = env_int("OFFLINE_CASELOAD_HOURS", 12)

# --- Audit log (smd.audit, ADR 0015) ------------------------------------------------------------
# Entries are kept this long, then deleted by `manage.py audit_purge` (run it from a scheduler):
# eight years by default, longer than the person records they describe are kept.
AUDIT_RETENTION_DAYS = env_int("AUDIT_RETENTION_DAYS", 8 * 366)
# --- A person's rights (rights, ADR 0017) --------------------------------------------------
# A record is due for erasure RETENTION_YEARS after the person's support (or, for someone never
# supported, their last referral) ended; a manager confirms each erasure.
RETENTION_YEARS = env_int("RETENTION_YEARS", 6)

# --- Domestic abuse (domestic_abuse app, ADR 0029) ---------------------------------------------
# The DASH checklist gives high risk on escalation when the person's police call-outs for
# domestic abuse in the 12 months before reach DASH_ESCALATION_CALL_OUTS, and falls due again
# DASH_REVIEW_WEEKS after the last one (or at once after a new incident). MARACS lists the
# MARACs a referral can go to.
DASH_ESCALATION_CALL_OUTS = env_int("DASH_ESCALATION_CALL_OUTS", 3)
DASH_REVIEW_WEEKS = env_int("DASH_REVIEW_WEEKS", 13)
MARACS = env_list("MARACS", "City MARAC")
