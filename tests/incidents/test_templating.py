"""Response templates render only the allowed placeholders, as plain text, and explain every
mistake by name and position."""

import pytest

from incidents.templating import (
    ALLOWED_PLACEHOLDERS,
    TemplateError,
    render_template,
    template_placeholders,
    validate_template,
)

CONTEXT = {
    "customer_name": "Rina",
    "product": "Kopi Susu Gula Aren",
    "case_number": "KS-1042",
    "agent": "Ayu",
    "brand": "Kopi Nusantara",
    "incident_number": "INC-7",
    "facts": "Semua biji kopi kami segar.",
}


def test_every_allowed_placeholder_renders_its_value():
    body = " ".join(f"{{{name}}}" for name in ALLOWED_PLACEHOLDERS)

    assert render_template(body, CONTEXT) == " ".join(CONTEXT[n] for n in ALLOWED_PLACEHOLDERS)


def test_realistic_reply_renders():
    body = (
        "Halo Kak {customer_name}, mohon maaf atas kendala {product}. "
        "Nomor kasus Kakak {case_number}, akan dibantu oleh {agent} dari {brand}."
    )

    assert render_template(body, CONTEXT) == (
        "Halo Kak Rina, mohon maaf atas kendala Kopi Susu Gula Aren. "
        "Nomor kasus Kakak KS-1042, akan dibantu oleh Ayu dari Kopi Nusantara."
    )


def test_double_braces_print_literal_braces():
    assert render_template("{{kode}} {{{case_number}}} }}{{", CONTEXT) == "{kode} {KS-1042} }{"


def test_values_are_inserted_as_plain_text_and_never_parsed_again():
    context = {"customer_name": "{agent} <b>&amp;", "agent": "Ayu"}

    assert render_template("Hi {customer_name}", context) == "Hi {agent} <b>&amp;"


def test_extra_context_keys_are_ignored():
    assert render_template("Hi {agent}", {"agent": "Ayu", "unused": "x"}) == "Hi Ayu"


def test_template_without_placeholders_renders_unchanged():
    assert render_template("Terima kasih atas masukannya.", {}) == "Terima kasih atas masukannya."


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("Halo {nama}", "Unknown placeholder {nama} at character 6"),
        (
            "Halo {customer_name.__class__}",
            "{customer_name.__class__} at character 6 uses attribute",
        ),
        ("Halo {0}", "Numbered placeholder {0} at character 6"),
        ("Halo {}", "Empty placeholder {} at character 6"),
        ("Halo {product[0]}", "{product[0]} at character 6 uses index access"),
        ("Halo {product:>10}", "{product:>10} at character 6 uses a format spec"),
        ("Halo {product!r}", "{product!r} at character 6 uses a conversion"),
        ("Halo { product }", "{ product } at character 6 has spaces"),
        ("Halo {a b}", "Invalid placeholder {a b} at character 6"),
        ("Halo {customer_name", "Unmatched '{' at character 6"),
        ("Halo customer_name}", "Unmatched '}' at character 19"),
        ("Halo {{ customer_name }}", "{{ customer_name }} at character 6 would print the braces"),
    ],
    ids=[
        "unknown",
        "attribute",
        "positional",
        "empty",
        "index",
        "format-spec",
        "conversion",
        "spaces",
        "not-a-name",
        "unclosed-open",
        "unopened-close",
        "jinja-style",
    ],
)
def test_bad_placeholder_raises_template_error_naming_it(body, expected):
    with pytest.raises(TemplateError) as raised:
        render_template(body, CONTEXT)

    assert len(raised.value.errors) == 1
    assert raised.value.errors[0].startswith(expected) or expected in raised.value.errors[0]
    assert isinstance(raised.value, ValueError)


def test_unknown_placeholder_lists_the_allowed_ones_and_suggests_the_likely_one():
    (message,) = validate_template("Halo {nama}")

    assert "use one of: {customer_name}, {product}, {case_number}, {agent}, {brand}" in message
    assert message.endswith("Did you mean {customer_name}?")


def test_every_problem_is_reported_at_once():
    with pytest.raises(TemplateError) as raised:
        render_template("{nama} {x.y} {", CONTEXT)

    assert len(raised.value.errors) == 3
    assert str(raised.value) == "; ".join(raised.value.errors)


def test_missing_value_names_each_placeholder_once_with_its_first_position():
    with pytest.raises(TemplateError) as raised:
        render_template("Hi {customer_name}, case {case_number} ({case_number})", {"agent": "x"})

    assert raised.value.errors == [
        "No value for {customer_name} (first used at character 4).",
        "No value for {case_number} (first used at character 26).",
    ]


def test_absent_and_blank_values_are_both_missing():
    with pytest.raises(TemplateError) as raised:
        render_template("{customer_name} {agent}", {"agent": "   "})

    assert raised.value.errors == [
        "No value for {customer_name} (first used at character 1).",
        "No value for {agent} (first used at character 17).",
    ]


def test_non_text_value_is_refused():
    with pytest.raises(TemplateError, match=r"\{case_number\} must be text, not int"):
        render_template("{case_number}", {"case_number": 1042})  # type: ignore[dict-item]


def test_validate_template_needs_no_context_and_returns_an_empty_list_when_valid():
    assert validate_template("Halo {customer_name}, {{ok}}") == []
    assert validate_template("Halo {nama}, {x!r}") == [
        "Unknown placeholder {nama} at character 6; use one of: {customer_name}, {product}, "
        "{case_number}, {agent}, {brand}, {incident_number}, {facts}. Did you mean {customer_name}?",
        "Placeholder {x!r} at character 14 uses a conversion ('!'), which is not allowed.",
    ]


def test_template_placeholders_lists_each_name_once_in_order_of_first_use():
    body = "{agent} {customer_name} {agent} {{kode}}"

    assert template_placeholders(body) == ["agent", "customer_name"]


def test_template_placeholders_refuses_an_invalid_template():
    with pytest.raises(TemplateError, match=r"\{nama\}"):
        template_placeholders("{nama}")
