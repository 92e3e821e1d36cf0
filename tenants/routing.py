"""Host routing: a brand's domains open its schema; the main host(s) open the public schema
(agency admin and API); any other host is a 404."""

from django.conf import settings
from django.db import connection
from django_tenants.middleware.main import TenantMainMiddleware


class BrandHostMiddleware(TenantMainMiddleware):
    def no_tenant_found(self, request, hostname):
        if hostname in settings.MAIN_HOSTS:
            request.tenant = connection.tenant  # the public schema
            self.setup_url_routing(request=request, force_public=True)
            return None
        return super().no_tenant_found(request, hostname)
