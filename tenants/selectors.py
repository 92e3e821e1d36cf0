"""Reads about who may enter which brand."""

from django.db.models import Q, QuerySet

from tenants.models import AgencyMembership, Brand, BrandApiKey, BrandGrant, User


def brand_role_get(*, user: User, brand: Brand) -> str | None:
    """The user's role on the brand, or None. Superuser status alone is never a way in."""
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
