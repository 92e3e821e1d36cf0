"""The OpenAPI description every host serves, made uniform in one place so every current and
future endpoint gets it without repeating it:

- the brand API key as a security scheme (brand hosts only; the agency API takes a session);
- `Idempotency-Key` on every POST, `cursor`/`page_size`/`ordering` on every list (the schema class);
- a tag by area, a summary, and the documented 4xx answers with one `Error` component (the
  postprocessing hook).

Why a hook and not drf-standardized-errors: that library documents *its* error body
(`{"type", "errors": [{"code", "detail", "attr"}]}`) and would change every 4xx answer integrators
already parse; the hook documents the body the API has always answered (`detail`, `errors`) and
costs one function.
"""

from __future__ import annotations

import re

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.pagination import CursorPagination
from rest_framework.settings import api_settings

from tenants.idempotency import HEADER as IDEMPOTENCY_HEADER
from tenants.pagination import MAX_PAGE_SIZE, ordering_choices
from tenants.severity import SCALE_HELP


class BrandApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "tenants.api_auth.BrandApiKeyAuthentication"
    name = "brandApiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A brand API key (`tgp_…`), created in the agency admin or with "
            "`manage.py create_api_key <brand> --scopes read,intake,write`. It works only on its "
            "own brand's host, and only for the scopes chosen when it was made.",
        }


# --- Tags ------------------------------------------------------------------------------------
# The first segment after /api/v1/ names the area; a few nested collections belong to another.
TAGS = {
    "listening": "Mentions and metrics in, alerts and notifications out: the early warning.",
    "incidents": "Incidents, their timeline and client status updates.",
    "team": "The crisis roster, incident assignments and tasks.",
    "responses": "Replies and statements, drafted from templates, approved, confirmed sent.",
    "moderation": "Hiding or deleting comments under the brand's community guidelines.",
    "cases": "Care cases: a complaint taken private, to its resolution.",
    "reviews": "Post-crisis reviews: figures, feedback, lessons, follow-ups, the plan.",
    "surveys": "Satisfaction surveys, invitations, results and testimonial candidates.",
    "content": "Positive content: items, per-platform variants, channels, the calendar.",
    "reports": "Read-only figures of the brand's report.",
    "webhooks": "Signed outgoing webhooks (Standard Webhooks) and their deliveries.",
    "access": "Who the caller is on this brand: key, scopes, role.",
    "agency": "The agency API on the main host: brands and provisioning.",
}
_AREA_BY_SEGMENT = {
    "mentions": "listening",
    "metrics": "listening",
    "alerts": "listening",
    "notifications": "listening",
    "detector-settings": "listening",
    "incidents": "incidents",
    "status-updates": "incidents",
    "roster": "team",
    "assignments": "team",
    "tasks": "team",
    "responses": "responses",
    "response-templates": "responses",
    "moderation": "moderation",
    "guidelines": "moderation",
    "cases": "cases",
    "reviews": "reviews",
    "crisis-plan": "reviews",
    "surveys": "surveys",
    "testimonials": "surveys",
    "content": "content",
    "reports": "reports",
    "webhooks": "webhooks",
    "me": "access",
    "whoami": "access",
    "agency": "agency",
}
_NESTED_AREA = {"assignments": "team", "tasks": "team", "mention-candidates": "listening"}


def path_area(path: str) -> str | None:
    segments = [s for s in path.removeprefix("/api/v1/").split("/") if s and not s.startswith("{")]
    if not segments:
        return None
    if segments[0] == "incidents" and len(segments) > 1 and segments[1] in _NESTED_AREA:
        return _NESTED_AREA[segments[1]]
    return _AREA_BY_SEGMENT.get(segments[0])


