"""The platform registry: one home for every platform's rules, shared by intake and content."""

import pytest

from tenants.platforms import PLATFORMS, platform_rule_breaks


def _rules(platform, text, media=()):
    return {b.rule for b in platform_rule_breaks(platform=platform, text=text, media_kinds=list(media))}


def test_a_clean_post_breaks_no_rule():
    assert _rules("x", "Grind just before brewing. #kopi @barista") == set()
    assert _rules("instagram", "Pagi! #kopi", ["image"]) == set()


def test_text_length_counts_x_links_as_23_characters():
    link = "https://example.com/" + "a" * 200
    assert _rules("x", "a" * 200 + " " + link) == set()  # 421 typed, 224 counted
    assert _rules("x", "a" * 258 + " " + link) == {"text_length"}  # 282 counted
    assert _rules("x", "a" * 281) == {"text_length"}


def test_instagram_refuses_links_and_needs_media():
    assert _rules("instagram", "Buy now https://shop.example.com") == {"links", "media_count"}


def test_hashtag_and_mention_limits():
    tags = " ".join(f"#t{i}" for i in range(31))
    mentions = " ".join(f"@u{i}" for i in range(21))
    assert _rules("instagram", tags, ["image"]) == {"hashtags"}
    assert _rules("instagram", mentions, ["image"]) == {"mentions"}
    # An email address is not a mention, C# is not a hashtag.
    assert _rules("instagram", "write to a@b.co about C# " * 30, ["image"]) == set()


def test_media_count_and_kinds():
    assert _rules("tiktok", "dance", ["image"]) == {"media_kind"}
    assert _rules("x", "five", ["image"] * 5) == {"media_count"}
    assert _rules("youtube", "no video") == {"media_count"}


def test_listening_sources_are_not_published_to():
    assert PLATFORMS["google_maps"].publishes is False
    assert _rules("google_maps", "hi") == {"platform"}
    assert _rules("myspace", "hi") == {"platform"}


@pytest.mark.django_db
def test_intake_refuses_a_platform_the_registry_does_not_know(client_a, api_key_a):
    from tests.helpers import bearer
    from tests.incidents.fixtures_early_warning import mention_row

    rows = [mention_row(platform="myspace"), mention_row(platform="x")]
    body = client_a.post(
        "/api/v1/mentions/", rows, content_type="application/json", **bearer(api_key_a)
    ).json()
    assert (body["created"], body["rejected"]) == (1, 1)
    assert "platform" in body["errors"][0]["errors"]


def test_rule_messages_read_in_indonesian():
    from django.utils import translation

    with translation.override("id"):
        (only,) = platform_rule_breaks(platform="x", text="a" * 281, media_kinds=[])
    assert only.message == "X mengizinkan 280 karakter; teks ini 281 karakter."
