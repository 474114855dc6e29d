"""Settings for Consult, read from the environment (see README "Configuration").

With nothing set the app runs on its embedded default: SQLite, Celery tasks run
in-process, emails written to ``var/mail/``. Setting ``DATABASE_URL``,
``CELERY_BROKER_URL`` and ``EMAIL_URL`` moves it to PostgreSQL, Redis or RabbitMQ,
and SMTP.
"""

import email.utils
import ipaddress
import re
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import environ
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def env_bool(name: str, *, default: bool) -> bool:
    # django-environ reads any unknown word as False; a typo such as
    # DJANGO_DEBUG=maybe must stop start-up instead of silently meaning "off".
    raw = env.str(name, default="").strip().lower()
    if raw == "":
        return default
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    msg = (
        f"{name}={raw!r} is not a boolean: use one of true/false, yes/no, on/off, 1/0."
    )
    raise ImproperlyConfigured(msg)


def env_int(name: str, *, default: int, minimum: int = 0) -> int:
    raw = env.str(name, default="").strip()
    if raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        msg = f"{name}={raw!r} is not a whole number."
        raise ImproperlyConfigured(msg) from None
    if value < minimum:
        msg = f"{name}={value} must be at least {minimum}."
        raise ImproperlyConfigured(msg)
    return value


def env_list(name: str, *, default: list[str]) -> list[str]:
    raw = env.str(name, default="")
    if raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


# --- Core -------------------------------------------------------------------

DEBUG = env_bool("DJANGO_DEBUG", default=False)

SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        msg = (
            "DJANGO_SECRET_KEY is not set. Set it to a long random value "
            "(python -c 'import secrets; print(secrets.token_urlsafe(50))'), "
            "or set DJANGO_DEBUG=true for local development."
        )
        raise ImproperlyConfigured(msg)
    # Only ever used with DEBUG on, where nothing is served to the public.
    SECRET_KEY = "insecure-development-key-only-used-with-debug-on"  # noqa: S105
# Keys the secret key replaced: what they signed (sessions, password reset links,
# bounce addresses) and the calendar secrets derived from them still open until the
# old key is dropped from here.
SECRET_KEY_FALLBACKS = env_list("DJANGO_SECRET_KEY_FALLBACKS", default=[])

ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"]
)
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

# Absolute links in emails and PDFs are built from this, never from the
# request's Host header (which a client controls).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django_htmx",
    "axes",
    "consult",
    "advisor",
    "bookings",
    # Above both apps: features that span them.
    "privacy",
    "calendars",
    "desk",
    "monitoring",
    "api",
    "webhooks",
    # django-ninja's templates and static files: the API docs load nothing from a CDN.
    "ninja",
    "django_prometheus",
]

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "consult.logs.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "consult.middleware.JunkQueryMiddleware",
    "consult.middleware.DatabaseUnavailableMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "consult.middleware.StaffTimezoneMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last but one, as django-axes requires: it turns a locked-out login into a refusal.
    "axes.middleware.AxesMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "consult.urls"
WSGI_APPLICATION = "consult.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "consult.context_processors.contact",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------

DATABASE_URL = env.str("DATABASE_URL", default="")
if DATABASE_URL:
    _db = env.db_url_config(DATABASE_URL)
    if _db["ENGINE"] != "django.db.backends.postgresql":
        msg = f"DATABASE_URL must be a postgres:// URL, got engine {_db['ENGINE']!r}."
        raise ImproperlyConfigured(msg)
    if env_bool("DATABASE_POOL", default=True):
        # psycopg's pool is per process: total connections are
        # workers x DATABASE_POOL_MAX_SIZE. Pooling excludes CONN_MAX_AGE.
        _db["OPTIONS"] = {
            **_db.get("OPTIONS", {}),
            "pool": {
                "min_size": env_int("DATABASE_POOL_MIN_SIZE", default=2),
                "max_size": env_int("DATABASE_POOL_MAX_SIZE", default=8, minimum=1),
                "timeout": env_int("DATABASE_POOL_TIMEOUT", default=10, minimum=1),
            },
        }
        _db["CONN_MAX_AGE"] = 0
    else:
        _db["CONN_MAX_AGE"] = env_int("DATABASE_CONN_MAX_AGE", default=60)
    # A connection is checked before it is reused (with the pool: each time it
    # is taken from it), so one the server dropped is replaced, not failed on.
    _db["CONN_HEALTH_CHECKS"] = True
    DATABASES = {"default": _db}
