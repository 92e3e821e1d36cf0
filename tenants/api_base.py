"""The base every brand-host API view stands on: access already checked for `request.tenant`,
input validated into plain data, roles (and an API key's scopes) checked by name, and every POST
idempotent under an `Idempotency-Key` (tenants/idempotency.py). Handlers receive a request whose
brand the caller may enter."""

from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.views import APIView

from tenants.api_auth import ApiKeyUser, HasBrandAccess, request_brand_role
from tenants.idempotency import IdempotentPostMixin
from tenants.roles import INTEGRATION, role_can  # noqa: F401 (INTEGRATION is re-exported for the apps)

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class BrandApiView(IdempotentPostMixin, APIView):
    """Roles holding `read_permission` may GET; `write_permission`, POST/PUT/PATCH/DELETE. Both
    name rows of the role matrix in tenants/roles.py, which the brand admin reads too. An API key
    also needs the scope its request falls under: `read` for GET, `key_write_scope` otherwise
    (`write`, or `intake` on the endpoints that take in data)."""

    permission_classes = [HasBrandAccess]
    read_permission: str = "brand.read"
    write_permission: str = "workspace.write"
    key_write_scope: str = "write"

    def check_access(self, request) -> None:
        safe = request.method in SAFE_METHODS
        if not role_can(self.brand_role, self.read_permission if safe else self.write_permission):
            raise PermissionDenied("Your role on this brand may not do this.")
        if isinstance(request.user, ApiKeyUser):
            scope = "read" if safe else self.key_write_scope
            if scope not in (request.user.key.scopes or []):
                raise PermissionDenied(f"This API key lacks the '{scope}' scope.")

    @property
    def brand_role(self) -> str | None:
        return request_brand_role(self.request)

    @property
    def actor(self):
        """The signed-in user, or None for an API key (the key is recorded separately)."""
        user = self.request.user
        return user if getattr(user, "pk", None) else None

    @staticmethod
    def validated(serializer_class: type[serializers.Serializer], data, **kwargs) -> dict:
        serializer = serializer_class(data=data, **kwargs)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data
