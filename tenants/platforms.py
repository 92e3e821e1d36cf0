"""The one platform registry: every social platform the product knows, with the rules a post on it
must keep (text length, hashtag and mention limits, media count and kinds, link handling).
Intake validates `Mention.platform` against it; content checks each variant against its rules."""

import re
from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext_lazy as _


class LinkHandling(StrEnum):
    ALLOWED = "allowed"  # links are clickable and count as typed
    SHORTENED = "shortened"  # every link counts as a fixed length (X wraps links in t.co)
    REFUSED = "refused"  # links in the text are not clickable: put them in the bio, not the post


@dataclass(frozen=True)
class Platform:
    code: str
    label: str
    publishes: bool = True  # False: a listening source only (reviews, news), never posted to
    max_text: int | None = None
    max_hashtags: int | None = None
    max_mentions: int | None = None
    min_media: int = 0
    max_media: int = 0
    media_kinds: frozenset[str] = frozenset()
    links: LinkHandling = LinkHandling.ALLOWED
    link_length: int = 23  # used when links are SHORTENED


IMAGE, VIDEO = "image", "video"
_BOTH = frozenset({IMAGE, VIDEO})

# Limits as the platforms document them for a feed post by a business account (2026).
PLATFORMS: dict[str, Platform] = {
    p.code: p
    for p in (
        Platform(
            "instagram",
            _("Instagram"),
            max_text=2200,
            max_hashtags=30,
            max_mentions=20,
            min_media=1,
            max_media=10,
            media_kinds=_BOTH,
            links=LinkHandling.REFUSED,
        ),
        Platform("facebook", _("Facebook"), max_text=63206, max_media=10, media_kinds=_BOTH),
        Platform("x", _("X"), max_text=280, max_media=4, media_kinds=_BOTH, links=LinkHandling.SHORTENED),
        Platform(
            "tiktok",
            _("TikTok"),
            max_text=2200,
            min_media=1,
            max_media=1,
            media_kinds=frozenset({VIDEO}),
            links=LinkHandling.REFUSED,
        ),
        Platform("linkedin", _("LinkedIn"), max_text=3000, max_hashtags=30, max_media=9, media_kinds=_BOTH),
        Platform(
            "youtube",
            _("YouTube"),
            max_text=5000,
            max_hashtags=60,
            min_media=1,
            max_media=1,
            media_kinds=frozenset({VIDEO}),
        ),
        Platform("whatsapp_channel", _("WhatsApp channel"), max_text=4096, max_media=1, media_kinds=_BOTH),
        # Listening sources: mentions come from them, nothing is published to them.
        Platform("google_maps", _("Google Maps reviews"), publishes=False),
        Platform("google_play", _("Google Play reviews"), publishes=False),
        Platform("app_store", _("App Store reviews"), publishes=False),
        Platform("threads", _("Threads"), publishes=False),
        Platform("news", _("News sites"), publishes=False),
        Platform("forum", _("Forums and communities"), publishes=False),
        Platform("blog", _("Blogs"), publishes=False),
        Platform("web", _("Other web pages"), publishes=False),
    )
}

PUBLISHING_PLATFORMS: dict[str, Platform] = {c: p for c, p in PLATFORMS.items() if p.publishes}


def platform_get(code: str) -> Platform | None:
    return PLATFORMS.get(code)


def platform_choices(*, publishing_only: bool = False) -> list[tuple[str, str]]:
    source = PUBLISHING_PLATFORMS if publishing_only else PLATFORMS
    return [(p.code, p.label) for p in source.values()]


# (code, label) pairs for model and serializer fields, so the API schema has one platform enum.
PUBLISHING_PLATFORM_CHOICES: list[tuple[str, str]] = platform_choices(publishing_only=True)

_URL_RE = re.compile(r"https?://[^\s<>\"']+", re.IGNORECASE)
# A hashtag or mention starts a word: "#kopi", not "a#b" or "C#"; emails are not mentions.
_HASHTAG_RE = re.compile(r"(?<![\w#&])#\w+")
_MENTION_RE = re.compile(r"(?<![\w@.])@\w[\w.]*")


@dataclass(frozen=True)
class RuleBreak:
    """One broken rule: `rule` is a stable code for integrations, `message` says it to a person."""

    rule: str
    message: str


def platform_rule_breaks(*, platform: str, text: str, media_kinds: list[str]) -> list[RuleBreak]:
    """Every rule of `platform` the post breaks (empty when it may be published there)."""
    p = PLATFORMS.get(platform)
    if p is None or not p.publishes:
        return [
            RuleBreak(
                "platform", str(_("%(platform)s is not a platform we publish to.") % {"platform": platform})
            )
        ]
    breaks: list[RuleBreak] = []
    urls = _URL_RE.findall(text or "")
    if urls and p.links == LinkHandling.REFUSED:
        breaks.append(
            RuleBreak(
                "links",
                str(
                    _("%(platform)s does not make links in a post clickable: remove the link.")
                    % {"platform": p.label}
                ),
            )
        )
    length = len(text or "")
    if p.links == LinkHandling.SHORTENED:
        length += sum(p.link_length - len(url) for url in urls)
    if p.max_text is not None and length > p.max_text:
        breaks.append(
            RuleBreak(
                "text_length",
                str(
                    _("%(platform)s allows %(max)d characters; this text counts %(n)d.")
                    % {"platform": p.label, "max": p.max_text, "n": length}
                ),
            )
        )
    hashtags = len(_HASHTAG_RE.findall(text or ""))
    if p.max_hashtags is not None and hashtags > p.max_hashtags:
        breaks.append(
            RuleBreak(
                "hashtags",
                str(
                    _("%(platform)s allows %(max)d hashtags; this text has %(n)d.")
                    % {"platform": p.label, "max": p.max_hashtags, "n": hashtags}
                ),
            )
        )
    mentions = len(_MENTION_RE.findall(text or ""))
    if p.max_mentions is not None and mentions > p.max_mentions:
        breaks.append(
            RuleBreak(
                "mentions",
                str(
                    _("%(platform)s allows %(max)d mentions; this text has %(n)d.")
                    % {"platform": p.label, "max": p.max_mentions, "n": mentions}
                ),
            )
        )
    if len(media_kinds) < p.min_media:
        breaks.append(
            RuleBreak(
                "media_count",
                str(
                    _("%(platform)s needs at least %(min)d media file(s); this post has %(n)d.")
                    % {"platform": p.label, "min": p.min_media, "n": len(media_kinds)}
                ),
            )
        )
    elif len(media_kinds) > p.max_media:
        breaks.append(
            RuleBreak(
                "media_count",
                str(
                    _("%(platform)s allows at most %(max)d media file(s); this post has %(n)d.")
                    % {"platform": p.label, "max": p.max_media, "n": len(media_kinds)}
                ),
            )
        )
    wrong = sorted({k for k in media_kinds if k not in p.media_kinds})
    if wrong:
        breaks.append(
            RuleBreak(
                "media_kind",
                str(
                    _("%(platform)s does not take %(kinds)s here.")
                    % {"platform": p.label, "kinds": ", ".join(wrong)}
                ),
            )
        )
    return breaks
