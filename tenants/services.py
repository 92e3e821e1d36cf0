"""Writes on the shared schema: agencies, brand provisioning by cloning the template schema,
grants and API keys. Provisioning and the per-brand fan-out (with the portfolio's brand health row
it writes into public) are the only code that crosses schemas."""

import hashlib
import hmac
import re
import secrets
import shutil
import zoneinfo
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext
from django_tenants.utils import schema_context, schema_exists, tenant_context

from tenants.audit import Action, audit_record
from tenants.cloning import clone_schema
from tenants.errors import DomainError
from tenants.hosts import brand_primary_host, host_normalise, host_reserved_reason
from tenants.models import (
    SLUG_PATTERN,
    Agency,
    AgencyMembership,
    Brand,
    BrandApiKey,
    BrandGrant,
    BrandHealth,
    Domain,
    SignInHandoff,
    User,
    api_key_scopes_all,
)
from tenants.selectors import brand_role_get

TEMPLATE_SLUG = "template"
_HOST_PATTERN = re.compile(
    r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$"
)
# Names Postgres or django-tenants reserve, or that would shadow a system schema.
_RESERVED_SCHEMAS = {"public", "information_schema", settings.TENANT_BASE_SCHEMA}


def _check_slug(slug: str, *, field: str = "slug") -> None:
    if not isinstance(slug, str) or not re.fullmatch(SLUG_PATTERN, slug or ""):
        raise DomainError(
            f"Invalid {field} {slug!r}: use 3–40 lowercase letters, digits or hyphens, starting with a letter.",
            field_errors={field: ["Use 3–40 lowercase letters, digits or hyphens, starting with a letter."]},
        )


def brand_schema_name(slug: str) -> str:
    """The schema a brand's data lives in. Hyphens are not valid in unquoted identifiers."""
    return "brand_" + slug.replace("-", "_")


def _host_syntax_check(host: str, *, field: str = "domain") -> str:
    host = host_normalise(host)
    if not _HOST_PATTERN.match(host):
        raise DomainError(f"Invalid domain {host!r}.", field_errors={field: ["Enter a valid host name."]})
    return host


def _host_reserved_check(host: str, *, brand_slug: str | None, field: str = "domain") -> None:
    reason = host_reserved_reason(host, own_slug=brand_slug)
    if reason:
        raise DomainError(f"{host}: {reason}", field_errors={field: [f"{host}: {reason}"]})


def check_host(host: str, *, brand_slug: str | None = None) -> str:
    """The normalised host, if it may be a domain of the brand `brand_slug`. Refuses bad syntax
    and reserved names (main hosts, anything under them or BASE_DOMAIN except the brand's own
    primary host, localhost, IP literals). Every way a domain is added goes through here."""
    host = _host_syntax_check(host)
    _host_reserved_check(host, brand_slug=brand_slug)
    return host


@transaction.atomic
def agency_create(*, slug: str, name: str) -> Agency:
    _check_slug(slug)
    if not (name or "").strip():
        raise DomainError("An agency needs a name.", field_errors={"name": ["This field is required."]})
    if Agency.objects.filter(slug=slug).exists():
        raise DomainError(
            f"An agency with slug {slug!r} already exists.", field_errors={"slug": ["Already taken."]}
        )
    return Agency.objects.create(slug=slug, name=name.strip())


def template_brand_ensure() -> Brand:
    """The template brand whose schema new brands are cloned from. Creating it runs the tenant
    migrations once; `migrate_schemas` keeps it current because it is a real tenant row."""
    with schema_context("public"):
        template = Brand.objects.filter(schema_name=settings.TENANT_BASE_SCHEMA).first()
        if template and schema_exists(template.schema_name):
            return template
        template = template or Brand(
            schema_name=settings.TENANT_BASE_SCHEMA,
            slug=TEMPLATE_SLUG,
            name="Template (new brands are cloned from it)",
            is_template=True,
            ready=True,
        )
        template.save()
        # No base schema exists yet, so django-tenants migrates this one the slow way.
        template.create_schema(check_if_exists=True, verbosity=0)
        return template


