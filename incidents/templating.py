"""Renders the brand's response templates: only the listed `{placeholder}` names are replaced, as
plain text, and anything else in braces is an error that names the placeholder and its position.

Syntax: `{customer_name}` inserts a value; `{{` and `}}` print a literal `{` and `}`. Nothing else.

Why not Django or Jinja templates: the writers are PR staff, not engineers, and a template language
brings tags, filters, attribute lookups and loops that we do not want in a reply to a customer; a
typo there fails late or silently. Why not `str.format`: it evaluates `{x.attr}` and `{x[0]}`
against the values, which is a way to read objects from a user-written string. So the parser is a
small regex tokenizer that knows six names and refuses everything else, up front and in words a
writer can act on.

Values are inserted verbatim and never parsed again (a value containing `{` stays as it is). No
HTML escaping happens here: the caller escapes where the text is shown (Django's autoescape in
pages, nothing when the reply is posted to a social platform as plain text).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass

ALLOWED_PLACEHOLDERS: tuple[str, ...] = (
    "customer_name",
    "product",
    "case_number",
    "agent",
    "brand",
    "incident_number",
    # The facts a rumour correction gives; a template that promises facts must carry it.
    "facts",
)

# Writers often type the Indonesian word; point them at the name the library uses.
_ALIASES: dict[str, str] = {
    "nama": "customer_name",
    "nama_pelanggan": "customer_name",
    "pelanggan": "customer_name",
    "name": "customer_name",
    "produk": "product",
    "nomor_kasus": "case_number",
    "no_kasus": "case_number",
    "petugas": "agent",
    "admin": "agent",
    "merek": "brand",
    "nomor_insiden": "incident_number",
    "fakta": "facts",
}

# Order matters: escapes before placeholders, so "{{name}}" is the literal text "{name}".
_TOKEN = re.compile(r"(?P<open_escape>\{\{)|(?P<close_escape>\}\})|(?P<field>\{[^{}]*\})|(?P<brace>[{}])")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class TemplateError(ValueError):
    """A template cannot be rendered; `errors` holds one human sentence per problem."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class _Text:
    text: str


@dataclass(frozen=True)
class _Field:
    name: str
    position: int  # 1-based character, as a writer counts


def _allowed_list() -> str:
    return ", ".join(f"{{{name}}}" for name in ALLOWED_PLACEHOLDERS)


def _field_problem(content: str, at: int) -> str | None:
    raw = "{" + content + "}"
    where = f"at character {at}"
    if content in ALLOWED_PLACEHOLDERS:
        return None
    if not content.strip():
        return f"Empty placeholder {raw} {where}; use one of: {_allowed_list()}."
    if content != content.strip():
        return f"Placeholder {raw} {where} has spaces; write {{{content.strip()}}} without them."
    if "." in content:
        return f"Placeholder {raw} {where} uses attribute access ('.'), which is not allowed."
    if "[" in content or "]" in content:
        return f"Placeholder {raw} {where} uses index access ('[...]'), which is not allowed."
    if "!" in content:
        return f"Placeholder {raw} {where} uses a conversion ('!'), which is not allowed."
    if ":" in content:
        return f"Placeholder {raw} {where} uses a format spec (':'), which is not allowed."
    if content.isdigit():
        return f"Numbered placeholder {raw} {where} is not allowed; use one of: {_allowed_list()}."
    if not _NAME.fullmatch(content):
        return f"Invalid placeholder {raw} {where}; use one of: {_allowed_list()}."
    close = _ALIASES.get(content.lower()) or next(
        iter(difflib.get_close_matches(content.lower(), ALLOWED_PLACEHOLDERS, n=1, cutoff=0.6)),
        None,
    )
    hint = f" Did you mean {{{close}}}?" if close else ""
    return f"Unknown placeholder {raw} {where}; use one of: {_allowed_list()}.{hint}"


