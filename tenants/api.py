"""The agency API on the main host: the brands a user may enter, provisioning for agency owners
and admins, and the agency portfolio (every brand's health figures, read from public only)."""

import re

from django.http import Http404
from django.urls import reverse
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from tenants.admin_sites import REPORTS_HOME_URL_NAME, agency_admin_admits
from tenants.api_auth import ApiKeyUser
from tenants.api_base import BrandApiView
from tenants.errors import DomainError
from tenants.idempotency import IdempotentPostMixin
from tenants.models import SLUG_PATTERN, Agency, Brand
from tenants.pagination import ListCursor, page_of, paginated_response
from tenants.portfolio import portfolio_row
from tenants.roles import role_can
from tenants.selectors import (
    PORTFOLIO_DEFAULT_ORDERING,
    PORTFOLIO_ORDERINGS,
    agency_ids_for_user,
    brand_list_for_user,
    portfolio_brand_list,
    portfolio_ordering_valid,
)
from tenants.services import brand_create_as_member


class AgencyApiView(IdempotentPostMixin, APIView):
    """The main host's API: a signed-in agency member's session only (brand API keys act on their
    brand's host, never here), every POST idempotent under an `Idempotency-Key`."""

    authentication_classes = [SessionAuthentication]


class BrandOut(serializers.ModelSerializer):
    host = serializers.CharField(source="primary_host", read_only=True)
    agency = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = Brand
        fields = ["slug", "name", "agency", "host", "timezone", "default_language", "ready"]


class BrandListCreateApi(AgencyApiView):
    pagination_class = ListCursor
    ordering_fields = ("slug", "name")

    class Input(serializers.Serializer):
        agency = serializers.SlugField()
        slug = serializers.CharField(max_length=40)
        name = serializers.CharField(max_length=200)
        timezone = serializers.CharField(max_length=64, required=False, default="Asia/Jakarta")
        default_language = serializers.ChoiceField(
            choices=Brand.Language.choices, required=False, default="id"
        )
        custom_domains = serializers.ListField(
            child=serializers.CharField(max_length=253), required=False, default=list
        )

    class Filters(serializers.Serializer):
        agency = serializers.SlugField(required=False)
        ready = serializers.BooleanField(required=False, allow_null=True, default=None)

    @extend_schema(
        summary="List the brands you may enter",
        parameters=[Filters],
        responses=page_of(BrandOut),
        operation_id="agency_brands_list",
    )
    def get(self, request):
        filters = BrandApiView.validated(self.Filters, request.query_params)
        brands = brand_list_for_user(user=request.user).select_related("agency").prefetch_related("domains")
        if filters.get("agency"):
            brands = brands.filter(agency__slug=filters["agency"])
        if filters["ready"] is not None:
            brands = brands.filter(ready=filters["ready"])
        return paginated_response(self, brands, BrandOut, default_ordering="slug")

    @extend_schema(
        summary="Provision a brand",
        request=Input,
        responses={201: BrandOut},
        examples=[
            OpenApiExample(
                "A new brand",
                value={
                    "agency": "suara",
                    "slug": "jamu-segar",
                    "name": "Jamu Segar",
                    "timezone": "Asia/Jakarta",
                },
                request_only=True,
            ),
            OpenApiExample(
                "Provisioned",
                value={
                    "slug": "jamu-segar",
                    "name": "Jamu Segar",
                    "agency": "suara",
                    "host": "jamu-segar.tanggap.example",
                    "timezone": "Asia/Jakarta",
                    "default_language": "id",
                    "ready": True,
                },
                response_only=True,
                status_codes=["201"],
            ),
        ],
    )
    def post(self, request):
        data = BrandApiView.validated(self.Input, request.data)
        brand = brand_create_as_member(
            actor=request.user,
            agency_slug=data["agency"],
            slug=data["slug"],
            name=data["name"],
            timezone_name=data["timezone"],
            default_language=data["default_language"],
            custom_domains=data["custom_domains"],
        )
        return Response(BrandOut(brand).data, status=status.HTTP_201_CREATED)