def brand_input_check(
    *, slug: str, name: str, timezone_name: str, default_language: str, custom_domains: list[str] | None
) -> tuple[str, list[str]]:
    """Refuse bad provisioning input with a DomainError naming the field; return the schema name
    and hosts. The admin form calls it too, so errors show on their fields."""
    _check_slug(slug)
    if not (name or "").strip():
        raise DomainError("A brand needs a name.", field_errors={"name": ["This field is required."]})
    if slug == TEMPLATE_SLUG:
        raise DomainError(f"The slug {slug!r} is reserved.", field_errors={"slug": ["Reserved."]})
    schema_name = brand_schema_name(slug)
    if schema_name in _RESERVED_SCHEMAS or schema_name.startswith("pg_"):
        raise DomainError(f"The slug {slug!r} is reserved.", field_errors={"slug": ["Reserved."]})
    if timezone_name not in zoneinfo.available_timezones():
        raise DomainError(
            f"Unknown time zone {timezone_name!r}.", field_errors={"timezone": ["Unknown time zone."]}
        )
    if default_language not in Brand.Language.values:
        raise DomainError("Language must be en or id.", field_errors={"default_language": ["Use en or id."]})
    primary = brand_primary_host(slug)
    if host_reserved_reason(primary, own_slug=slug):
        raise DomainError(
            f"The slug {slug!r} is reserved: {primary} is a main host.", field_errors={"slug": ["Reserved."]}
        )
    custom = [_host_syntax_check(h, field="custom_domains") for h in custom_domains or []]
    hosts = [primary] + custom
    if len(set(hosts)) != len(hosts):
        raise DomainError(
            "A host name is listed twice.", field_errors={"custom_domains": ["Each host only once."]}
        )
    if Brand.objects.filter(slug=slug).exists() or schema_exists(schema_name):
        raise DomainError(
            f"A brand with slug {slug!r} already exists.",
            field_errors={"slug": [f"A brand with slug {slug!r} already exists."]},
        )
    taken = list(Domain.objects.filter(domain__in=hosts).values_list("domain", flat=True))
    if taken:
        raise DomainError(
            f"Domain already in use: {', '.join(taken)}.",
            field_errors={"custom_domains": ["Already in use."]},
        )
    for host in custom:
        # A custom domain is never a main host, nor under one or BASE_DOMAIN (not even the
        # brand's own primary host, which every brand gets anyway).
        _host_reserved_check(host, brand_slug=None, field="custom_domains")
    return schema_name, hosts


def brand_create(
    *,
    agency: Agency | None,
    slug: str,
    name: str,
    timezone_name: str = settings.BRAND_DEFAULT_TIMEZONE,
    default_language: str = Brand.Language.ID,
    custom_domains: list[str] | None = None,
) -> Brand:
    """Provision a brand: clone the template schema, add its primary domain and mark it ready.
    All of it or nothing: on any error no row and no schema is left behind."""
    schema_name, hosts = brand_input_check(
        slug=slug, name=name, timezone_name=timezone_name, default_language=default_language,
        custom_domains=custom_domains,
    )  # fmt: skip

    template_brand_ensure()
    try:
        with transaction.atomic():
            brand = Brand.objects.create(
                schema_name=schema_name,
                slug=slug,
                name=name.strip(),
                agency=agency,
                timezone=timezone_name,
                default_language=default_language,
            )
            # DDL is transactional in PostgreSQL: a failure below also removes the cloned schema.
            _clone_template_into(schema_name)
            for i, host in enumerate(hosts):
                Domain.objects.create(domain=host, tenant=brand, is_primary=(i == 0))
            brand.ready = True
            brand.save(update_fields=["ready"])
            audit_record(
                action=Action.BRAND_CREATED,
                brand=brand,
                target=brand,
                changes={"after": {"slug": slug, "name": brand.name, "hosts": hosts}},
            )
    except IntegrityError as exc:
        raise DomainError(f"Could not create brand {slug!r}: {exc}") from exc
    except ValidationError as exc:
        raise DomainError(f"Could not create brand {slug!r}: {'; '.join(exc.messages)}") from exc
    finally:
        connection.set_schema_to_public()
    return brand


