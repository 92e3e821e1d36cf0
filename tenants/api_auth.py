"""The API's access rules: brand API keys (`Authorization: Bearer <key>`), a permission class that
refuses any user or key without a grant for `request.tenant`, brand-scoped throttles."""

from django.db import connection
from django.http import Http404
from rest_framework import exceptions, permissions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.throttling import SimpleRateThrottle

from tenants.models import BrandApiKey
from tenants.selectors import brand_role_get
from tenants.services import api_key_authenticate


class ApiKeyUser:
    """The principal of a request made with a brand API key. It acts on its own brand only."""

    is_authenticated = True
    is_active = True
    is_anonymous = False
    is_staff = False
    is_superuser = False
    pk = None
    id = None

    def __init__(self, key: BrandApiKey):
        self.key = key
        self.brand_id = key.brand_id

    def __str__(self) -> str:
        return f"API key {self.key.prefix}"

    def has_perm(self, perm, obj=None) -> bool:
        return False


class BrandApiKeyAuthentication(BaseAuthentication):
    keyword = b"bearer"

    def authenticate(self, request):
        auth = get_authorization_header(request).split()
        if not auth or auth[0].lower() != self.keyword:
            return None
        if len(auth) != 2:
            raise exceptions.AuthenticationFailed("Send the key as 'Authorization: Bearer <key>'.")
        key = api_key_authenticate(raw_key=auth[1].decode("latin-1"))
        if key is None:
            raise exceptions.AuthenticationFailed("Invalid or revoked API key.")
        return ApiKeyUser(key), key

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'


def request_brand_role(request) -> str | None:
    """The caller's role on `request.tenant`: an API key acts as an integration on its own brand;
    a user needs a grant (tenants.selectors.brand_role_get, asked once per request)."""
    tenant = getattr(request, "tenant", None) or connection.tenant
    user = request.user
    role = None
    if tenant is not None and tenant.schema_name != "public":
        if isinstance(user, ApiKeyUser):
            role = "integration" if user.brand_id == tenant.pk else None
        elif user and user.is_authenticated:
            role = brand_role_get(user=user, brand=tenant)
    return role


class HasBrandAccess(permissions.BasePermission):
    """On a brand host: a grant (or the brand's own API key) is required. On the main host: agency
    endpoints decide for themselves, so only authentication is required here."""

    message = "You have no access to this brand."

    def has_permission(self, request, view) -> bool:
        tenant = getattr(request, "tenant", None)
        if tenant is None or tenant.schema_name == "public":
            return bool(request.user and request.user.is_authenticated) and not isinstance(
                request.user, ApiKeyUser
            )
        if not request.user or not request.user.is_authenticated:
            return False
        if request_brand_role(request) is None:
            # Same answer as a missing object: a foreign key learns nothing about this brand.
            raise Http404
        return True


class BrandScopedThrottle(SimpleRateThrottle):
    """Requests per minute per brand and per caller; the cache key already carries the schema."""

    scope = "brand"

    def get_cache_key(self, request, view):
        user = request.user
        if isinstance(user, ApiKeyUser):
            ident = f"key:{user.key.prefix}"
        elif user and user.is_authenticated:
            ident = f"user:{user.pk}"
        else:
            ident = f"ip:{self.get_ident(request)}"
        return f"throttle:{self.scope}:{connection.schema_name}:{ident}"