class WhoAmIApi(BrandApiView):
    """Which brand this host serves and the caller's role on it; integrations use it to check a key."""

    class Output(serializers.Serializer):
        brand = serializers.CharField()
        name = serializers.CharField()
        role = serializers.CharField()
        timezone = serializers.CharField()

    @extend_schema(summary="Which brand this host serves and your role on it", responses=Output)
    def get(self, request):
        tenant = request.tenant
        return Response(
            self.Output(
                {
                    "brand": tenant.slug,
                    "name": tenant.name,
                    "role": self.brand_role,
                    "timezone": tenant.timezone,
                }
            ).data
        )


class MeApi(BrandApiView):
    """What the caller is on this brand: the brand, the API key (name, prefix, scopes) or the
    signed-in user, and the role. An integration checks its key with it."""

    class Output(serializers.Serializer):
        class KeyOut(serializers.Serializer):
            name = serializers.CharField()
            prefix = serializers.CharField()
            scopes = serializers.ListField(child=serializers.ChoiceField(choices=["read", "intake", "write"]))
            created_at = serializers.DateTimeField()

        class UserOut(serializers.Serializer):
            email = serializers.EmailField()
            name = serializers.CharField()

        class BrandRef(serializers.Serializer):
            slug = serializers.CharField()
            name = serializers.CharField()
            timezone = serializers.CharField()

        brand = BrandRef()
        role = serializers.CharField()
        api_key = KeyOut(allow_null=True)
        user = UserOut(allow_null=True)
        scopes = serializers.ListField(
            child=serializers.CharField(), help_text="What this caller may do: read, intake, write."
        )

    Output.__name__ = "MeOut"

    @extend_schema(
        summary="Describe the caller: brand, API key name and scopes, role",
        responses=Output,
        examples=[
            OpenApiExample(
                "An intake-only key",
                value={
                    "brand": {"slug": "kopi-nusantara", "name": "Kopi Nusantara", "timezone": "Asia/Jakarta"},
                    "role": "integration",
                    "api_key": {
                        "name": "Listening tool",
                        "prefix": "3fa85f64",
                        "scopes": ["read", "intake"],
                        "created_at": "2026-11-30T08:00:00+07:00",
                    },
                    "user": None,
                    "scopes": ["read", "intake"],
                },
            )
        ],
    )
    def get(self, request):
        tenant, user = request.tenant, request.user
        key = user.key if isinstance(user, ApiKeyUser) else None
        if key is not None:
            scopes = list(key.scopes)
        else:
            scopes = ["read"] + (["intake", "write"] if role_can(self.brand_role, "workspace.write") else [])
        return Response(
            self.Output(
                {
                    "brand": {"slug": tenant.slug, "name": tenant.name, "timezone": tenant.timezone},
                    "role": self.brand_role,
                    "api_key": key,
                    "user": None if key else {"email": user.email, "name": user.get_full_name()},
                    "scopes": scopes,
                }
            ).data
        )


# --- Agency portfolio ---------------------------------------------------------------------------


class _ZonedTime(serializers.DateTimeField):
    """ISO 8601 with the offset the value already carries (the brand's zone), not the request's."""

    def to_representation(self, value):
        return value.isoformat() if value else None


