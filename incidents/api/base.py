"""What the incidents API modules share: the crisis-work view base, the comma-list query parameters
and the naming of nested inputs in the schema.

Access to the brand is checked before any handler runs; what a person may do on an incident is
checked by the services against incidents/permissions.py. Client people (client viewer, client
approver) read incidents through the client view: no drills, the timeline's pinned entries only.
They never write, except a client approver approving what is sent to them. API keys read, and
write only the integration's confirmations."""

from django.core.exceptions import ValidationError
from rest_framework.exceptions import NotFound

from incidents import selectors_crisis as selectors
from incidents.models import Incident
from incidents.permissions import CLIENT_ROLES, incident_actions
from tenants.api_base import INTEGRATION, BrandApiView
from tenants.pagination import ListCursor


class CrisisApiView(BrandApiView):
    write_permission = "crisis.write"

    @property
    def for_client(self) -> bool:
        return self.brand_role in CLIENT_ROLES

    def incident(self, incident_id) -> Incident:
        """The incident if the caller may see it; otherwise 404, like a missing one."""
        return selectors.incident_get(incident_id=incident_id, for_client=self.for_client)

    def sees_internal(self, incident: Incident) -> bool:
        if self.brand_role == INTEGRATION:
            return True
        return "view_internal" in incident_actions(self.request.user, incident)


def int_list(value: str) -> list[int]:
    return [int(v) for v in value.split(",") if v.strip().isdigit()]


def str_list(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def name_inputs_after_views(namespace: dict, nested: tuple[str, ...] = ("Input",)) -> None:
    """The house style nests each view's input as `Input`; the OpenAPI schema names components by
    class name, so give each nested class of a module's views its view's name to keep them apart."""
    for view in list(namespace.values()):
        if isinstance(view, type) and issubclass(view, BrandApiView):
            for name in nested:
                if view.__dict__.get(name) is not None:
                    view.__dict__[name].__name__ = view.__name__.removesuffix("Api") + name


class StrictCursor(ListCursor):
    """DRF hands a decoded cursor's position to the filter unchecked; one that is not a value of the
    ordering field (a hand-made or corrupted cursor) is the same 404 as one that does not decode."""

    def paginate_queryset(self, queryset, request, view=None):
        try:
            return super().paginate_queryset(queryset, request, view)
        except ValidationError:
            raise NotFound(self.invalid_cursor_message)


class NewestCursor(StrictCursor):
    ordering = ("-created_at", "-id")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