# --- Errors ----------------------------------------------------------------------------------
ERROR_COMPONENT = {
    "type": "object",
    "description": "Every 4xx answer. `errors` maps a field (or `non_field_errors`) to its "
    "messages, when fields are at fault.",
    "properties": {
        "detail": {"type": "string", "description": "What is wrong, for a person to read."},
        "errors": {
            "type": "object",
            "additionalProperties": {},
            "description": "Field errors: a field's name to a list of messages (nested for nested input).",
        },
    },
    "required": ["detail"],
    "example": {
        "detail": "Invalid input: This field is required.",
        "errors": {"title": ["This field is required."]},
    },
}
ERROR_DESCRIPTIONS = {
    "400": "Invalid input (field errors in `errors`), a bad cursor, filter or ordering.",
    "401": "No credentials, or an unknown or revoked API key.",
    "403": "Your role, or the API key's scopes, do not allow this.",
    "404": "No such object on this brand (an object you may not see answers the same).",
    "409": "A conflict: the object's state forbids this now.",
    "413": "The body is larger than the limit.",
    "422": "This Idempotency-Key was already used with a different request.",
    "429": "Too many requests: wait the `Retry-After` seconds.",
}
READ_ERRORS = ("400", "401", "403", "404", "429")
WRITE_ERRORS = ("400", "401", "403", "404", "409", "413", "422", "429")
RETRY_AFTER = {
    "Retry-After": {
        "schema": {"type": "integer"},
        "description": "Seconds to wait before the next request.",
    }
}
LIST_PARAMETERS = ("cursor", "page_size", "ordering")


class BrandAutoSchema(AutoSchema):
    """Adds what every operation of its kind takes: `Idempotency-Key` on a POST of an idempotent
    view, `cursor`, `page_size` and `ordering` on a list."""

    def _is_list_endpoint(self) -> bool:
        if self.method != "GET":
            return False
        if getattr(self.view, "ordering_fields", None):
            return True
        paginator = getattr(self.view, "pagination_class", None)
        return bool(
            paginator
            and paginator is not api_settings.DEFAULT_PAGINATION_CLASS
            and issubclass(paginator, CursorPagination)
        )

    def get_override_parameters(self):
        parameters = list(super().get_override_parameters())
        if self.method == "POST" and getattr(self.view, "idempotent", False):
            parameters.append(
                OpenApiParameter(
                    IDEMPOTENCY_HEADER,
                    OpenApiTypes.STR,
                    OpenApiParameter.HEADER,
                    description="Any unique string (a UUID) up to 255 characters. A retry with the "
                    "same key and body within 24 hours gets the first answer again (status and "
                    "body, with `Idempotent-Replayed: true`) and changes nothing; the same key with "
                    "another body answers 422. Keys are scoped to the brand and the caller.",
                )
            )
        if self._is_list_endpoint():
            choices = ordering_choices(self.view)
            parameters += [
                OpenApiParameter(
                    "cursor", OpenApiTypes.STR, description="The page after `next` or `previous`."
                ),
                OpenApiParameter(
                    "page_size",
                    OpenApiTypes.INT,
                    description=f"Results per page, 1–{MAX_PAGE_SIZE} (default 100).",
                ),
            ]
            if choices:
                parameters.append(
                    OpenApiParameter(
                        "ordering",
                        OpenApiTypes.STR,
                        enum=choices,
                        description="Sort by this field; a leading `-` sorts descending.",
                    )
                )
        return parameters


# --- Summaries -------------------------------------------------------------------------------
_IRREGULAR = {"status-updates": "status update", "analyses": "analysis", "responses": "response"}


def _words(segment: str) -> str:
    return segment.replace("-", " ").replace("_", " ").replace(".", " ")


def _singular(segment: str) -> str:
    if segment in _IRREGULAR:
        return _IRREGULAR[segment]
    words = _words(segment)
    if words.endswith("ies"):
        return words[:-3] + "y"
    if words.endswith("s") and not words.endswith("ss"):
        return words[:-1]
    return words