class PortfolioRowOut(serializers.Serializer):
    brand = serializers.CharField(source="slug")
    name = serializers.CharField()
    agency = serializers.CharField(allow_null=True)
    timezone = serializers.CharField()
    admin_url = serializers.URLField()
    report_url = serializers.URLField()
    open_incidents = serializers.IntegerField(
        allow_null=True, help_text="Open incidents (drills never count)."
    )
    open_critical = serializers.IntegerField(allow_null=True, help_text="Open SEV1 (critical) incidents.")
    open_high = serializers.IntegerField(allow_null=True, help_text="Open SEV2 (high) incidents.")
    open_medium = serializers.IntegerField(allow_null=True, help_text="Open SEV3 (medium) incidents.")
    open_low = serializers.IntegerField(allow_null=True, help_text="Open SEV4 (low) incidents.")
    alerts_24h = serializers.IntegerField(allow_null=True, help_text="Alerts raised in the last 24 hours.")
    mentions_24h = serializers.IntegerField(allow_null=True)
    negative_share_now = serializers.FloatField(
        allow_null=True, help_text="Negative share of mentions in the last 24 hours (0–1)."
    )
    negative_share_baseline = serializers.FloatField(
        allow_null=True, help_text="Negative share over the 7 days before the last 24 hours (0–1)."
    )
    negative_share_change = serializers.FloatField(
        allow_null=True, help_text="now − baseline, in share points."
    )
    unanswered_complaints = serializers.IntegerField(
        allow_null=True, help_text="Complaints and negative mentions of the last 7 days still unanswered."
    )
    unanswered_overdue = serializers.IntegerField(
        allow_null=True, help_text="Of those, past the response target."
    )
    csat_30d = serializers.FloatField(
        allow_null=True, help_text="CSAT of the last 30 days: percent of 4–5 answers on the 1–5 scale."
    )
    csat_answers_30d = serializers.IntegerField(allow_null=True)
    next_client_update_at = _ZonedTime(
        allow_null=True, help_text="The soonest client status update due, in the brand's zone."
    )
    computed_at = _ZonedTime(
        allow_null=True, help_text="When these figures were computed (empty: not yet), in the brand's zone."
    )
    stale = serializers.BooleanField(help_text="No figures yet, or older than five minutes.")


class PortfolioCursor(ListCursor):
    """The one cursor pagination, ordered by the figure the view validated (not a model field)."""

    ordering = ("-sort_value", "name", "slug")

    def get_ordering(self, request, queryset, view):
        return self.ordering


class PortfolioApi(AgencyApiView, GenericAPIView):
    """The agency portfolio: each brand of the caller's agencies with its health figures, read from
    the public health rows the periodic fan-out keeps (about a minute old; see `computed_at`).
    Agency owners and admins see their agencies' brands, a platform superuser every brand; anyone
    else gets 403, and an `agency` they are not a member of 404."""

    pagination_class = PortfolioCursor
    serializer_class = PortfolioRowOut

    @extend_schema(
        summary="Every brand of your agencies with its health figures",
        operation_id="agency_portfolio_list",
        parameters=[
            OpenApiParameter(
                "ordering",
                str,
                enum=sorted([*PORTFOLIO_ORDERINGS, *(f"-{k}" for k in PORTFOLIO_ORDERINGS)]),
                description=(
                    "Sort key, '-' for descending (default -open_incidents: most severe first). "
                    "A brand without the figure sorts as the lowest value (as the latest for "
                    "next_client_update_at)."
                ),
            ),
            OpenApiParameter("agency", str, description="Only this agency's brands (its slug)."),
        ],
        responses=page_of(PortfolioRowOut),
    )
    def get(self, request):
        if not agency_admin_admits(request.user):
            raise PermissionDenied("Only agency members see the portfolio.")
        ordering = request.query_params.get("ordering", PORTFOLIO_DEFAULT_ORDERING)
        if not portfolio_ordering_valid(ordering):
            hint = f"Use one of: {', '.join(sorted(PORTFOLIO_ORDERINGS))}, with '-' to reverse."
            raise DomainError(f"Unknown ordering {ordering!r}.", field_errors={"ordering": [hint]})
        agency_ids = agency_ids_for_user(user=request.user)
        slug = request.query_params.get("agency")
        if slug is not None:
            # Only a well-formed slug reaches the query (a NUL byte would be a database error).
            agency = Agency.objects.filter(slug=slug).first() if re.fullmatch(SLUG_PATTERN, slug) else None
            if agency is None or (agency_ids is not None and agency.pk not in agency_ids):
                raise Http404  # another agency's slug answers like a missing one
            agency_ids = [agency.pk]
        brands = portfolio_brand_list(agency_ids=agency_ids, ordering=ordering)
        paginator = self.paginator
        sort = "-sort_value" if ordering.startswith("-") else "sort_value"
        paginator.ordering = (sort, "name", "slug")
        page = paginator.paginate_queryset(brands, request, view=self)
        report_path = reverse(REPORTS_HOME_URL_NAME, urlconf="platform.urls_tenant")
        rows = [portfolio_row(request, brand, report_path=report_path) for brand in page]
        return paginator.get_paginated_response(PortfolioRowOut(rows, many=True).data)