def _clone_template_into(schema_name: str) -> None:
    """Copy the template schema (tables, keys, indexes, triggers, its django_migrations rows) into
    a new one. No migrations are faked: if the template is behind the code, the next
    `migrate_schemas` applies the missing ones to the new brand too, where faking them (as
    django-tenants' create_schema does) would mark them applied but never run."""
    clone_schema(source=settings.TENANT_BASE_SCHEMA, target=schema_name)


def brand_create_as_member(*, actor: User, agency_slug: str, **fields) -> Brand:
    """Provision a brand for an owner or admin of that agency (the agency API's rule); anyone
    else gets the same error as for an unknown agency."""
    agency = Agency.objects.filter(slug=agency_slug, memberships__user=actor).first()
    if agency is None:
        raise DomainError(
            "You are not an owner or admin of that agency.", field_errors={"agency": ["Not yours."]}
        )
    return brand_create(agency=agency, **fields)


@transaction.atomic
def domain_add(*, brand: Brand, host: str) -> Domain:
    """Add a custom domain to a brand; reserved hosts and hosts already in use are refused."""
    if brand.is_template:
        raise DomainError("The template brand has no domains.")
    host = check_host(host, brand_slug=brand.slug)
    if Domain.objects.filter(domain=host).exists():
        raise DomainError(f"Domain {host!r} is already in use.", field_errors={"domain": ["Already in use."]})
    domain = Domain.objects.create(domain=host, tenant=brand, is_primary=False)
    audit_record(action=Action.DOMAIN_ADDED, brand=brand, target=domain, changes={"after": {"domain": host}})
    return domain


def _user_for_email(email: str) -> User:
    try:
        validate_email(email)
    except ValidationError as exc:
        raise DomainError(
            f"Invalid email {email!r}.", field_errors={"email": ["Enter a valid email."]}
        ) from exc
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        raise DomainError(f"No user with email {email!r}.", field_errors={"email": ["No such user."]})
    return user


@transaction.atomic
def grant_set(*, email: str, brand_slug: str, role: str) -> BrandGrant:
    """Give a user a role on a brand (replacing an earlier role). Safe to repeat."""
    if role not in BrandGrant.Role.values:
        raise DomainError(
            f"Unknown role {role!r}; use one of: {', '.join(BrandGrant.Role.values)}.",
            field_errors={"role": ["Unknown role."]},
        )
    user = _user_for_email(email)
    brand = Brand.objects.filter(slug=brand_slug, is_template=False).first()
    if brand is None:
        raise DomainError(f"No brand with slug {brand_slug!r}.", field_errors={"brand": ["No such brand."]})
    grant = _grant_write(user=user, brand=brand, role=role)
    return grant


def _grant_write(*, user: User, brand: Brand, role: str, actor: User | None = None) -> BrandGrant:
    """Create or change a grant, with the role change on the audit trail (nothing when unchanged)."""
    before = BrandGrant.objects.filter(user=user, brand=brand).values_list("role", flat=True).first()
    grant, _ = BrandGrant.objects.update_or_create(user=user, brand=brand, defaults={"role": role})
    if before != role:
        audit_record(
            action=Action.GRANT_SET,
            actor=actor,
            brand=brand,
            target=grant,
            changes={"user": user.email, "role": {"before": before, "after": role}},
        )
    return grant


