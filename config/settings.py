"""One configuration for every environment, driven by environment variables (see README "Environment").

The embedded default (no variable set) is a local demo: SQLite, a filesystem Celery broker, DEBUG on.
Production sets DJANGO_DEBUG=false, DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS, DATABASE_URL and REDIS_URL.
"""

import datetime as dt
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp import constants as csp
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.env import env_bool, env_int, env_list, env_str, env_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("DJANGO_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DJANGO_DEBUG", True)
# The demo (`make run`: scripts/run-demo.sh) runs with DEBUG off, so a missing page or an error shows the
# product's own pages (templates/404.html, 500.html), not Django's technical ones, and with DJANGO_DEMO on,
# which keeps what only a local demo may have: the built-in key, local host names, plain HTTP, mails on the
# console, static files served from the source folders. Never in production: `check --deploy` warns
# (config/checks.py). LOCAL: a machine of one developer or one demo, with DEBUG or DEMO.
DEMO = env_bool("DJANGO_DEMO", False)
LOCAL = DEBUG or DEMO
_DEV_SECRET = "insecure-dev-key-only-for-the-local-demo-never-in-production-0123456789"
SECRET_KEY = env_str("DJANGO_SECRET_KEY", _DEV_SECRET if LOCAL else None)
if not LOCAL and (SECRET_KEY == _DEV_SECRET or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set to a random value of 50+ characters in production.")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"] if LOCAL else [])
if not LOCAL and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must list the site's host names in production.")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "config.apps.CampusAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rules.apps.AutodiscoverRulesConfig",
    "template_partials",
    "django_celery_beat",
    "axes",
    "orgs",
    "members",
    "duties",
    "attendance",
    "scoring",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "config.headers.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "orgs.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "orgs.middleware.TenantMiddleware",
    "orgs.middleware.PlatformAccessLogMiddleware",
    "members.middleware.IdleSessionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # turns a locked-out login (site and admin) into the lockout page
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "django.template.context_processors.i18n",
                "orgs.context_processors.navigation",
                "duties.context_processors.notifications",
            ],
        },
    }
]

_DEFAULT_DB = f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
DATABASE_URL = env_url("DATABASE_URL", _DEFAULT_DB, schemes={"sqlite", "postgres", "postgresql"})
# DB_CONN_MAX_AGE > 0 keeps each worker's connection between requests (docker-compose.yml and
# run-production-layout.sh use 60): a new PostgreSQL connection per request cost ~9 ms of the server's CPU, about
# a third of its work per request under load (docs/benchmarks.md, "Load benchmark"). A kept connection is
# checked before a request reuses it.
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 0, minimum=0),
                                              conn_health_checks=True)}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # IMMEDIATE: a transaction takes the write lock when it begins, so concurrent writers queue for up to
    # ``timeout`` seconds instead of failing with "database is locked" when a reader tries to become a writer
    # (docs/attendance.md "Concurrent saves").
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE",
         "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "members.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out account or address before any check
    "rules.permissions.ObjectPermissionBackend",
    "members.backends.UsernameOrNumberBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Login throttling (django-axes; docs/architecture.md "Accounts"). Counted per account (the account the login