else:
    VAR_DIR.mkdir(exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "db.sqlite3",
            "OPTIONS": {
                # IMMEDIATE takes the write lock when a transaction starts, so a
                # re-check inside it cannot race another writer (see bookings).
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA foreign_keys=ON;"
                ),
            },
        }
    }


# --- Cache (rate limits and slot listings, shared across processes) ---------
# Everything in it can be recomputed or done without (consult/cache.py): a short
# socket timeout makes an unreachable Redis cost a request milliseconds, not the
# operating system's connect timeout.

_cache = env.cache_url("CACHE_URL", default="locmemcache://consult")
if _cache["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    _cache_timeout = env.float("CACHE_SOCKET_TIMEOUT", default=0.5)
    _cache["OPTIONS"] = {
        "socket_connect_timeout": _cache_timeout,
        "socket_timeout": _cache_timeout,
        **_cache.get("OPTIONS", {}),
    }
CACHES = {
    "default": _cache,
    # This process's own copy of values that are cheap to keep and costly to fetch
    # (the booking page's rendered week, keyed by the availability version).
    "process": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "consult-process",
        "OPTIONS": {"MAX_ENTRIES": 500},
    },
}

# --- Celery -----------------------------------------------------------------
# Without a broker the tasks run in-process, straight after the transaction
# that queued them commits (the embedded default).

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
# The brokers the worker is tested against, killed and restarted under it
# (tests/consult/test_worker_brokers.py).
_BROKER_SCHEMES = {
    "redis": "redis",
    "rediss": "redis",
    "amqp": "amqp",
    "amqps": "amqp",
    "pyamqp": "amqp",
}
_broker_scheme = CELERY_BROKER_URL.partition("://")[0].lower()
if CELERY_BROKER_URL and _broker_scheme not in _BROKER_SCHEMES:
    msg = (
        f"CELERY_BROKER_URL must be a redis:// or amqp:// URL, got {_broker_scheme!r}."
    )
    raise ImproperlyConfigured(msg)
BROKER_KIND = _BROKER_SCHEMES.get(_broker_scheme, "")
# The test suite forces eager mode even with a broker configured; the
# integration tests start a real worker and switch it off themselves.
CELERY_TASK_ALWAYS_EAGER = env_bool(
    "CELERY_TASK_ALWAYS_EAGER", default=not CELERY_BROKER_URL
)
CELERY_TASK_EAGER_PROPAGATES = True
# The worker logs through LOGGING below (masked, with request ids), not Celery's own.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = "UTC"
# Every task is idempotent (the outbox claims a row before sending), so a
# message is acknowledged only after the task finished: a worker that dies
# mid-task leaves the message to be delivered again.
CELERY_TASK_ACKS_LATE = True
# ... and a pool child killed mid-task (out of memory, a crash) gives its
# message back to the queue instead of acknowledging it as failed; the email
# task puts back the row it had claimed (consult.tasks.EmailSendRequest).
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# When the broker connection drops, tasks already running finish (their rows
# are claimed; an email half-sent would be sent again); their messages come
# back from the broker and find the work done.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", default=60)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", default=120)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Celery's Django fixup closes database connections (and, under prefork, the
# whole psycopg pool) around every task unless told to reuse them; reconnecting
# per email halved the outbox's throughput.
CELERY_DB_REUSE_MAX = env_int("CELERY_DB_REUSE_MAX", default=100)
# Short, bounded: web requests must not hang when the broker is down (the
# outbox relay re-sends later).
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {"max_retries": 1}
if BROKER_KIND == "redis":
    CELERY_BROKER_TRANSPORT_OPTIONS |= {
        # A message not acknowledged this long after delivery goes back to the
        # queue. Longer than any countdown or task (the outbox schedules its
        # retries in the database, not in the broker).
        "visibility_timeout": 3600,
        "socket_connect_timeout": 2,
        "socket_timeout": 5,
    }
