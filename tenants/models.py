"""Shared (public-schema) models: users, agencies, brands (the tenants), their domains, who may
enter which brand with which role, and brand API keys."""

import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_tenants.models import DomainMixin, TenantMixin

from tenants.hosts import brand_primary_host, site_url
from tenants.languages import LANGUAGES

SLUG_PATTERN = r"^[a-z][a-z0-9-]{1,38}[a-z0-9]$"
slug_validator = RegexValidator(
    SLUG_PATTERN,
    _("Use 3–40 lowercase letters, digits or hyphens, starting with a letter."),
)


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """One global account; email is the login. Entering a brand needs a BrandGrant."""

    email = models.EmailField(_("email"), unique=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    # Blank: follow the browser on pages and the brand's default language in emails
    # (tenants.localization.reader_language).
    language = models.CharField(
        _("language"),
        max_length=5,
        choices=[("", _("Browser's or brand's language")), *LANGUAGES],
        default="",
        blank=True,
        help_text=_("The language of your pages, emails and notifications."),
    )
    is_staff = models.BooleanField(_("staff status"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.email

    def get_full_name(self) -> str:
        return self.name or self.email

    def get_short_name(self) -> str:
        return self.name or self.email


class Agency(models.Model):
    """A PR or social-media agency; it runs crisis work for its client brands."""

    slug = models.SlugField(_("slug"), max_length=40, unique=True, validators=[slug_validator])
    name = models.CharField(_("name"), max_length=200)
    require_two_factor = models.BooleanField(
        _("require two-factor sign-in"),
        default=False,
        help_text=_("Owners, admins and crisis managers must sign in with an authenticator app code."),
    )
    reply_to_email = models.EmailField(
        _("reply-to address"),
        blank=True,
        help_text=_("Where replies to emails about the agency's brands go, unless a brand sets its own."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class BrandQuerySet(models.QuerySet):
    def ready(self) -> "BrandQuerySet":
        """Brands that serve requests and get periodic work (not the template, not half-made, not
        deactivated)."""
        return self.filter(ready=True, is_template=False, deactivated_at__isnull=True)


class Brand(TenantMixin):
    """A client brand: one PostgreSQL schema holds all its data."""

    class Language(models.TextChoices):
        EN = "en", _("English")
        ID = "id", _("Bahasa Indonesia")

    id = models.BigAutoField(primary_key=True)
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="brands", null=True, blank=True)
    slug = models.SlugField(_("slug"), max_length=40, unique=True, validators=[slug_validator])
    name = models.CharField(_("name"), max_length=200)
    ready = models.BooleanField(
        _("ready"), default=False, help_text=_("Provisioned and serving; unready brands are skipped.")
    )
    is_template = models.BooleanField(default=False, editable=False)
    timezone = models.CharField(_("time zone"), max_length=64, default=settings.BRAND_DEFAULT_TIMEZONE)
    default_language = models.CharField(
        _("default language"), max_length=2, choices=Language.choices, default=Language.ID
    )
    sender_name = models.CharField(
        _("email sender name"),
        max_length=100,
        blank=True,
        help_text=_("The name emails about this brand come from; blank: the brand's name."),
    )
    reply_to_email = models.EmailField(
        _("reply-to address"),
        blank=True,
        help_text=_("Where replies to this brand's emails go; blank: the agency's reply-to address."),
    )
    colour = models.CharField(
        _("brand colour"),
        max_length=7,
        default="#0f766e",
        validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Use a hex colour like #0f766e."))],
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Offboarding: a deactivated brand serves nothing and gets no periodic work; after
    # BRAND_DELETION_GRACE_DAYS it is deleted for good (schema, media, domains, grants, keys).
    deactivated_at = models.DateTimeField(_("deactivated"), null=True, blank=True, editable=False)

    # Provisioning (tenants.services.brand_create) creates the schema by cloning, inside its own
    # transaction; a plain save must never run migrations.
    auto_create_schema = False
    auto_drop_schema = True

    objects = BrandQuerySet.as_manager()

    class Meta:
        verbose_name = _("brand")
        verbose_name_plural = _("brands")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def primary_host(self) -> str:
        domain = self.get_primary_domain()
        return domain.domain if domain else ""

    def url(self, path: str = "/") -> str:
        """The absolute, clickable address of `path` (starting with "/") on the brand's primary
        host: every link in an email, an in-app notification or a webhook is built here."""
        return site_url(self.primary_host or brand_primary_host(self.slug), path)


class Domain(DomainMixin):
    """A host name that routes to a brand: its primary `<slug>.<BASE_DOMAIN>` or a custom one."""

    class Meta:
        verbose_name = _("domain")
        verbose_name_plural = _("domains")


class BrandGrant(models.Model):
    """A user's role on one brand. Without one, the user cannot enter the brand's host or API."""

    class Role(models.TextChoices):
        AGENCY_OWNER = "agency_owner", _("Agency owner")
        AGENCY_ADMIN = "agency_admin", _("Agency admin")
        CRISIS_MANAGER = "crisis_manager", _("Crisis manager")
        SOCIAL_MEDIA_SPECIALIST = "social_media_specialist", _("Social-media specialist")
        SPOKESPERSON = "spokesperson", _("Spokesperson")
        LEGAL = "legal", _("Legal")
        CUSTOMER_CARE = "customer_care", _("Customer care")
        CLIENT_APPROVER = "client_approver", _("Client approver")
        CLIENT_VIEWER = "client_viewer", _("Client viewer")

    STAFF_ROLES = frozenset(
        {
            Role.AGENCY_OWNER,
            Role.AGENCY_ADMIN,
            Role.CRISIS_MANAGER,
            Role.SOCIAL_MEDIA_SPECIALIST,
            Role.SPOKESPERSON,
            Role.LEGAL,
            Role.CUSTOMER_CARE,
        }
    )
    CLIENT_ROLES = frozenset({Role.CLIENT_APPROVER, Role.CLIENT_VIEWER})

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="grants")
    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="grants")
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("brand grant")
        verbose_name_plural = _("brand grants")
        constraints = [models.UniqueConstraint(fields=["user", "brand"], name="one_grant_per_user_brand")]

    def __str__(self) -> str:
        return f"{self.user} · {self.brand} · {self.get_role_display()}"

    @property
    def is_staff_role(self) -> bool:
        return self.role in self.STAFF_ROLES


class AgencyMembership(models.Model):
    """Agency owners and admins see every brand of their own agency."""

    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        ADMIN = "admin", _("Admin")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agency_memberships"
    )
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)

    class Meta:
        verbose_name = _("agency membership")
        verbose_name_plural = _("agency memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "agency"], name="one_membership_per_user_agency")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.agency} · {self.get_role_display()}"


API_KEY_SCOPES = (
    ("read", _("read: every GET the integration role may make")),
    ("intake", _("intake: post mentions, metrics and content metrics")),
    ("write", _("write: every other POST, PATCH and DELETE the integration role may make")),
)


def api_key_scopes_all() -> list[str]:
    return [scope for scope, _label in API_KEY_SCOPES]


class BrandApiKey(models.Model):
    """A key an integration uses for one brand. Only a hash is stored; the key is shown once. Its
    scopes (chosen at creation) narrow what the integration role may do with it."""

    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(_("name"), max_length=100)
    scopes = models.JSONField(_("scopes"), default=api_key_scopes_all)
    prefix = models.CharField(_("prefix"), max_length=16, unique=True, editable=False)
    hashed_key = models.CharField(max_length=128, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("brand API key")
        verbose_name_plural = _("brand API keys")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class IdempotencyRecord(models.Model):
    """The first answer to a POST sent with an `Idempotency-Key`, replayed to the same caller on the
    same brand for 24 hours. The unique row is also the lock: a concurrent duplicate waits on it."""

    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    caller = models.CharField(max_length=40)  # "key:<id>" or "user:<id>"
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)  # sha256 of method, path and canonical body
    status_code = models.PositiveSmallIntegerField()
    body = models.JSONField(null=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["brand", "caller", "key"],
                nulls_distinct=False,
                name="idempotency_key_once_per_caller",
            )
        ]


class WorkerPing(models.Model):
    """A worker's answer to a ping: which schema the task ran in, and when. /healthz and the
    tests read it to prove the queue reaches a worker in the right brand."""

    token = models.CharField(max_length=64, unique=True)
    schema_name = models.CharField(max_length=63)
    seen_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("worker ping")


class SignInHandoff(models.Model):
    """A one-time pass that carries a signed-in user from one host of this installation to a
    brand's host (cookies cannot be shared across `*.localhost` or custom domains). Only a hash of
    the token is kept; it is bound to one brand, expires within a minute and is spent once."""

    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="+")
    next_path = models.CharField(max_length=500, default="/")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("sign-in hand-off")
        verbose_name_plural = _("sign-in hand-offs")
        indexes = [models.Index(fields=["expires_at"], name="handoff_expires_idx")]

    def __str__(self) -> str:
        return f"{self.user} → {self.brand}"