@transaction.atomic
def grant_invite(*, actor: User, brand: Brand, email: str, role: str) -> tuple[BrandGrant, bool]:
    """Give the person with `email` a role on `brand`, for a platform superuser or an owner/admin
    of the brand's agency. An unknown address gets a new account with no usable password (it
    signs in only after setting one through its invitation link). Returns the grant and whether
    the account is new. Safe to repeat."""
    if role not in BrandGrant.Role.values:
        raise DomainError(f"Unknown role {role!r}.", field_errors={"role": ["Unknown role."]})
    if brand.is_template or not (
        actor.is_superuser
        or (
            brand.agency_id
            and AgencyMembership.objects.filter(user=actor, agency_id=brand.agency_id).exists()
        )
    ):
        raise DomainError("Choose one of your own agency's brands.", field_errors={"brand": ["Not yours."]})
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise DomainError(
            f"Invalid email {email!r}.", field_errors={"invite_email": ["Enter a valid email."]}
        ) from exc
    user = User.objects.filter(email__iexact=email).first()
    created = user is None
    if created:
        user = User.objects.create_user(email, password=None)  # unusable until the invitee sets one
    grant = _grant_write(user=user, brand=brand, role=role, actor=actor)
    return grant, created


def invitation_path(*, user: User) -> str:
    """The path (on the main host) where a newly invited account sets its first password; the
    link stops working once a password is set, and after PASSWORD_RESET_TIMEOUT."""
    if user.has_usable_password():
        raise DomainError("This account already has a password.")
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return f"/accounts/set-password/{uid}/{default_token_generator.make_token(user)}/"


@transaction.atomic
def grant_revoke(*, email: str, brand_slug: str) -> int:
    grants = list(
        BrandGrant.objects.filter(user__email__iexact=email, brand__slug=brand_slug).select_related(
            "brand", "user"
        )
    )
    for grant in grants:
        audit_record(
            action=Action.GRANT_REVOKED,
            brand=grant.brand,
            target=grant,
            changes={"user": grant.user.email, "role": {"before": grant.role, "after": None}},
        )
    deleted, _ = BrandGrant.objects.filter(pk__in=[g.pk for g in grants]).delete()
    return deleted


@transaction.atomic
def agency_membership_set(*, email: str, agency_slug: str, role: str) -> AgencyMembership:
    if role not in AgencyMembership.Role.values:
        raise DomainError(f"Unknown agency role {role!r}; use owner or admin.")
    user = _user_for_email(email)
    agency = Agency.objects.filter(slug=agency_slug).first()
    if agency is None:
        raise DomainError(f"No agency with slug {agency_slug!r}.")
    before = AgencyMembership.objects.filter(user=user, agency=agency).values_list("role", flat=True).first()
    membership, _ = AgencyMembership.objects.update_or_create(
        user=user, agency=agency, defaults={"role": role}
    )
    if before != role:
        audit_record(
            action=Action.MEMBERSHIP_SET,
            agency=agency,
            target=membership,
            changes={"user": user.email, "role": {"before": before, "after": role}},
        )
    return membership


# --- API keys ---------------------------------------------------------------------------------
API_KEY_PREFIX = "tgp_"


API_KEY_HASH_SCHEME = "sha256$"
_API_KEY_PREFIX_PATTERN = re.compile(r"[0-9a-f]{1,16}")


def _hash_key(secret: str) -> str:
    # Keys are 256 random bits, so a plain SHA-256 cannot be brute-forced and needs no stretching
    # or secret key: rotating SECRET_KEY leaves every key working.
    return API_KEY_HASH_SCHEME + hashlib.sha256(secret.encode()).hexdigest()