def _article(noun: str) -> str:
    return ("an " if noun[:1] in "aeiou" else "a ") + noun


# Where the route alone reads badly; keyed by (method, path). A view's own summary wins.
SUMMARIES = {
    ("post", "/api/v1/mentions/"): "Take in mentions in bulk (per-row errors, idempotent per platform id)",
    ("post", "/api/v1/metrics/"): "Take in follower counts in bulk",
    ("post", "/api/v1/mentions/{mention_id}/answered/"): "Mark a mention answered (or not)",
    ("post", "/api/v1/incidents/from-alert/"): "Open an incident from an alert",
    ("post", "/api/v1/incidents/"): "Open an incident",
    ("post", "/api/v1/incidents/{incident_id}/alerts/"): "Attach an alert to an incident",
    ("post", "/api/v1/incidents/{incident_id}/mentions/"): "Link mentions to an incident",
    ("post", "/api/v1/incidents/{incident_id}/merge/"): "Merge an incident into another",
    ("post", "/api/v1/incidents/{incident_id}/transition/"): "Move an incident to another status",
    ("post", "/api/v1/incidents/{incident_id}/timeline/"): "Add a note to an incident's timeline",
    ("post", "/api/v1/incidents/{incident_id}/timeline/{entry_id}/pin/"): "Pin or unpin a timeline entry",
    ("post", "/api/v1/incidents/{incident_id}/status-updates/"): "Draft a client status update",
    ("post", "/api/v1/responses/"): "Draft a response (checked against the empathy checklist)",
    ("post", "/api/v1/responses/{response_id}/confirm-sent/"): "Confirm a response was posted",
    ("get", "/api/v1/moderation/"): "List the moderation log",
    ("post", "/api/v1/moderation/"): "Hide or delete a comment, citing a guideline rule",
    ("post", "/api/v1/moderation/{moderation_id}/confirm/"): "Confirm a moderation action was carried out",
    ("get", "/api/v1/guidelines/"): "Get the current community guidelines",
    ("post", "/api/v1/guidelines/"): "Publish a new version of the community guidelines",
    ("post", "/api/v1/notifications/{notification_id}/read/"): "Mark a notification read",
    ("post", "/api/v1/webhooks/{subscription_id}/ping/"): "Send a test event to a subscription",
    ("get", "/api/v1/cases/figures/"): "Get care-case figures",
    ("post", "/api/v1/cases/"): "Open a care case from mentions",
    ("post", "/api/v1/cases/{case_id}/contacts/"): "Log a contact with the customer",
    ("post", "/api/v1/cases/{case_id}/invite/"): "Invite the customer to a private channel",
    ("post", "/api/v1/cases/{case_id}/erase/"): "Erase a case's personal data",
    ("post", "/api/v1/cases/erase-customer/"): "Erase a customer's personal data from every case",
    ("post", "/api/v1/reviews/{review_id}/customers/"): "Add affected customers to a review",
    ("post", "/api/v1/reviews/{review_id}/feedback/"): "Give team feedback on a review",
    ("post", "/api/v1/reviews/{review_id}/follow-ups/"): "Add a follow-up action item",
    ("post", "/api/v1/reviews/{review_id}/lessons/"): "Propose a lesson learned",
    ("post", "/api/v1/reviews/{review_id}/plan/"): "Publish a new crisis-plan version from a review",
    ("post", "/api/v1/reviews/{review_id}/recompute/"): "Recompute a review's figures",
    ("post", "/api/v1/reviews/{review_id}/steps/"): "Record a review step",
    ("patch", "/api/v1/reviews/follow-ups/{item_id}/"): "Update a follow-up action item",
    ("patch", "/api/v1/detector-settings/"): "Change the detector settings",
}