class Heartbeat(models.Model):
    """The last sign of life of beat ("beat") or of the worker consuming a queue ("worker:<queue>").
    /healthz reports each one's age; a row is overwritten in place, never appended."""

    name = models.CharField(max_length=64, primary_key=True)
    seen_at = models.DateTimeField()

    class Meta:
        verbose_name = _("heartbeat")

    def __str__(self) -> str:
        return f"{self.name} @ {self.seen_at:%Y-%m-%d %H:%M:%S}"


class AuditEvent(models.Model):
    """One security-relevant change or sign-in event: who, from which host and address, when, on
    which agency or brand, and what changed (before/after). Append-only: a database trigger refuses
    UPDATE and DELETE. People, agencies and brands are kept as ids plus a readable snapshot (no
    database constraint), so the trail outlives what it describes."""

    class Action(models.TextChoices):
        SIGN_IN = "sign_in", _("Signed in")
        LOCKOUT = "lockout", _("Sign-in locked out")
        PASSWORD_RESET_REQUESTED = "password.reset_requested", _("Password reset requested")
        PASSWORD_RESET = "password.reset", _("Password reset")
        PASSWORD_CHANGED = "password.changed", _("Password changed")
        GRANT_SET = "grant.set", _("Brand grant set")
        GRANT_REVOKED = "grant.revoked", _("Brand grant revoked")
        MEMBERSHIP_SET = "membership.set", _("Agency membership set")
        MEMBERSHIP_REMOVED = "membership.removed", _("Agency membership removed")
        API_KEY_CREATED = "api_key.created", _("API key created")
        API_KEY_REVOKED = "api_key.revoked", _("API key revoked")
        DOMAIN_ADDED = "domain.added", _("Domain added")
        DOMAIN_CHANGED = "domain.changed", _("Domain changed")
        DOMAIN_REMOVED = "domain.removed", _("Domain removed")
        BRAND_CREATED = "brand.created", _("Brand created")
        BRAND_CHANGED = "brand.changed", _("Brand settings changed")
        BRAND_DELETED = "brand.deleted", _("Brand deleted")
        BRAND_DEACTIVATED = "brand.deactivated", _("Brand deactivated")
        BRAND_REACTIVATED = "brand.reactivated", _("Brand restored")
        DETECTOR_SETTINGS_CHANGED = "detector_settings.changed", _("Detector settings changed")
        CRISIS_SETTINGS_CHANGED = "crisis_settings.changed", _("Crisis settings changed")
        WEBHOOK_CREATED = "webhook.created", _("Webhook subscription created")
        WEBHOOK_CHANGED = "webhook.changed", _("Webhook subscription changed")
        WEBHOOK_SECRET_ROTATED = "webhook.secret_rotated", _("Webhook secret rotated")
        TWO_FACTOR_ENABLED = "two_factor.enabled", _("Two-factor sign-in enabled")
        TWO_FACTOR_FAILED = "two_factor.failed", _("Two-factor code refused")
        AGENCY_CHANGED = "agency.changed", _("Agency settings changed")
        EXPORT = "export", _("Export")
        RETENTION_CHANGED = "retention.changed", _("Retention rules changed")
        RETENTION_APPLIED = "retention.applied", _("Retention rules applied")

    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    action = models.CharField(_("action"), max_length=40, choices=Action.choices, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_email = models.CharField(_("who (email)"), max_length=254, blank=True)
    host = models.CharField(_("host"), max_length=255, blank=True)
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    agency = models.ForeignKey(
        Agency, on_delete=models.DO_NOTHING, db_constraint=False, null=True, blank=True, related_name="+"
    )
    brand = models.ForeignKey(
        Brand, on_delete=models.DO_NOTHING, db_constraint=False, null=True, blank=True, related_name="+"
    )
    brand_slug = models.CharField(_("brand"), max_length=40, blank=True)
    target_type = models.CharField(_("object type"), max_length=60, blank=True)
    target_id = models.CharField(_("object id"), max_length=64, blank=True)
    target_repr = models.CharField(_("object"), max_length=300, blank=True)
    changes = models.JSONField(_("what changed"), default=dict, blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit trail")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["agency", "-at"], name="audit_agency_at_idx"),
            models.Index(fields=["brand", "-at"], name="audit_brand_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.target_repr}"


class BrandExport(models.Model):
    """One requested archive of a brand, made by a Celery task; its download link is the
    requester's, works once and expires."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Running")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.PENDING)
    tables = models.PositiveIntegerField(_("tables"), default=0)
    rows = models.PositiveBigIntegerField(_("rows"), default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    expires_at = models.DateTimeField(_("link expires"), null=True, blank=True)
    downloaded_at = models.DateTimeField(_("downloaded"), null=True, blank=True)
    # Whether customers' personal data is in the archive: only when the requester's role on the
    # brand may read it (tenants.roles "personal_data.read"); otherwise those columns are emptied.
    personal_data = models.BooleanField(_("with personal data"), default=False)
    archive_deleted_at = models.DateTimeField(_("archive deleted"), null=True, blank=True)

    class Meta:
        verbose_name = _("brand export")
        verbose_name_plural = _("brand exports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.brand} · {self.created_at:%Y-%m-%d %H:%M}"


class RetentionPolicy(models.Model):
    """How long one brand keeps what it collects. No row means the defaults below. Applied nightly
    by `incidents.retention_apply` (brand schema) and `tenants.services.retention_apply_public`
    (the brand's audit events and exports); figures and rollups are never removed."""

    brand = models.OneToOneField(Brand, on_delete=models.CASCADE, primary_key=True, related_name="retention")
    mentions_months = models.PositiveSmallIntegerField(
        _("keep raw mentions (months)"),
        default=13,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text=_(
            "Older mentions are deleted; those an incident, case or reply points at lose their text."
        ),
    )
    personal_data_months = models.PositiveSmallIntegerField(
        _("keep customers' personal data (months after closing)"),
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text=_("Care cases closed and survey invitations ended longer ago lose the customer's details."),
    )
    audit_months = models.PositiveSmallIntegerField(
        _("keep the brand's audit trail (months)"),
        default=24,
        validators=[MinValueValidator(6), MaxValueValidator(120)],
    )
    exports_days = models.PositiveSmallIntegerField(
        _("keep brand export records (days)"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
        help_text=_("An archive file is deleted as soon as its link is used or expired."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("retention rules")
        verbose_name_plural = _("retention rules")

    def __str__(self) -> str:
        return str(_("Retention rules"))


class BrandHealth(models.Model):
    """The agency portfolio's figures of one brand, in public: written by the per-brand periodic
    fan-out (reports.tasks_health, about once a minute), read by the portfolio page and API, which
    never enter a brand's schema. `computed_at` says how old the figures are."""

    brand = models.OneToOneField(Brand, on_delete=models.CASCADE, primary_key=True, related_name="health")
    # Open real incidents (drills never count) by the incident severity scale, SEV1 worst.
    open_critical = models.PositiveIntegerField(_("open SEV1"), default=0)
    open_high = models.PositiveIntegerField(_("open SEV2"), default=0)
    open_medium = models.PositiveIntegerField(_("open SEV3"), default=0)
    open_low = models.PositiveIntegerField(_("open SEV4"), default=0)
    # One number that orders brands worst first: SEV1 count, then SEV2, SEV3, SEV4 (each capped
    # at 999, so a lower severity never outweighs one more incident of a higher one).
    severity_rank = models.BigIntegerField(_("severity rank"), default=0)
    alerts_24h = models.PositiveIntegerField(_("alerts in the last 24 h"), default=0)
    mentions_24h = models.PositiveIntegerField(_("mentions in the last 24 h"), default=0)
    negative_share_now = models.FloatField(_("negative share, last 24 h"), null=True, blank=True)
    negative_share_baseline = models.FloatField(_("negative share, previous 7 days"), null=True, blank=True)
    # now − baseline in share points (0.10 = ten points worse than usual); empty if either is.
    negative_share_change = models.FloatField(_("negative share change"), null=True, blank=True)
    unanswered_complaints = models.PositiveIntegerField(_("unanswered complaints"), default=0)
    unanswered_overdue = models.PositiveIntegerField(_("unanswered past the response target"), default=0)
    csat_30d = models.FloatField(_("CSAT, last 30 days"), null=True, blank=True)
    csat_answers_30d = models.PositiveIntegerField(_("CSAT answers, last 30 days"), default=0)
    next_client_update_at = models.DateTimeField(_("next client update due"), null=True, blank=True)
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        verbose_name = _("brand health")
        verbose_name_plural = _("brand health")

    def __str__(self) -> str:
        return f"{self.brand_id} @ {self.computed_at:%Y-%m-%d %H:%M}"

    @property
    def open_incidents(self) -> int:
        return self.open_critical + self.open_high + self.open_medium + self.open_low