# reaches, whether by username or number: members.backends.login_account_key) and per client address; the
# address has its own, higher limit because a campus network puts many students behind one address.
# Tenant-agnostic on purpose: the login happens before any school is known. Unlock: the person page's button
# (tenant admin), or `manage.py axes_reset_username <username>`.
AXES_HANDLER = "members.backends.LoginThrottleHandler"
AXES_LOCKOUT_PARAMETERS = [["username"], ["ip_address"]]
AXES_USERNAME_CALLABLE = "members.backends.login_account_key"
AXES_CLIENT_IP_CALLABLE = "members.backends.client_address"
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 10, minimum=1)
LOGIN_ADDRESS_FAILURE_LIMIT = env_int("LOGIN_ADDRESS_FAILURE_LIMIT", 100, minimum=1)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env_int("LOGIN_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_CALLABLE = "members.views.login_locked_out"  # registration/lockout.html, 429
AXES_RESET_ON_SUCCESS = False  # a success from a shared address must not wipe that address's failures
AXES_SENSITIVE_PARAMETERS = ["password", "csrfmiddlewaretoken"]
AXES_DISABLE_ACCESS_LOG = True  # failures are kept (AccessAttempt); a row per successful login is not
# How many reverse proxies in front of the app append to X-Forwarded-For (the compose layout has one TLS
# proxy). 0: the client address is REMOTE_ADDR.
TRUSTED_PROXY_COUNT = env_int("DJANGO_TRUSTED_PROXIES", 0, minimum=0)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("DJANGO_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if LOCAL
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Fixed at start-up: the demo and the tests (pytest-django turns DEBUG off later) serve static files from the
# finders without a collectstatic run; production serves the collected, hashed files.
WHITENOISE_AUTOREFRESH = DEBUG
WHITENOISE_USE_FINDERS = LOCAL  # the demo, DEBUG off, reads the finders once at start-up
MEDIA_ROOT = Path(env_str("DJANGO_MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "media/"
# Uploads (orgs/uploads.py): the first handler stops reading a file at the limit its view declares (task
# attachments, imports: the school's policy), before the body has all arrived. Non-file fields and JSON bodies
# stay under 2.5 MB (a meeting's marks are a few KB); files above 2.5 MB go to a temporary file, not memory.
FILE_UPLOAD_HANDLERS = [
    "orgs.uploads.SizeLimitUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
DATA_UPLOAD_MAX_MEMORY_SIZE = int(2.5 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = int(2.5 * 1024 * 1024)
DATA_UPLOAD_MAX_NUMBER_FILES = 10

# Celery: Redis when REDIS_URL is set, otherwise kombu's filesystem transport (no server needed).
REDIS_URL = env_url("REDIS_URL", None, schemes={"redis", "rediss"})
CELERY_BROKER_DIR = VAR_DIR / "celery-broker"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
else:
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR / "queue"),
        "data_folder_out": str(CELERY_BROKER_DIR / "queue"),
        "processed_folder": str(CELERY_BROKER_DIR / "processed"),
        "control_folder": str(CELERY_BROKER_DIR / "control"),  # kombu's default is ./control in the cwd
        "store_processed": False,
    }
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_BACKEND = None
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Installed into the database scheduler when beat starts (`make run` starts the worker with -B). Periodic scans
# that re-evaluate what became due, never long countdowns (docs/architecture.md, "Scheduled work").
# After a change of a term's facts its ledger is synced by a task this many seconds later, so a burst of saves
# makes one sync (docs/scoring.md, "When the ledger is synced").
SCORING_SYNC_DELAY_SECONDS = env_int("SCORING_SYNC_DELAY_SECONDS", 2, minimum=0)
CELERY_BEAT_SCHEDULE = {
    # what is due: reminders before the due time, overdue flags, each once (docs/duties.md)
    "duties-scan": {
        "task": "duties.tasks.scan_all",
        "schedule": env_int("DUTIES_SCAN_SECONDS", 5 * 60, minimum=5),
    },
    # reminder emails a dead worker left behind go out again
    "duties-emails-sweep": {
        "task": "duties.tasks.emails_sweep",
        "schedule": 15 * 60,
    },
    "scoring-ledger-due": {
        "task": "scoring.tasks.ledger_sync_due_all",
        "schedule": env_int("SCORING_SYNC_SECONDS", 15 * 60, minimum=60),
    },
    # imports whose worker died (their lease ran out) are marked failed, and can be run again
    "members-import-expire": {
        "task": "members.tasks.import_jobs_expire",
        "schedule": env_int("IMPORT_EXPIRE_SECONDS", 60, minimum=10),
    },
    # expired sessions are deleted once a day, at night (nothing else removes them)
    "sessions-clear-expired": {
        "task": "orgs.tasks.sessions_clear_expired",
        "schedule": crontab(hour=4, minute=17),
    },
}

SESSION_COOKIE_HTTPONLY = True
# A session ends after the school's idle time (members.middleware, policy members.session_idle_hours, default
# 8 hours); this is the age of a fresh login's cookie and the platform admin's idle time.
SESSION_COOKIE_AGE = 8 * 3600
# Content-Security-Policy (django-csp): scripts and styles only from our own files, no inline script or style
# attribute anywhere (tests/test_headers.py holds the templates to it), nothing framed, forms post only here.
# With DEBUG on, django-csp leaves Django's technical 404/500 pages (inline styles and scripts) without it.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp.SELF],
        "script-src": [csp.SELF],
        "style-src": [csp.SELF],
        "img-src": [csp.SELF, "data:"],
        "font-src": [csp.SELF],
        "connect-src": [csp.SELF],
        "object-src": [csp.NONE],
        "base-uri": [csp.SELF],
        "form-action": [csp.SELF],
        "frame-ancestors": [csp.NONE],
    },
}
# config/headers.py: no browser feature is granted to any page (the check-in QR is scanned with the phone's own
# camera app, never in our page).
PERMISSIONS_POLICY = {
    feature: [] for feature in (
        "camera", "microphone", "geolocation", "payment", "usb", "serial", "bluetooth", "hid", "midi",
        "magnetometer", "gyroscope", "accelerometer", "display-capture", "browsing-topics",
    )
}
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not LOCAL:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},  # its INFO lines narrate every rendering step
        "fontTools": {"level": "WARNING"},
        "axes": {"level": "WARNING"},  # failures and lockouts; not a line per successful login
    },
}

# Mail: the activation link of an invited account goes only to the invitee's address (docs/architecture.md
# "Accounts"). The demo prints mails on the console; production sends through SMTP (EMAIL_HOST, …), since the
# console backend would write activation links into the logs.
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if LOCAL else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20, minimum=1)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "noreply@localhost")
# The address of the site as its users reach it, for the links in reminder emails (empty: emails carry no link).
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000" if DEMO else "")

# The demo password printed by seed_demo and written in the README.
DEMO_PASSWORD = env_str("DEMO_PASSWORD", "demo-2026")
