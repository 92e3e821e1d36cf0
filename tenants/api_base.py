"""The base every brand-host API view stands on: access already checked for `request.tenant`,
input validated into plain data, roles checked by name. Handlers receive a request whose brand the
caller may enter."""

from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.views import APIView

from tenants.api_auth import HasBrandAccess, request_brand_role
from tenants.models import BrandGrant

INTEGRATION = "integration"
STAFF_AND_INTEGRATION = frozenset(BrandGrant.STAFF_ROLES | {INTEGRATION})
EVERY_ROLE = frozenset(set(BrandGrant.Role.values) | {INTEGRATION})


class BrandApiView(APIView):
    """`read_roles` may GET; `write_roles` may POST/PUT/PATCH/DELETE."""

    permission_classes = [HasBrandAccess]
    read_roles: frozenset[str] = EVERY_ROLE
    write_roles: frozenset[str] = STAFF_AND_INTEGRATION

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        allowed = self.read_roles if request.method in ("GET", "HEAD", "OPTIONS") else self.write_roles
        if self.brand_role not in allowed:
            raise PermissionDenied("Your role on this brand may not do this.")

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