def summary_for(path: str, method: str, is_list: bool, collection_paths: set[str]) -> str:
    """A summary from the route when the view gives none: 'List incidents', 'Alert: acknowledge'."""
    if (method, path) in SUMMARIES:
        return SUMMARIES[(method, path)]
    parts = [p for p in path.removeprefix("/api/v1/").split("/") if p]
    last = parts[-1] if parts else ""
    statics = [p for p in parts if not p.startswith("{")]
    parent = next((p for p in reversed(parts[:-1]) if not p.startswith("{")), None)
    owner = f" of {_article(_singular(parent))}" if parent and parts[-2].startswith("{") else ""
    if last.startswith("{"):
        noun = _singular(statics[-1]) if statics else "object"
        verb = {"get": "Get", "patch": "Update", "put": "Replace", "delete": "Delete"}.get(method, "Act on")
        return f"{verb} {_article(noun)}"
    if method == "get":
        return f"List {_words(last)}{owner}" if is_list else f"Get {_words(last)}{owner}"
    if method == "post" and path in collection_paths:
        return f"Create {_article(_singular(last))}{owner}"
    if method == "post":
        subject = _singular(parent) if parent else "brand"
        return f"{subject[:1].upper()}{subject[1:]}: {_words(last)}"
    return f"{method.upper()} {_words(last)}"


def _resolve(schema: dict, components: dict) -> dict:
    while isinstance(schema, dict) and "$ref" in schema:
        schema = components.get(schema["$ref"].rsplit("/", 1)[-1], {})
    return schema or {}


def _response_schema(operation: dict, components: dict) -> dict:
    for code in ("200", "201"):
        content = operation.get("responses", {}).get(code, {}).get("content", {})
        for media in content.values():
            return _resolve(media.get("schema", {}), components)
    return {}


def _is_page(schema: dict) -> bool:
    return "results" in schema.get("properties", {})


_OPERATION_ID_UNSAFE = re.compile(r"[^A-Za-z0-9_]")


def postprocess(result, generator, request, public):
    """Tag, summarise and document the errors of every operation; one `Error` component."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components["Error"] = ERROR_COMPONENT
    if "SeverityEnum" in components:  # alerts' and incidents' one scale, said where both point
        enum = components["SeverityEnum"]
        enum["description"] = f"{SCALE_HELP}\n\n{enum.get('description', '')}".strip()
    paths = result.get("paths", {})
    collection_paths = {p for p, item in paths.items() if "get" in item and "post" in item}
    used_tags = set()
    for path, item in paths.items():
        for method, operation in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            area = path_area(path)
            if area:
                operation["tags"] = [area]
                used_tags.add(area)
            operation["operationId"] = _OPERATION_ID_UNSAFE.sub("_", operation["operationId"])
            schema = _response_schema(operation, components)
            is_list = method == "get" and (_is_page(schema) or schema.get("type") == "array")
            if not is_list:
                operation["parameters"] = [
                    p
                    for p in operation.get("parameters", [])
                    if not (p.get("in") == "query" and p.get("name") in LIST_PARAMETERS)
                ]
                if not operation["parameters"]:
                    del operation["parameters"]
            if not operation.get("summary"):
                operation["summary"] = summary_for(path, method, is_list, collection_paths)
            key_auth = any("brandApiKey" in s for s in operation.get("security", []))
            codes = READ_ERRORS if method == "get" else WRITE_ERRORS
            responses = operation.setdefault("responses", {})
            for code in codes:
                if code == "401" and not key_auth:
                    continue  # a session that is missing is a 403 (no challenge to answer)
                response = responses.setdefault(code, {"description": ERROR_DESCRIPTIONS[code]})
                # An error a view documents itself (its own description, examples) still answers
                # the one Error body.
                body = response.setdefault("content", {}).setdefault("application/json", {})
                body["schema"] = {"$ref": "#/components/schemas/Error"}
            if "429" in responses:
                responses["429"]["headers"] = RETRY_AFTER
    result["tags"] = [{"name": name, "description": TAGS[name]} for name in TAGS if name in used_tags]
    return result
