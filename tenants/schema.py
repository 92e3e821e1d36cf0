"""OpenAPI description of the brand API key, so the schema and docs show how to authenticate."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class BrandApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "tenants.api_auth.BrandApiKeyAuthentication"
    name = "brandApiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A brand API key (`tgp_…`), created in the agency admin or with "
            "`manage.py create_api_key <brand>`. It works only on its own brand's host.",
        }
