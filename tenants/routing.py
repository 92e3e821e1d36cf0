"""Host routing: the main host(s) open the public schema (agency admin and API); a brand's domains
open its schema; any other host is a 404. Main hosts are matched first, so no Domain row (even
one that predates the reservation rule) can take the agency admin away."""

from django.core.exceptions import DisallowedHost
from django.db import connection
from django.http import HttpResponseNotFound
from django_tenants.middleware.main import TenantMainMiddleware
from django_tenants.utils import remove_www

from tenants.hosts import host_normalise, is_main_host


class BrandHostMiddleware(TenantMainMiddleware):
    @staticmethod
    def hostname_from_request(request):
        # Case, a port and a trailing dot all name the same host; "www." is django-tenants' habit.
        return remove_www(host_normalise(request.get_host()))

    def process_request(self, request):
        connection.set_schema_to_public()
        try:
            hostname = self.hostname_from_request(request)
        except DisallowedHost:
            return HttpResponseNotFound()
        if is_main_host(hostname):
            request.tenant = connection.tenant  # the public schema
            self.setup_url_routing(request=request, force_public=True)
            return None
        return super().process_request(request)
