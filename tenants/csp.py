"""Content-Security-Policy by kind of page (django-csp): strict everywhere by default (scripts and
styles only from our own files or carrying the response's nonce), loosened by path prefix only
where a third-party page needs it (CSP_RELAXED_PATHS: the admin's inline style attributes, the
API docs)."""

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    def get_policy_parts(self, request, response, report_only: bool = False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if report_only or parts.replace is not None:
            return parts  # a view's own @csp_replace wins
        for prefix, replace in settings.CSP_RELAXED_PATHS:
            if request.path_info.startswith(prefix):
                parts.replace = replace
                break
        return parts
