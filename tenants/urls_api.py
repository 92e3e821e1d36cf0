from django.urls import path

from tenants.api import BrandListCreateApi, PortfolioApi

urlpatterns = [
    path("brands/", BrandListCreateApi.as_view(), name="agency-brands"),
    path("portfolio/", PortfolioApi.as_view(), name="agency-portfolio"),
]
