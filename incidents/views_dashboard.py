"""The incidents part of the brand's home page (the brand admin index): a dashboard section the
admin site calls with the request. Staff only; client people are sent to the report pages."""

from django.template.loader import render_to_string

from incidents.selectors_dashboard import brand_dashboard_get
from tenants.models import BrandGrant


def brand_dashboard_section(request) -> str:
    if getattr(request, "brand_role", None) not in BrandGrant.STAFF_ROLES:
        return ""
    return render_to_string("incidents/dashboard.html", brand_dashboard_get(), request=request)
