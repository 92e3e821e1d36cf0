"""The API as an integrator reads it: each host's schema describes exactly the routes that host
serves, validates with no warning, and every operation has a summary, an area tag, the documented
4xx answers with the one Error component; every list is a cursor page with `ordering`; every POST
takes an `Idempotency-Key`."""

import re
import uuid

import pytest
import yaml
from django.core.management import call_command
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve
from django.utils import timezone

from tenants.schema import READ_ERRORS, TAGS, WRITE_ERRORS

HOSTS = {"brand": "platform.urls_tenant", "main": "platform.urls_public"}
METHODS = ("get", "post", "put", "patch", "delete")
# A computed ranking of hours (at most 24 per platform), not a collection to page through.
NOT_COLLECTIONS = {"/api/v1/content/slots/"}
# Deprecated aliases answer like their successors but are left out of the schema on purpose
# (tests/incidents/test_care_* check the alias's Deprecation header).
DEPRECATED_PREFIXES = ("/api/v1/care-cases/",)


@pytest.fixture(scope="module")
def schemas(tmp_path_factory):
    """Both schemas, made as `make test` checks them: validated, and any warning is a failure."""
    out = {}
    for host, urlconf in HOSTS.items():
        target = tmp_path_factory.mktemp("schema") / f"{host}.yaml"
        call_command(
            "spectacular", "--validate", "--fail-on-warn", "--urlconf", urlconf, "--file", str(target)
        )
        out[host] = yaml.safe_load(target.read_text())
    return out


def _operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield path, method, operation


def _routed_api_paths(urlconf: str) -> set[str]:
    """The /api/v1/ routes of a URLconf in OpenAPI form, read from Django's resolver."""
    found = set()

    def walk(patterns, prefix):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern) and route.startswith("api/v1/"):
                path = "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)
                if not path.startswith(DEPRECATED_PREFIXES):
                    found.add(path)

    walk(get_resolver(urlconf).url_patterns, "")
    return found


@pytest.mark.parametrize("host", HOSTS)
def test_each_hosts_schema_lists_exactly_the_api_routes_that_host_serves(schemas, host):
    urlconf = HOSTS[host]
    documented = set(schemas[host]["paths"])
    assert documented == _routed_api_paths(urlconf)
    for path in documented:  # and each resolves on that host, to a view of the API
        concrete = re.sub(r"\{\w+\}", str(uuid.uuid4()), path)
        try:
            match = resolve(concrete, urlconf)
        except Resolver404:
            pytest.fail(f"{path} is documented but not routed on the {host} host")
        assert hasattr(match.func, "cls"), path
    other = "main" if host == "brand" else "brand"
    assert not documented & set(schemas[other]["paths"])


def test_the_main_host_documents_the_agency_api_with_session_security_only(schemas, main_client):
    main = schemas["main"]
    assert set(main["paths"]) == {"/api/v1/agency/brands/", "/api/v1/agency/portfolio/"}
    assert set(main["components"]["securitySchemes"]) == {"cookieAuth"}
    served = main_client.get("/api/schema/?format=json").json()
    assert served["info"]["title"] == "Tanggap agency API"
    assert set(served["paths"]) == set(main["paths"])
    assert "brandApiKey" not in served["components"]["securitySchemes"]


def test_every_operation_has_a_summary_an_area_tag_and_documented_errors(schemas):
    for host, schema in schemas.items():
        assert schema["components"]["schemas"]["Error"]["properties"].keys() == {"detail", "errors"}
        for path, method, operation in _operations(schema):
            where = f"{host} {method.upper()} {path}"
            assert operation.get("summary"), where
            assert len(operation["tags"]) == 1 and operation["tags"][0] in TAGS, where
            assert re.fullmatch(r"\w+", operation["operationId"]), where
            expected = set(READ_ERRORS if method == "get" else WRITE_ERRORS)
            if host == "main":
                expected.discard("401")  # a session: no credentials to challenge, a 403
            responses = operation["responses"]
            assert expected <= set(responses), where
            for code in expected:
                ref = responses[code]["content"]["application/json"]["schema"]["$ref"]
                assert ref == "#/components/schemas/Error", where
            assert "Retry-After" in responses["429"]["headers"], where