elif BROKER_KIND == "amqp":
    # A publish returns once RabbitMQ has the message, so one lost in a broker
    # restart raises (and the outbox relay sends it later) instead of
    # vanishing.
    CELERY_BROKER_TRANSPORT_OPTIONS["confirm_publish"] = True
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {
    "email.*": {"queue": "email"},
    "pdf.*": {"queue": "pdf"},
    "webhook.*": {"queue": "webhook"},
}
CELERY_BEAT_SCHEDULE: dict = {
    # Re-enqueues outbox rows the broker never got and rows whose worker died
    # mid-send. Expires before the next run, so a stopped worker does not come
    # back to a pile of identical scans.
    "email-relay-queued": {
        "task": "email.relay_queued",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # Builds the summary PDFs whose task the broker never got (it was down when
    # the assessment was submitted); the build is idempotent.
    "advisor-summaries-relay": {
        "task": "advisor.summaries_relay",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # Queues the booking reminders now due (24 hours and 1 hour before) by scanning
    # the bookings; the outbox's dedupe keys make a repeated scan harmless.
    "bookings-send-reminders": {
        "task": "bookings.send_reminders",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # Moves calls whose time has passed to "awaiting outcome" for their consultant
    # to record (bookings/outcomes.py); never an outcome by itself.
    "bookings-outcomes-due": {
        "task": "bookings.outcomes_due",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # Queues the reads of consultants' calendars now due (each on its own jittered
    # schedule, backing off while it fails) and the write-backs due a try.
    "calendars-sync-due": {
        "task": "calendars.sync_due",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # Enqueues webhook deliveries due for another try, and those the broker never
    # got or whose worker died (webhooks/services.py).
    "webhook-relay": {
        "task": "webhook.relay",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # Deletes webhook deliveries past DATA_RETENTION_DAYS.
    "webhook-purge": {
        "task": "webhook.purge",
        "schedule": 86400.0,
        "options": {"expires": 3600},
    },
    # Erases drafts and records past their retention (privacy/services.py).
    "privacy-purge": {
        "task": "consult.privacy_purge",
        "schedule": 3600.0,
        "options": {"expires": 3000},
    },
}

# --- Email ------------------------------------------------------------------

# How long an email the mail server keeps deferring is tried again (with
# exponential backoff, at most an hour apart) before it is marked failed for
# staff to see in the email log.
EMAIL_RETRY_HOURS = env_int("EMAIL_RETRY_HOURS", default=48, minimum=1)

EMAIL_URL = env.str("EMAIL_URL", default="")
_email_timeout = env_int("EMAIL_TIMEOUT", default=10, minimum=1)
if EMAIL_URL:
    _email = env.email_url_config(EMAIL_URL)
    if _email["EMAIL_BACKEND"].endswith("filebased.EmailBackend"):
        _mailer_options = {"file_path": "/" + _email["EMAIL_FILE_PATH"]}
    elif _email["EMAIL_BACKEND"].endswith("smtp.EmailBackend"):
        _mailer_options = {
            "host": _email["EMAIL_HOST"] or "localhost",
            "port": _email["EMAIL_PORT"] or 25,
            "username": _email["EMAIL_HOST_USER"] or "",
            "password": _email["EMAIL_HOST_PASSWORD"] or "",
            "use_tls": _email.get("EMAIL_USE_TLS", False),
            "use_ssl": _email.get("EMAIL_USE_SSL", False),
            "timeout": _email_timeout,
        }
    else:
        _mailer_options = {}
    MAILERS = {
        "default": {"BACKEND": _email["EMAIL_BACKEND"], "OPTIONS": _mailer_options}
    }
else:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": str(VAR_DIR / "mail")},
        }
    }
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default="Consult <hello@consult.localhost>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Bounces (consult/bounces.py). With an address set, each email's envelope sender
# names its row ("bounces+<id>-<signature>@domain", VERP), so a bounce report sent
# there marks exactly that email bounced. The mail server must deliver the
# address's "+" variants to one mailbox, read from a Maildir or over IMAP.
EMAIL_BOUNCE_ADDRESS = env.str("EMAIL_BOUNCE_ADDRESS", default="")
if EMAIL_BOUNCE_ADDRESS and (
    EMAIL_BOUNCE_ADDRESS.count("@") != 1 or "+" in EMAIL_BOUNCE_ADDRESS
):
    raise ImproperlyConfigured(
        "EMAIL_BOUNCE_ADDRESS must be one plain address, such as "
        "bounces@consult.example (no '+': the site adds it)."
    )
EMAIL_BOUNCE_MAILDIR = env.str("EMAIL_BOUNCE_MAILDIR", default="")
EMAIL_BOUNCE_IMAP_URL = env.str("EMAIL_BOUNCE_IMAP_URL", default="")
EMAIL_BOUNCE_POLL_MINUTES = env_int("EMAIL_BOUNCE_POLL_MINUTES", default=5, minimum=1)
if EMAIL_BOUNCE_IMAP_URL or EMAIL_BOUNCE_MAILDIR:
    # Reads the bounce mailbox and marks the emails it reports as bounced.
    CELERY_BEAT_SCHEDULE["email-bounces-read"] = {
        "task": "email.bounces_read",
        "schedule": EMAIL_BOUNCE_POLL_MINUTES * 60.0,
        "options": {"expires": EMAIL_BOUNCE_POLL_MINUTES * 60 - 5},
    }
# Shown to clients wherever they may need a person (footer, error pages).
CONTACT_EMAIL = env.str(
    "CONTACT_EMAIL", default=email.utils.parseaddr(DEFAULT_FROM_EMAIL)[1]
)

# --- Auth, i18n, time -------------------------------------------------------

AUTHENTICATION_BACKENDS = [
    # Counts failed admin logins and locks out the IP and username pair.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", default=5, minimum=1)
AXES_COOLOFF_TIME = 1  # hour
AXES_LOCKOUT_PARAMETERS = [["ip_address", "username"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# The same address as the rate limits: the one the trusted proxies saw.
AXES_CLIENT_IP_CALLABLE = "consult.http.client_ip"
# The locked-out page says how long the lockout lasts and whom to ask to lift it:
# a manager unlocks accounts in the admin (Axes: access attempts).
AXES_LOCKOUT_CALLABLE = "consult.views.staff_locked_out"
STAFF_CONTACT_EMAIL = env.str("STAFF_CONTACT_EMAIL", default=CONTACT_EMAIL)

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
# One way of writing dates everywhere (consult/formats/en/formats.py).
FORMAT_MODULE_PATH = ["consult.formats"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static and media -------------------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = env.str("DJANGO_STATIC_ROOT", default=str(VAR_DIR / "static"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = env.str("DJANGO_MEDIA_ROOT", default=str(VAR_DIR / "media"))
# Media (PDF summaries) is private and served only through views that check
# the client's token; there is deliberately no public MEDIA_URL route.
MEDIA_URL = "/media-not-served/"
# Media (the PDF summaries): this machine's MEDIA_ROOT, or S3 and S3-compatible
# stores (MinIO, R2, Spaces) with STORAGE_URL=s3://bucket/prefix?region_name=...
# &endpoint_url=..., so that several hosts' web and worker processes share the files.
# Credentials come from the usual AWS variables or the instance's role.
STORAGE_URL = env.str("STORAGE_URL", default="")


def _media_storage(url: str) -> dict:
    if not url:
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    parsed = urlsplit(url)
    if parsed.scheme != "s3" or not parsed.hostname:
        msg = f"STORAGE_URL={url!r} must be s3://bucket[/prefix][?options]."
        raise ImproperlyConfigured(msg)
    query = dict(parse_qsl(parsed.query))
    unknown = set(query) - {"region_name", "endpoint_url", "addressing_style"}
    if unknown:
        msg = f"STORAGE_URL has unknown options: {', '.join(sorted(unknown))}."
        raise ImproperlyConfigured(msg)
    options = {
        "bucket_name": parsed.hostname,
        "location": parsed.path.strip("/"),
        # Client PDFs: private objects the site streams to whoever holds the private
        # link (any URL the storage signs expires in minutes), never overwritten.
        "default_acl": None,
        "querystring_auth": True,
        "querystring_expire": 300,
        "file_overwrite": False,
        **query,
    }
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}


STORAGES = {
    "default": _media_storage(STORAGE_URL),
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# --- Security ---------------------------------------------------------------

# htmx runs under this policy: no eval, no inline styles (its indicator styles
# are switched off in base.html) and scripts only from this origin or nonced.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "font-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie

_secure_default = not DEBUG
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=_secure_default)
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", default=_secure_default)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env_int(
    "DJANGO_HSTS_SECONDS", default=31536000 if _secure_default else 0
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", default=SECURE_HSTS_SECONDS > 0)
_BEHIND_PROXY = env_bool("DJANGO_BEHIND_PROXY", default=False)
if _BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# How many proxies in front of the app append to X-Forwarded-For (one load balancer
# or reverse proxy by default when behind one); consult.http.client_ip reads the
# address the outermost of them saw.
TRUSTED_PROXIES = env_int(
    "DJANGO_TRUSTED_PROXIES", default=1 if _BEHIND_PROXY else 0, minimum=0
)
# The health check is probed over plain HTTP by the orchestrator.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# Networks that requests to user-supplied URLs (calendar feeds, webhooks) may reach even
# though they are not public: none by default (consult.outbound). A CalDAV server on the
# office network, say, is let in by naming its network here.
OUTBOUND_ALLOWED_NETWORKS = env_list("OUTBOUND_ALLOWED_NETWORKS", default=[])
for _network in OUTBOUND_ALLOWED_NETWORKS:
    try:
        ipaddress.ip_network(_network, strict=False)
    except ValueError as _exc:
        raise ImproperlyConfigured(
            f"OUTBOUND_ALLOWED_NETWORKS: {_network!r} is not a network (e.g. 10.0.0.0/8)."
        ) from _exc

# --- Consultants' calendars (calendars/) ------------------------------------

# How often each connected calendar is read (jittered by up to a fifth either way);
# a failing one is retried sooner at first, then backs off up to CALENDAR_BACKOFF_MAX_MINUTES.
CALENDAR_SYNC_MINUTES = env_int("CALENDAR_SYNC_MINUTES", default=10, minimum=1)
CALENDAR_BACKOFF_MAX_MINUTES = env_int(
    "CALENDAR_BACKOFF_MAX_MINUTES", default=240, minimum=1
)
# A calendar not read successfully for this long is flagged on the dashboard.
CALENDAR_STALE_MINUTES = env_int("CALENDAR_STALE_MINUTES", default=120, minimum=1)
CALENDAR_FETCH_TIMEOUT = env_int("CALENDAR_FETCH_TIMEOUT", default=20, minimum=1)
CALENDAR_FEED_MAX_BYTES = env_int(
    "CALENDAR_FEED_MAX_BYTES", default=10 * 1024 * 1024, minimum=1024
)
# Fernet keys (comma-separated) for app passwords and feed addresses at rest: the first
# encrypts, all decrypt (rotation: SECURITY.md). Empty: derived from DJANGO_SECRET_KEY.
CALENDAR_ENCRYPTION_KEYS = env_list("CALENDAR_ENCRYPTION_KEYS", default=[])
for _key in CALENDAR_ENCRYPTION_KEYS:
    try:
        Fernet(_key)
    except ValueError as _exc:
        raise ImproperlyConfigured(
            "CALENDAR_ENCRYPTION_KEYS: each key must be a Fernet key "
            "(python -c 'from cryptography.fernet import Fernet; "
            "print(Fernet.generate_key().decode())')."
        ) from _exc

# --- Webhooks (webhooks/services.py) ----------------------------------------

# How long a delivery the receiver keeps refusing is tried again (exponential
# backoff, at most four hours apart) before it fails for staff to redeliver.
WEBHOOK_RETRY_HOURS = env_int("WEBHOOK_RETRY_HOURS", default=24, minimum=1)
# How long one attempt may take, connection and answer together.
WEBHOOK_TIMEOUT_SECONDS = env_int("WEBHOOK_TIMEOUT_SECONDS", default=10, minimum=1)

# --- The JSON API (api/) -----------------------------------------------------

_RATE = re.compile(r"^[1-9][0-9]*/[smhd]$")
# Requests one API token may make (a count per second, minute, hour or day),
# counted in the shared cache; past it the API answers 429 with Retry-After.
API_TOKEN_RATE = env.str("API_TOKEN_RATE", default="300/m")
# Requests one address may make to the public GET /api/v1/slots.
API_SLOTS_RATE = env.str("API_SLOTS_RATE", default="30/m")
for _name, _rate in (
    ("API_TOKEN_RATE", API_TOKEN_RATE),
    ("API_SLOTS_RATE", API_SLOTS_RATE),
):
    if not _RATE.match(_rate):
        raise ImproperlyConfigured(
            f"{_name}={_rate!r} must look like 300/m (s, m, h or d)."
        )

# --- Abuse protection ------------------------------------------------------

RATELIMIT_ENABLED = env_bool("RATELIMIT_ENABLED", default=True)

# --- Bookings ----------------------------------------------------------------

# How long a booking waits, in all, for consultants' rows another booking holds
# locked before the client is asked to try again (PostgreSQL's lock_timeout; see
# bookings/services.py). Well under the web server's 30 s timeout.
BOOKING_LOCK_TIMEOUT_MS = env_int("BOOKING_LOCK_TIMEOUT_MS", default=2000, minimum=1)

# The call link of a consultant without one of their own (bookings/meetings.py): an
# https link with {room} in it, replaced by the booking's random room name, e.g.
# https://meet.jit.si/consult-{room}. Set but empty: no generated rooms, and the emails
# say the consultant will send a link. Unset, the embedded default (no DATABASE_URL)
# uses public Jitsi rooms so a demo invite has a link; a deployment chooses its own.
# Checked at start-up (consult/checks.py).
MEETING_URL_TEMPLATE = env.str(
    "MEETING_URL_TEMPLATE",
    default="" if DATABASE_URL else "https://meet.jit.si/consult-{room}",
).strip()

# --- Privacy: how long client data is kept (see privacy/services.py) ---------

DRAFT_RETENTION_DAYS = env_int("DRAFT_RETENTION_DAYS", default=30, minimum=1)
DATA_RETENTION_DAYS = env_int("DATA_RETENTION_DAYS", default=730, minimum=1)

# --- Logging ----------------------------------------------------------------

LOG_FORMAT = env.str("LOG_FORMAT", default="plain")
if LOG_FORMAT not in {"plain", "json"}:
    msg = f"LOG_FORMAT={LOG_FORMAT!r} must be plain or json."
    raise ImproperlyConfigured(msg)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Both formatters mask private link tokens and email addresses in the whole line,
    # traceback included (consult/logs.py).
    "formatters": {
        "plain": {
            "()": "consult.logs.PlainFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s",
        },
        "json": {"()": "consult.logs.JsonFormatter"},
    },
    "filters": {
        "private_links": {"()": "consult.tokens.PrivateLinkFilter"},
        "request_id": {"()": "consult.logs.RequestIdFilter"},
        "client_errors": {"()": "consult.logs.ClientErrorFilter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id", "client_errors", "private_links"],
        }
    },
    "root": {
        "handlers": ["console"],
        "level": env.str("DJANGO_LOG_LEVEL", default="INFO"),
    },
    # Django's own handlers (a console in debug, runserver's request lines) would
    # print paths unmasked: its records go through the console handler above instead.
    "loggers": {
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}


# --- Monitoring: /metrics (monitoring/views.py) and error reporting ---------------

METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
METRICS_ALLOWED_NETWORKS = [
    ipaddress.ip_network(network.strip())
    for network in env.str(
        "METRICS_ALLOWED_NETWORKS", default="127.0.0.1/32,::1/128"
    ).split(",")
    if network.strip()
]
# Without Sentry, errors are mailed to ADMINS ("Name <address>, Name <address>").
ADMINS = [
    (name.strip(), address.strip(" >"))
    for name, _, address in (
        entry.partition("<")
        for entry in env.str("DJANGO_ADMINS", default="").split(",")
        if entry.strip()
    )
]
SENTRY_DSN = env.str("SENTRY_DSN", default="")
if SENTRY_DSN:
    import sentry_sdk

    from consult.logs import sentry_event_scrubbed

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        environment=env.str("SENTRY_ENVIRONMENT", default="production"),
        send_default_pii=False,
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
        before_send=sentry_event_scrubbed,
        before_send_transaction=sentry_event_scrubbed,
    )
elif ADMINS:
    LOGGING["handlers"]["mail_admins"] = {
        "class": "django.utils.log.AdminEmailHandler",
        "level": "ERROR",
        "filters": ["client_errors", "private_links"],
        "include_html": False,
    }
    LOGGING["loggers"]["django.request"] = {
        "handlers": ["mail_admins"],
        "level": "ERROR",
        "propagate": True,
    }
