"""Bridgework settings: everything comes from the environment.

With nothing set, Bridgework runs on SQLite (WAL mode) in a local data folder, with a generated
secret key kept there and DEBUG off. `DATABASE_URL` switches to PostgreSQL; see the README for
the production variables.
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("BRIDGEWORK_DATA_DIR", BASE_DIR.parent / "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _generated_secret_key() -> str:
    """A secret kept in the data folder, created once with owner-only permissions."""
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(64))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


DEBUG = env_bool("DEBUG")
SECRET_KEY = os.environ.get("SECRET_KEY") or _generated_secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "auditlog",
    "axes",
    "django_htmx",
    "ninja",  # serves Swagger UI's files itself, so /api/docs needs no CDN
    "csp",
    "django_tasks",
    "django_tasks_db",  # the database task backend's table (also pruned in RQ mode)
    "bridgework.core",
    "bridgework.places",
    "bridgework.access",
    "bridgework.activity",
    "bridgework.notifications",
    "bridgework.web",
    "bridgework.actors",
    "bridgework.bodies",
    "bridgework.plans",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "bridgework.response",
    "bridgework.participation",
    "bridgework.knowledge",
    "bridgework.funding",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "bridgework.access.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "bridgework.access.middleware.SessionTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "bridgework.web.middleware.NoStoreForSignedInMiddleware",
    "bridgework.web.middleware.OutOfRangeIsNotFoundMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "bridgework.urls"
WSGI_APPLICATION = "bridgework.wsgi.application"

TEMPLATES = [
    {
        # Django's engine; a page's context is let go of once it is written (decision 0014).
        "BACKEND": "bridgework.web.template_backend.ReleasingTemplates",
        "NAME": "django",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "bridgework.web.context_processors.shell",
            ],
        },
    }
]
# Django's widget templates, the plainest written in Python (a third of a list page's rendering).
FORM_RENDERER = "bridgework.web.form_renderer.FormRenderer"

# --- Database --------------------------------------------------------------------------------
SQLITE_PATH = DATA_DIR / "bridgework.sqlite3"
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{SQLITE_PATH}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "600")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend, its times read in C and its health check asked of a rested connection.
    DATABASES["default"]["ENGINE"] = "bridgework.core.postgresql"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run while a writer writes; IMMEDIATE avoids upgrade deadlocks.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;"
            " PRAGMA foreign_keys=ON;"
        ),
        "transaction_mode": "IMMEDIATE",
    }
DATABASES["default"]["TEST"] = {"NAME": os.environ.get("TEST_DATABASE_NAME") or None}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication and sessions -------------------------------------------------------------
AUTH_USER_MODEL = "access.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend; the user of each request read by a compiled statement.
    "bridgework.access.requests.SignInBackend",
]
# Django's database sessions, each request's session read by a compiled statement.
SESSION_ENGINE = "bridgework.access.requests"
# Argon2id (Django's recommendation, argon2-cffi), memory-hard, at OWASP's 46 MiB, one pass,
# one lane: about 50 ms of one core a sign-in, where Django's own settings took 200 ms on
# eight threads and stalled a two-core server's every page (bridgework/access/hashers.py,
# decision 0016). Hashes made with other settings, PBKDF2 and scrypt ones too, are still
# accepted and rehashed at the person's next sign-in.
PASSWORD_HASHERS = [
    "bridgework.access.hashers.SizedArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Idle timeout: a session unused this long ends. Absolute timeout: a session ends this long
# after sign-in however active it is. Both are enforced by SessionTimeoutMiddleware, which
# writes the session at most once a minute (not on every request).
SESSION_IDLE_SECONDS = int(os.environ.get("SESSION_IDLE_SECONDS", str(30 * 60)))
SESSION_ABSOLUTE_SECONDS = int(os.environ.get("SESSION_ABSOLUTE_SECONDS", str(12 * 3600)))
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_SECONDS
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie

# Lockout with a cool-off: after AXES_FAILURE_LIMIT failures the account is locked for the
# cool-off period, then may try again (never a permanent lock).
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("LOGIN_COOLOFF_MINUTES", "15")))
# Per account, and per account from one address — never per address alone: behind a proxy, or
# in an office on one public address, that would lock everyone out for one person's typos.
AXES_LOCKOUT_PARAMETERS = ["username", ["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "bridgework.access.middleware.client_address"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "bridgework.access.views.locked_out"
AXES_USERNAME_FORM_FIELD = "username"
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = False

# --- Security headers ------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
HTTPS = env_bool("HTTPS", default=not DEBUG and "SECRET_KEY" in os.environ)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000" if HTTPS else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS and env_bool("SECURE_HSTS_PRELOAD", True)
BEHIND_PROXY = env_bool("BEHIND_PROXY")  # trust the proxy's X-Forwarded-For and -Proto
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Maps ------------------------------------------------------------------------------------
# Maps draw place boundaries on a plain background. A tile server of your own (or one whose
# terms allow it) can be put under them: a Leaflet URL template such as
# https://tiles.example.org/{z}/{x}/{y}.png, with the attribution its terms ask for.
MAP_TILE_URL = os.environ.get("MAP_TILE_URL", "")
MAP_TILE_ATTRIBUTION = os.environ.get("MAP_TILE_ATTRIBUTION", "")
if MAP_TILE_URL and not MAP_TILE_URL.startswith(("https://", "http://", "/")):
    raise ImproperlyConfigured("MAP_TILE_URL must be an http(s) URL or a path on this site")


def _tile_origin(url: str) -> list[str]:
    """The tile server's origin, which the Content-Security-Policy must let images come from."""
    if not url.startswith(("https://", "http://")):
        return []
    scheme, rest = url.split("://", 1)
    host = rest.split("/", 1)[0].replace("{s}.", "*.")  # Leaflet's subdomains: a.…, b.…, c.…
    return [f"{scheme}://{host}"]


CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", *_tile_origin(MAP_TILE_URL)],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# --- Internationalisation --------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French")), ("ar", _("Arabic"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_TZ = True

# --- Static files ----------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise warns at start-up when it is missing
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG and env_bool("COLLECTSTATIC", True)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Uploaded files (knowledge attachments): inside the data directory, which the backup copies,
# and never served by URL: only scoped views hand them out.
MEDIA_ROOT = DATA_DIR / "media"
WHITENOISE_USE_FINDERS = True
WHITENOISE_MANIFEST_STRICT = False

# --- Email -----------------------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "bridgework@localhost")

# --- Background tasks (Django's Tasks API) ---------------------------------------------------
# "database" keeps the queue in the database (SQLite or PostgreSQL; run `bridgework db_worker`);
# "rq" keeps it in Redis (pip install -e '.[rq]'; run `bridgework rqworker …`, see the README).
# The `scheduler` command enqueues the periodic jobs either way.
TASK_BACKEND = os.environ.get("TASK_BACKEND", "database").strip().lower()
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
if TASK_BACKEND == "database":
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
elif TASK_BACKEND == "rq":
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 300}}
else:
    raise ImproperlyConfigured(f"TASK_BACKEND must be 'database' or 'rq', not {TASK_BACKEND!r}")

# Read notifications are deleted this many days after they were created (the retention job).
NOTIFICATION_RETENTION_DAYS = int(os.environ.get("NOTIFICATION_RETENTION_DAYS", "365"))

# --- Incident reports (the response module) ----------------------------------------------------
# Two-factor before any response page answers a user whose role may read AMBER reports; turn
# it off only for a demonstration.
RESPONSE_REQUIRE_OTP = os.environ.get("RESPONSE_REQUIRE_OTP", "1") != "0"
# Public (anonymous) reports accepted per address, "count/period".
RESPONSE_PUBLIC_REPORT_RATE = os.environ.get("RESPONSE_PUBLIC_REPORT_RATE", "5/h")
# Days a report is kept, per kind, over the module's defaults: "hate_crime=2190,propaganda=365".
RESPONSE_RETENTION_DAYS = {
    kind.strip(): int(days)
    for kind, _sep, days in (
        item.partition("=")
        for item in os.environ.get("RESPONSE_RETENTION_DAYS", "").split(",")
        if item.strip()
    )
}
# Kinds whose reports are deleted, not anonymised, when their retention ends.
RESPONSE_DELETED_KINDS = tuple(
    kind.strip()
    for kind in os.environ.get("RESPONSE_DELETED_KINDS", "propaganda").split(",")
    if kind.strip()
)

# --- Audit -----------------------------------------------------------------------------------
# Every model is recorded, except the logs themselves and high-churn technical tables.
AUDITLOG_INCLUDE_ALL_MODELS = True
AUDITLOG_EXCLUDE_TRACKING_MODELS = (
    "sessions",
    "access.session",  # sessions (their data holds the sign-in hash), as Django's own above
    "contenttypes",
    "admin",
    "axes",
    "auditlog",
    "access.sensitiveread",
    "activity.event",  # events are themselves a record of who did what
    "access.accessepoch",  # a cache key, not a record
    "actors.organisationreach",  # the stored 3W roll-up: derived rows, rewritten whole
    # Queues and bookkeeping, not records anyone edits (and full of addresses and texts):
    "django_tasks_database",
    "django_rq",
    "core.periodicrun",
    "notifications.notification",
    "notifications.emaildelivery",
)
AUDITLOG_EXCLUDE_TRACKING_FIELDS = (
    "password",
    "last_login",
    "key_hash",
    "updated_at",
    "access_version",
)
AUDITLOG_DISABLE_REMOTE_ADDR = True  # the log keeps ids, not addresses

# --- Logging: errors to stderr, never to the page --------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

BRIDGEWORK_PAGE_SIZE = 50

# API rate limits ("requests/period", period s, m, h or d), counted in the cache: per process
# with the default in-memory cache, shared by every process with CACHE_URL (Redis).
API_RATE_PER_TOKEN = os.environ.get("API_RATE_PER_TOKEN", "1200/m")
API_RATE_PER_ADDRESS = os.environ.get("API_RATE_PER_ADDRESS", "3000/m")
CACHE_URL = os.environ.get("CACHE_URL", "")
if CACHE_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
    }
# The address people reach this site at, for links in emails.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
