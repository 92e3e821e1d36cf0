from django.urls import path

from tenants.api import BrandListCreateApi

urlpatterns = [path("brands/", BrandListCreateApi.as_view(), name="agency-brands")]