def _key_matches(key: BrandApiKey, secret: str) -> bool:
    """Compare with the stored hash. Hashes stored before the SHA-256 scheme are HMACs keyed with
    SECRET_KEY: they are checked against SECRET_KEY and each of SECRET_KEY_FALLBACKS, and the
    caller upgrades them on first use (the plain key is needed to do so, so no migration can)."""
    if key.hashed_key.startswith(API_KEY_HASH_SCHEME):
        return hmac.compare_digest(key.hashed_key, _hash_key(secret))
    for signing_key in [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]:
        legacy = hmac.new(str(signing_key).encode(), secret.encode(), hashlib.sha256).hexdigest()
        if hmac.compare_digest(key.hashed_key, legacy):
            return True
    return False


@transaction.atomic
def api_key_scopes_check(scopes) -> list[str]:
    """The scopes in the canonical order, or a DomainError naming the unknown ones."""
    known = api_key_scopes_all()
    chosen = set(scopes or [])
    unknown = sorted(chosen - set(known))
    if unknown or not chosen:
        message = f"Choose scopes among {', '.join(known)}" + (
            f" (unknown: {', '.join(unknown)})." if unknown else "."
        )
        raise DomainError(message, field_errors={"scopes": [message]})
    return [scope for scope in known if scope in chosen]


def api_key_create(
    *, brand: Brand, name: str, created_by: User | None = None, scopes: list[str] | None = None
) -> tuple[BrandApiKey, str]:
    """Create a key limited to `scopes` (read, intake, write; all three when not given) and return
    it with its plain text, which is never stored or shown again."""
    if brand.is_template:
        raise DomainError("The template brand cannot have API keys.")
    scopes = api_key_scopes_check(api_key_scopes_all() if scopes is None else scopes)
    name = (name or "").strip() or "API key"
    prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    key = BrandApiKey.objects.create(
        brand=brand,
        name=name[:100],
        prefix=prefix,
        hashed_key=_hash_key(secret),
        created_by=created_by,
        scopes=scopes,
    )
    audit_record(action=Action.API_KEY_CREATED, actor=created_by, brand=brand, target=key)
    return key, f"{API_KEY_PREFIX}{prefix}_{secret}"


def api_key_authenticate(*, raw_key: str) -> BrandApiKey | None:
    """The active key matching `raw_key`, with `last_used_at` refreshed, or None."""
    if not raw_key.startswith(API_KEY_PREFIX):
        return None
    prefix, _, secret = raw_key[len(API_KEY_PREFIX) :].partition("_")
    # A prefix is hex; anything else (a NUL byte PostgreSQL refuses in a query) is no key at all.
    if not _API_KEY_PREFIX_PATTERN.fullmatch(prefix) or not secret:
        return None
    key = BrandApiKey.objects.select_related("brand").filter(prefix=prefix, revoked_at=None).first()
    if key is None or not _key_matches(key, secret):
        return None
    if not key.hashed_key.startswith(API_KEY_HASH_SCHEME):
        # Only the row still holding the old hash is upgraded, so two requests racing do no harm.
        BrandApiKey.objects.filter(pk=key.pk, hashed_key=key.hashed_key).update(hashed_key=_hash_key(secret))
        key.hashed_key = _hash_key(secret)
    now = timezone.now()
    # At most one write a minute per key, so a busy integration does not contend on one row.
    if key.last_used_at is None or (now - key.last_used_at).total_seconds() > 60:
        BrandApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now
    return key


@transaction.atomic
def api_key_revoke(*, key_id: int) -> BrandApiKey:
    key = BrandApiKey.objects.select_for_update().get(pk=key_id)
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
        audit_record(action=Action.API_KEY_REVOKED, brand=key.brand, target=key)
    return key


# --- Per-brand fan-out --------------------------------------------------------------------------
def ready_brands_iter(*, progress: bool = False) -> Iterator[Brand]:
    """Ready brands, one at a time, with the connection switched into each brand's schema."""
    brands = list(Brand.objects.ready().order_by("slug"))
    if progress:
        from tqdm import tqdm

        brands = tqdm(brands, desc="brands", unit="brand")
    for brand in brands:
        with tenant_context(brand):
            yield brand


