"""The agency API on the main host: the brands a user may enter, and provisioning for agency
owners and admins."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from tenants.api_base import BrandApiView
from tenants.models import Brand
from tenants.selectors import brand_list_for_user
from tenants.services import brand_create_as_member


class BrandOut(serializers.ModelSerializer):
    host = serializers.CharField(source="primary_host", read_only=True)
    agency = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = Brand
        fields = ["slug", "name", "agency", "host", "timezone", "default_language", "ready"]


class BrandListCreateApi(APIView):
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

    @extend_schema(responses=BrandOut(many=True))
    def get(self, request):
        brands = brand_list_for_user(user=request.user).select_related("agency").prefetch_related("domains")
        return Response(BrandOut(brands, many=True).data)

    @extend_schema(request=Input, responses={201: BrandOut})
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

    @extend_schema(responses=Output)
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
