"""Reads about who may enter which brand, and the agency portfolio's public brand health rows."""

from datetime import UTC, datetime, timedelta

from django.db import connection
from django.db.models import DateTimeField, F, FloatField, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from tenants.models import AgencyMembership, Brand, BrandApiKey, BrandGrant, User


def brand_role_get(*, user: User | None, brand: Brand | None = None) -> str | None:
    """The user's role on `brand` (default: the brand whose schema is active), or None. Superuser
    status alone is never a way in. The one lookup of a role: the access middleware, the API's
    permission class and every permission check call it. Asked once per user object and brand:
    a request's signed-in user is one object from the middleware to the services, so a request
    queries at most once, and a grant changed meanwhile counts from the next request."""
    brand = brand if brand is not None else getattr(connection, "tenant", None)
    if user is None or getattr(user, "pk", None) is None or getattr(brand, "pk", None) is None:
        return None
    roles = getattr(user, "_brand_roles", None)
    if roles is None:
        roles = user._brand_roles = {}
    if brand.pk not in roles:
        roles[brand.pk] = _brand_role_query(user, brand)
    return roles[brand.pk]


def _brand_role_query(user: User, brand: Brand) -> str | None:
    if not user.is_authenticated or not user.is_active or brand.is_template:
        return None
    grant = BrandGrant.objects.filter(user=user, brand=brand).values_list("role", flat=True).first()
    if grant:
        return grant
    if brand.agency_id:
        membership = (
            AgencyMembership.objects.filter(user=user, agency_id=brand.agency_id)
            .values_list("role", flat=True)
            .first()
        )
        if membership:
            return {
                AgencyMembership.Role.OWNER: BrandGrant.Role.AGENCY_OWNER,
                AgencyMembership.Role.ADMIN: BrandGrant.Role.AGENCY_ADMIN,
            }[membership]
    return None


def brand_list_for_user(*, user: User) -> QuerySet[Brand]:
    """Ready brands the user may enter: granted directly or through an agency membership."""
    return (
        Brand.objects.ready()
        .filter(Q(grants__user=user) | Q(agency__memberships__user=user))
        .distinct()
        .order_by("name")
    )


def brand_client_contacts(*, brand: Brand) -> QuerySet[User]:
    """The brand's client contacts: active people with a client grant (approver or viewer) on it."""
    return User.objects.filter(
        is_active=True, grants__brand=brand, grants__role__in=BrandGrant.CLIENT_ROLES
    ).order_by("name", "email")


def api_key_active_get(*, prefix: str) -> BrandApiKey | None:
    return BrandApiKey.objects.select_related("brand").filter(prefix=prefix, revoked_at=None).first()


def agency_people_list(*, agency_ids: list[int] | None) -> QuerySet[User]:
    """The accounts an agency member may pick: people who already hold a grant on one of the
    agencies' brands or a membership in them. None (a platform superuser) means everyone."""
    if agency_ids is None:
        return User.objects.order_by("email")
    return (
        User.objects.filter(
            Q(grants__brand__agency_id__in=agency_ids) | Q(agency_memberships__agency_id__in=agency_ids)
        )
        .distinct()
        .order_by("email")
    )


def agency_ids_for_user(*, user: User) -> list[int] | None:
    """The agencies whose brands and people the user manages; None for a platform superuser."""
    if user.is_superuser:
        return None
    return list(AgencyMembership.objects.filter(user=user).values_list("agency_id", flat=True))


def heartbeat_ages(*, now=None) -> dict[str, float]:
    """Seconds since each recorded heartbeat (beat, worker:<queue>), read in public."""
    from django.utils import timezone
    from django_tenants.utils import schema_context

    from tenants.models import Heartbeat

    now = now or timezone.now()
    with schema_context("public"):
        return {
            name: max(0.0, (now - seen_at).total_seconds())
            for name, seen_at in Heartbeat.objects.values_list("name", "seen_at")
        }


# --- Agency portfolio -------------------------------------------------------------------------
# The fan-out refreshes every row about once a minute; a row older than this is shown as stale
# (beat or the periodic worker is behind), a brand without a row as "not computed yet".
BRAND_HEALTH_STALE_AFTER = timedelta(minutes=5)

_LOWEST = Value(-2.0, output_field=FloatField())  # below any count, share or share change
_LATEST = Value(datetime(9999, 12, 31, tzinfo=UTC), output_field=DateTimeField())
_EARLIEST = Value(datetime(1970, 1, 1, tzinfo=UTC), output_field=DateTimeField())
# ordering key -> what it sorts by. A brand without the figure (no row yet, no mentions, no
# answers) sorts as the lowest value, and as the latest for the client-update deadline.
PORTFOLIO_ORDERINGS = {
    "brand": F("name"),
    "open_incidents": Coalesce(F("health__severity_rank"), _LOWEST, output_field=FloatField()),
    "alerts_24h": Coalesce(F("health__alerts_24h"), _LOWEST, output_field=FloatField()),
    "negative_share_now": Coalesce(F("health__negative_share_now"), _LOWEST),
    "negative_share_change": Coalesce(F("health__negative_share_change"), _LOWEST),
    "unanswered_complaints": Coalesce(F("health__unanswered_complaints"), _LOWEST, output_field=FloatField()),
    "csat_30d": Coalesce(F("health__csat_30d"), _LOWEST),
    "next_client_update_at": Coalesce(F("health__next_client_update_at"), _LATEST),
    "computed_at": Coalesce(F("health__computed_at"), _EARLIEST),
}
PORTFOLIO_DEFAULT_ORDERING = "-open_incidents"


def portfolio_ordering_valid(ordering: str) -> bool:
    return ordering.removeprefix("-") in PORTFOLIO_ORDERINGS


def portfolio_brand_list(
    *, agency_ids: list[int] | None, ordering: str = PORTFOLIO_DEFAULT_ORDERING
) -> QuerySet[Brand]:
    """The ready brands of `agency_ids` (None: every agency, for a platform superuser), each with
    its public health row (`brand.health`, missing until the first refresh), agency and domains,
    sorted by `ordering` (a PORTFOLIO_ORDERINGS key, "-" for descending) and then by name. Reads
    only public tables: two queries whatever the number of brands."""
    key = ordering.removeprefix("-")
    if key not in PORTFOLIO_ORDERINGS:
        raise ValueError(f"unknown portfolio ordering {ordering!r}")
    brands = Brand.objects.ready()
    if agency_ids is not None:
        brands = brands.filter(agency_id__in=agency_ids)
    sort = "-sort_value" if ordering.startswith("-") else "sort_value"
    return (
        brands.select_related("health", "agency")
        .prefetch_related("domains")
        .annotate(sort_value=PORTFOLIO_ORDERINGS[key])
        .order_by(sort, "name", "slug")
    )


def brand_health_is_stale(health, *, now: datetime | None = None) -> bool:
    """True when the row is missing or older than BRAND_HEALTH_STALE_AFTER."""
    if health is None:
        return True
    return (now or timezone.now()) - health.computed_at > BRAND_HEALTH_STALE_AFTER