def fan_out_to_ready_brands(enqueue: Callable[[Brand], None]) -> int:
    """Call `enqueue` once per ready brand, inside its schema, so a queued task carries it."""
    count = 0
    for brand in ready_brands_iter():
        enqueue(brand)
        count += 1
    return count


# The portfolio's figure fields a brand's health computation provides (tenants.models.BrandHealth).
BRAND_HEALTH_FIELDS = (
    "open_critical",
    "open_high",
    "open_medium",
    "open_low",
    "alerts_24h",
    "mentions_24h",
    "negative_share_now",
    "negative_share_baseline",
    "unanswered_complaints",
    "unanswered_overdue",
    "csat_30d",
    "csat_answers_30d",
    "next_client_update_at",
)
_RANK_CAP = 999


def brand_health_upsert(*, brand_id: int, figures: dict, computed_at) -> BrandHealth:
    """Write one brand's portfolio row in public (the fan-out calls it from the brand's schema).
    Idempotent: a repeat with the same figures leaves the same row. Unknown keys are refused."""
    unknown = set(figures) - set(BRAND_HEALTH_FIELDS)
    if unknown:
        raise ValueError(f"unknown brand health figures: {sorted(unknown)}")
    values = {name: figures.get(name) for name in BRAND_HEALTH_FIELDS}
    for name in ("open_critical", "open_high", "open_medium", "open_low", "alerts_24h", "mentions_24h",
                 "unanswered_complaints", "unanswered_overdue", "csat_answers_30d"):  # fmt: skip
        values[name] = int(values[name] or 0)
    rank = 0
    for name in ("open_critical", "open_high", "open_medium", "open_low"):
        rank = rank * (_RANK_CAP + 1) + min(values[name], _RANK_CAP)
    now_share, baseline = values["negative_share_now"], values["negative_share_baseline"]
    values["severity_rank"] = rank
    values["negative_share_change"] = (
        round(now_share - baseline, 4) if now_share is not None and baseline is not None else None
    )
    values["computed_at"] = computed_at
    with schema_context("public"):
        row, _created = BrandHealth.objects.update_or_create(brand_id=brand_id, defaults=values)
    return row


# --- Sign-in hand-off between hosts -----------------------------------------------------------


def _handoff_hash(token: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), token.encode(), hashlib.sha256).hexdigest()


def _safe_next_path(next_path: str) -> str:
    # Only a path on the target host: never a scheme, a host or a protocol-relative `//` link.
    if not next_path.startswith("/") or next_path.startswith("//") or "\\" in next_path:
        return "/"
    return next_path[:500]


@transaction.atomic
def handoff_create(*, user: User, brand: Brand, next_path: str = "/") -> str:
    """A one-time token that signs `user` in on `brand`'s host; only its hash is stored. Refused
    when the user has no grant on the brand."""
    if brand_role_get(user=user, brand=brand) is None or not brand.ready:
        raise DomainError(gettext("You have no access to %(brand)s.") % {"brand": brand.name})
    now = timezone.now()
    # Spent and expired passes are worthless; keep the table small as it is used.
    SignInHandoff.objects.filter(expires_at__lt=now - timedelta(hours=1)).delete()
    token = secrets.token_urlsafe(32)
    SignInHandoff.objects.create(
        token_hash=_handoff_hash(token),
        user=user,
        brand=brand,
        next_path=_safe_next_path(next_path),
        expires_at=now + timedelta(seconds=settings.SIGN_IN_HANDOFF_SECONDS),
    )
    return token