def _parse(body: str) -> tuple[list[_Text | _Field], list[str]]:
    parts: list[_Text | _Field] = []
    errors: list[str] = []
    tokens = list(_TOKEN.finditer(body))
    cursor = 0
    for index, token in enumerate(tokens):
        if token.start() > cursor:
            parts.append(_Text(body[cursor : token.start()]))
        cursor = token.end()
        at = token.start() + 1
        kind = token.lastgroup
        if kind == "open_escape":
            parts.append(_Text("{"))
            # "{{ customer_name }}" is how other tools write a placeholder; here it would print
            # the braces to the customer, so say so instead of rendering it.
            closing = tokens[index + 1] if index + 1 < len(tokens) else None
            inner = body[token.end() : closing.start()] if closing else ""
            if closing and closing.lastgroup == "close_escape" and inner.strip() in ALLOWED_PLACEHOLDERS:
                errors.append(
                    f"{{{{{inner}}}}} at character {at} would print the braces literally; "
                    f"write {{{inner.strip()}}} for a placeholder."
                )
        elif kind == "close_escape":
            parts.append(_Text("}"))
        elif kind == "brace":
            brace = token.group()
            errors.append(f"Unmatched '{brace}' at character {at}; write '{brace * 2}' for a literal brace.")
        else:
            content = token.group()[1:-1]
            problem = _field_problem(content, at)
            if problem:
                errors.append(problem)
            else:
                parts.append(_Field(content, at))
    if cursor < len(body):
        parts.append(_Text(body[cursor:]))
    return parts, errors


# "Here are the facts" / "berikut faktanya": a promise the text must keep right after it.
_FACTS_PROMISE = re.compile(
    r"\b(?:here are the facts|the facts are|berikut(?: ini)? fakta(?:nya)?|faktanya adalah)\b[ \t]*[:,\-–—]?",
    re.IGNORECASE,
)
_SENTENCE = re.compile(r"[^.!?\n]*")
FACTS_MIN_WORDS = 4


def facts_promise_unkept(text: str) -> bool:
    """True when the text promises facts ("berikut faktanya") and the sentence after the promise
    carries fewer than a few words: a correction that says "here are the facts." and stops."""
    for match in _FACTS_PROMISE.finditer(text):
        following = _SENTENCE.match(text, match.end()).group()
        if len(following.split()) < FACTS_MIN_WORDS:
            return True
    return False


def validate_template(body: str) -> list[str]:
    """Every problem in a template's text, without values; an empty list means it can render.
    A template that promises facts must leave room for them: the {facts} placeholder."""
    errors = _parse(body)[1]
    if _FACTS_PROMISE.search(body) and "{facts}" not in body:
        errors.append(
            "The text promises facts but has no {facts} placeholder; add it where the facts go, "
            "so every draft has to fill them in."
        )
    return errors


def template_placeholders(body: str) -> list[str]:
    """The placeholders a valid template uses, once each, in order of first use."""
    parts, errors = _parse(body)
    if errors:
        raise TemplateError(errors)
    names: list[str] = []
    for part in parts:
        if isinstance(part, _Field) and part.name not in names:
            names.append(part.name)
    return names


def render_template(body: str, context: Mapping[str, str]) -> str:
    """The template with each placeholder replaced by its value as plain text.

    Raises TemplateError listing every syntax problem and every used placeholder whose value is
    missing or blank (a reply reading "Halo Kak ," is worse than no reply). Extra keys in
    `context` are ignored so one context can serve the whole template library."""
    parts, errors = _parse(body)
    reported: set[str] = set()
    for part in parts:
        if not isinstance(part, _Field) or part.name in reported:
            continue
        value = context.get(part.name)
        if value is not None and not isinstance(value, str):
            reported.add(part.name)
            errors.append(f"The value for {{{part.name}}} must be text, not {type(value).__name__}.")
        elif value is None or not value.strip():
            reported.add(part.name)
            errors.append(f"No value for {{{part.name}}} (first used at character {part.position}).")
    if errors:
        raise TemplateError(errors)
    return "".join(part.text if isinstance(part, _Text) else context[part.name] for part in parts)
