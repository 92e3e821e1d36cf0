"""How every API endpoint reads and writes bodies: JSON only, UTF-8 only, bounded in size and depth,
with no lone surrogates, so a crafted body gets a 4xx with a JSON error and never a 500; answers are
always encodable."""

from __future__ import annotations

import codecs
import json

from django.conf import settings
from django.http.multipartparser import parse_header_parameters
from rest_framework import status
from rest_framework.exceptions import ParseError, UnsupportedMediaType
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.parsers import BaseParser
from rest_framework.renderers import JSONRenderer

# Deeper than any payload of this API (intake rows are 2 levels, survey definitions 4); the
# limit is far below Python's recursion limit, so nothing downstream recurses on a deep body.
MAX_JSON_DEPTH = 32


class PayloadTooLarge(ParseError):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The body is too large."
    default_code = "payload_too_large"


def body_limit() -> int | None:
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def check_json_media_type(content_type: str) -> None:
    """415 unless the body is declared as JSON in UTF-8 (charset absent or utf-8)."""
    media_type, params = parse_header_parameters(content_type or "")
    if media_type != "application/json" and not (
        media_type.startswith("application/") and media_type.endswith("+json")
    ):
        raise UnsupportedMediaType(
            content_type or "(none)", detail="Send the body as JSON with 'Content-Type: application/json'."
        )
    charset = params.get("charset", "utf-8")
    try:
        known = codecs.lookup(charset).name == "utf-8"
    except LookupError:
        known = False
    if not known:
        raise UnsupportedMediaType(
            content_type, detail="Send the body in UTF-8 (charset=utf-8 or no charset)."
        )


def _check_tree(data, *, text: bool = True) -> None:
    """Depth and (with `text`) the strings of a parsed body, walked without recursion."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, (dict, list)):
            if depth > MAX_JSON_DEPTH:
                raise ParseError(
                    f"The body is not valid JSON: nested too deeply (at most {MAX_JSON_DEPTH} levels)."
                )
            items = value.items() if isinstance(value, dict) else ((None, v) for v in value)
            for key, item in items:
                if key is not None:
                    stack.append((key, depth))
                stack.append((item, depth + 1))
        elif text and isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                # Never echo it: the value cannot be written back as UTF-8.
                raise ParseError(
                    "The body is not valid JSON text: it contains a lone surrogate (\\ud800-\\udfff)."
                )


def json_body_loads(raw: bytes, *, allow_lone_surrogates: bool = False):
    """Parse a UTF-8 JSON body under the depth limit, or raise a ParseError that says why without
    quoting the body. A lone surrogate (from a \\ud800 escape) is refused unless the caller
    validates every string itself (bulk intake reports it as that row's error)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ParseError(f"The body is not valid UTF-8 (byte {exc.start}).")
    if text.startswith("\ufeff"):
        text = text[1:]
    try:
        data = json.loads(text)
    except RecursionError:
        raise ParseError("The body is not valid JSON: nested too deeply.")
    except ValueError as exc:
        raise ParseError(f"The body is not valid JSON: {exc.msg} (line {exc.lineno} column {exc.colno}).")
    _check_tree(data, text=not allow_lone_surrogates)
    return data


def read_body_bounded(stream, *, content_length: str | None) -> bytes:
    """The body, refused with a 413 once it passes DATA_UPLOAD_MAX_MEMORY_SIZE (declared or not)."""
    limit = body_limit()
    try:
        declared = int(content_length or 0)
    except ValueError:
        declared = 0
    if limit is not None and declared > limit:
        raise PayloadTooLarge(f"The body is {declared} bytes; the limit is {limit} bytes.")
    if stream is None:
        return b""
    raw = stream.read() if limit is None else stream.read(limit + 1)
    if limit is not None and len(raw) > limit:
        raise PayloadTooLarge(f"The body is larger than the limit of {limit} bytes.")
    return raw


def _is_empty_multipart(content_type: str, stream, meta) -> bool:
    """A multipart body with no part at all (what many clients send for a POST without data)."""
    media_type, params = parse_header_parameters(content_type)
    boundary = params.get("boundary", "")
    if media_type != "multipart/form-data" or not boundary or stream is None:
        return False
    try:
        declared = int(meta.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    empty = f"--{boundary}--\r\n".encode("latin-1", "replace")
    if declared not in (len(empty), len(empty) - 2):
        return False
    return stream.read(declared).rstrip(b"\r\n") == empty.rstrip(b"\r\n")


class SafeJSONParser(BaseParser):
    """The API's default (and only) parser: JSON with the limits above. Not a JSONParser subclass
    on purpose: DRF reads `request.body` in full for those, before any limit can answer a 413."""

    media_type = "application/json"

    def parse(self, stream, media_type=None, parser_context=None):
        request = (parser_context or {}).get("request")
        meta = getattr(request, "META", {}) if request is not None else {}
        if _is_empty_multipart(media_type or "", stream, meta):
            return {}  # a body-less action posted by a form-minded client: nothing to refuse
        check_json_media_type(media_type or "")
        raw = read_body_bounded(stream, content_length=meta.get("CONTENT_LENGTH"))
        if not raw:
            return {}
        view = (parser_context or {}).get("view")
        return json_body_loads(raw, allow_lone_surrogates=getattr(view, "validates_every_string", False))


class JsonBodyNegotiation(DefaultContentNegotiation):
    """Every body goes to the JSON parser, which answers a wrong type with its own 415 message
    (and lets an empty multipart body through as no body)."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None


class SafeJSONRenderer(JSONRenderer):
    """Writes UTF-8 as DRF does; if some text still cannot be encoded (a lone surrogate from a
    query string or a stored row), it is written as a \\u escape instead of failing the request."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        try:
            return super().render(data, accepted_media_type, renderer_context)
        except UnicodeEncodeError:
            return json.dumps(data, cls=self.encoder_class, ensure_ascii=True, allow_nan=False).encode(
                "ascii"
            )