@transaction.atomic
def handoff_consume(*, token: str, brand: Brand) -> SignInHandoff:
    """Spend a hand-off on the host of the brand it was made for: once, before it expires, and only
    while the user still has a grant there. Any refusal leaves the pass as it was."""
    refused = DomainError(gettext("This sign-in link is not valid. Please sign in."))
    handoff = (
        SignInHandoff.objects.select_for_update()
        .select_related("user")
        .filter(token_hash=_handoff_hash(token or ""))
        .first()
    )
    # A pass for brand A presented on brand B's host is refused like a made-up one.
    if handoff is None or handoff.brand_id != brand.pk:
        raise refused
    if handoff.used_at is not None:
        raise DomainError(gettext("This sign-in link has already been used. Please sign in."))
    if handoff.expires_at <= timezone.now():
        raise DomainError(gettext("This sign-in link has expired. Please sign in."))
    if not handoff.user.is_active or brand_role_get(user=handoff.user, brand=brand) is None:
        raise DomainError(gettext("You have no access to %(brand)s.") % {"brand": brand.name})
    handoff.used_at = timezone.now()
    handoff.save(update_fields=["used_at"])
    return handoff


# --- Liveness ---------------------------------------------------------------------------------
def heartbeat_record(*, name: str, at=None) -> None:
    """Record that `name` (beat, or the worker on a queue) is alive now. One UPSERT, in public."""
    from tenants.models import Heartbeat

    with schema_context("public"):
        Heartbeat.objects.update_or_create(name=name, defaults={"seen_at": at or timezone.now()})


# --- Offboarding ----------------------------------------------------------------------------------


@transaction.atomic
def brand_deactivate(*, brand: Brand, actor: User | None = None) -> Brand:
    """Close a brand: its hosts and API answer that it is not served, no periodic work runs for
    it; it can be restored for BRAND_DELETION_GRACE_DAYS. Safe to repeat."""
    brand = Brand.objects.select_for_update().get(pk=brand.pk)
    if brand.is_template:
        raise DomainError("The template brand cannot be deactivated.")
    if brand.deactivated_at is None:
        brand.deactivated_at = timezone.now()
        # An update, not save(): django-tenants refuses a tenant's save from another schema.
        Brand.objects.filter(pk=brand.pk).update(deactivated_at=brand.deactivated_at)
        audit_record(action=Action.BRAND_DEACTIVATED, actor=actor, brand=brand, target=brand)
    return brand


@transaction.atomic
def brand_reactivate(*, brand: Brand, actor: User | None = None) -> Brand:
    """Restore a deactivated brand within its grace period. Safe to repeat."""
    brand = Brand.objects.select_for_update().get(pk=brand.pk)
    if brand.deactivated_at is None:
        return brand
    if brand.deactivated_at <= timezone.now() - timedelta(days=settings.BRAND_DELETION_GRACE_DAYS):
        raise DomainError("The grace period has passed; this brand is being deleted.")
    brand.deactivated_at = None
    Brand.objects.filter(pk=brand.pk).update(deactivated_at=None)
    audit_record(action=Action.BRAND_REACTIVATED, actor=actor, brand=brand, target=brand)
    return brand


def brands_delete_expired(*, now=None) -> int:
    """Delete for good every brand deactivated longer ago than the grace period: its schema,
    media folder, domains, grants and keys; the deletion goes on its agency's trail."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.BRAND_DELETION_GRACE_DAYS)
    connection.set_schema_to_public()
    deleted = 0
    for brand in Brand.objects.filter(deactivated_at__lte=cutoff, is_template=False):
        with transaction.atomic():
            audit_record(
                action=Action.BRAND_DELETED,
                brand=brand,
                target=brand,
                changes={
                    "before": {
                        "slug": brand.slug,
                        "schema": brand.schema_name,
                        "deactivated_at": brand.deactivated_at,
                    }
                },
            )
            schema = brand.schema_name
            brand.delete(force_drop=True)  # drops the schema; domains, grants and keys cascade
        shutil.rmtree(Path(settings.MEDIA_ROOT) / schema, ignore_errors=True)
        deleted += 1
    connection.set_schema_to_public()
    return deleted