def test_every_list_is_a_cursor_page_with_ordering_and_every_post_takes_an_idempotency_key(schemas):
    components = schemas["brand"]["components"]["schemas"] | schemas["main"]["components"]["schemas"]
    lists = 0
    for host, schema in schemas.items():
        for path, method, operation in _operations(schema):
            where = f"{host} {method.upper()} {path}"
            params = {p["name"]: p for p in operation.get("parameters", [])}
            if method == "post":
                assert params.get("Idempotency-Key", {}).get("in") == "header", where
                assert "cursor" not in params and "page_size" not in params, where
                continue
            if method != "get" or path in NOT_COLLECTIONS:
                continue
            body = (
                operation["responses"]["200"].get("content", {}).get("application/json", {}).get("schema", {})
            )
            while "$ref" in body:
                body = components[body["$ref"].rsplit("/", 1)[-1]]
            assert body.get("type") != "array", f"{where} answers a bare array"
            if "results" in body.get("properties", {}):
                lists += 1
                assert {"cursor", "page_size", "ordering"} <= set(params), where
                assert params["ordering"]["schema"]["enum"], where
                assert (
                    set(params)
                    - {"cursor", "page_size", "ordering"}
                    - {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
                ), f"{where} documents no filter"
    assert lists >= 29


def test_main_bodies_carry_examples(schemas):
    brand = schemas["brand"]["paths"]
    for path, method in [
        ("/api/v1/mentions/", "post"),
        ("/api/v1/incidents/", "post"),
        ("/api/v1/webhooks/", "post"),
    ]:
        content = brand[path][method]["requestBody"]["content"]["application/json"]
        assert content.get("examples") or content.get("example"), path
    assert brand["/api/v1/me/"]["get"]["responses"]["200"]["content"]["application/json"]["examples"]


def test_the_intake_schema_describes_the_rules_the_intake_service_enforces(schemas):
    """One source per rule: the documented MentionIn is built from the service's constants."""
    from incidents.services import intake
    from tenants.languages import LANGUAGE_CODES
    from tenants.platforms import PLATFORMS

    props = schemas["brand"]["components"]["schemas"]["MentionIn"]["properties"]
    assert props["text"]["maxLength"] == intake.MAX_TEXT_LENGTH
    assert props["url"]["maxLength"] == intake.URL_MAX
    assert props["author_handle"]["maxLength"] == props["author_name"]["maxLength"] == intake.HANDLE_MAX
    for name in ("external_id", "parent_external_id"):
        kinds = {variant["type"]: variant for variant in props[name]["oneOf"]}
        assert kinds["string"]["maxLength"] == intake.EXTERNAL_ID_MAX and "integer" in kinds, name
    components = schemas["brand"]["components"]["schemas"]

    def enum_of(prop):
        refs = [prop.get("$ref")] + [p.get("$ref") for p in prop.get("allOf", []) + prop.get("oneOf", [])]
        values = set(prop.get("enum", []))
        for ref in filter(None, refs):
            values |= set(components[ref.rsplit("/", 1)[1]].get("enum", []))
        return values - {None, ""}

    assert enum_of(props["platform"]) == set(PLATFORMS)
    assert enum_of(props["language"]) == set(LANGUAGE_CODES)
    # and the service holds posted rows to the same limits
    now = timezone.now()
    row = {
        "platform": "instagram",
        "external_id": 7,
        "kind": "comment",
        "author_handle": "@a",
        "posted_at": now.isoformat(),
        "text": "x" * (intake.MAX_TEXT_LENGTH + 1),
        "url": "https://e.test/" + "p" * intake.URL_MAX,
    }
    _row, errors = intake._mention_row_validate(row, now=now)
    assert set(errors) == {"text", "url"}
    _row, errors = intake._mention_row_validate(
        {**row, "text": "ok", "url": "", "platform": "myspace"}, now=now
    )
    assert set(errors) == {"platform"}


def test_alerts_and_incidents_share_one_severity_enum_that_says_lower_is_worse(schemas):
    components = schemas["brand"]["components"]["schemas"]
    assert "lower is worse" in components["SeverityEnum"]["description"]
    assert components["SeverityEnum"]["enum"] == [1, 2, 3, 4]
    assert not {"AlertSeverityEnum", "IncidentSeverityEnum"} & set(components)
    for name in ("AlertOut", "IncidentOut", "IncidentListCreateInput"):
        severity = components[name]["properties"]["severity"]
        assert {"$ref": "#/components/schemas/SeverityEnum"} in severity.get("allOf", [severity]), name
    [min_severity] = [
        p
        for p in schemas["brand"]["paths"]["/api/v1/alerts/"]["get"]["parameters"]
        if p["name"] == "min_severity"
    ]
    assert "this severe or worse" in min_severity["description"]
