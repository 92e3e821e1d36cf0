"""The content share of the demo: for each ready brand without content yet, a channel for every
platform we publish to and a month of posts of every kind (published over the past fortnight with
their figures, scheduled over the next), testimonial drafts from its approved survey testimonials
named as each customer chose, and — when the brand has an open incident severe enough to hold the
calendar — a promotion and an evergreen post that fell due during it, held by the crisis hold with
the reason on them. Where the brand's mentions stream is live, others reply to the published posts
(mixed sentiment, Indonesian and English), through intake and scoring like any mention, so the
report's per-post reply sentiment has figures. Everything goes through content's services. Safe to
run again. Run after seed_demo."""

import struct
import zlib
from collections import defaultdict
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django_tenants.utils import tenant_context

from tenants.models import Brand
from tenants.platforms import IMAGE, PUBLISHING_PLATFORMS

POSTS = [
    (
        "tip",
        "Cara menyeduh kopi tubruk",
        "Rahasia kopi tubruk yang nikmat: air 92°C, diamkan 4 menit. #kopi #tips",
        "id",
    ),
    (
        "inspiration",
        "Pagi yang baik",
        "Setiap pagi adalah kesempatan baru. Selamat pagi! #semangatpagi",
        "id",
    ),
    (
        "success_story",
        "Petani mitra kami",
        "Kisah Pak Darto, petani mitra sejak 2015, kini panen dua kali lipat. #kisahsukses",
        "id",
    ),
    (
        "promotion",
        "Diskon akhir pekan",
        "Diskon 20% untuk semua menu kopi susu akhir pekan ini! #promo",
        "id",
    ),
    (
        "announcement",
        "Gerai baru di Bandung",
        "Kami buka gerai baru di Jl. Braga 12, Bandung. Sampai jumpa! #gerai",
        "id",
    ),
    (
        "tip",
        "Storing beans",
        "Keep beans in an airtight jar, away from light. Never in the fridge. #coffee #tips",
        "en",
    ),
]
# Every platform the registry publishes to; the month's posts take them in turn.
PLATFORMS = list(PUBLISHING_PLATFORMS)
# Due while a severe incident is open: a promotion and an evergreen tip, which the hold stops.
HELD_POSTS = [
    (
        "promotion",
        "Promo kilat 12.12",
        "Hari ini saja: beli 1 gratis 1 kopi susu! #promo",
        False,
        "instagram",
    ),
    (
        "tip",
        "Air yang tepat untuk kopi",
        "Pakai air mineral, bukan air suling. #kopi #tips",
        True,
        "facebook",
    ),
]
TESTIMONIAL_PLATFORM = "facebook"
# Others' replies to the published posts, by the post's kind: (language, text). Each post gets
# three, taken in turn, so two posts of a kind read differently. Their sentiment is whatever the
# brand's scorer makes of them.
REPLIES = {
    "tip": [
        ("id", "Makasih tipsnya, langsung saya coba besok pagi!"),
        ("en", "Great tip, thanks! My morning cup is so much better now"),
        ("id", "Kalau pakai French press berapa lama?"),
        ("en", "Good advice, I always kept mine in the fridge"),
        ("id", "Terlalu mahal untuk kopi biasa"),
    ],
    "inspiration": [
        ("id", "Aamiin, selamat pagi juga!"),
        ("en", "Beautiful, thank you for the kind words"),
        ("id", "Pagi-pagi sudah antre lama, pelayanannya lambat"),
    ],
    "success_story": [
        ("id", "Keren! Semoga sukses terus Pak Darto"),
        ("id", "Bangga sama petani lokal, mantap"),
        ("en", "Love this story, more of these please"),
    ],
    "promotion": [
        ("id", "Diskonnya berlaku di semua gerai?"),
        ("id", "Kemarin ke gerai katanya promo sudah habis, kecewa"),
        ("id", "Promo terus tapi rasanya makin buruk"),
    ],
    "announcement": [
        ("en", "Finally a branch in Bandung, can't wait!"),
        ("id", "Sampai jumpa di sana, senang sekali"),
        ("id", "Parkirnya susah di Braga, semoga ada solusi"),
    ],
}
REPLIES_PER_POST = 3
REPLY_AUTHORS = ["@rina.k", "@dimas_ngopi", "@sarah.eats", "@budi_s", "@anto88", "@kopilover"]
# A WhatsApp channel's followers react; they cannot reply.
NO_REPLIES = {"whatsapp_channel"}


def _png() -> bytes:
    """A real 1×1 PNG in the demo's teal, built here so the demo needs no binary file."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\x0f\x76\x6e")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


# An MP4 file's header (an `ftyp` box): enough for the type check; a placeholder for the real clip.
MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64


class Command(BaseCommand):
    help = "Seed the demo brands' content calendar (channels, a month of posts). Safe to run again."

    def handle(self, *args, **options):
        for brand in Brand.objects.ready():
            with tenant_context(brand):
                made = seed_brand()
            self.stdout.write(f"{brand.slug}: {made}")


def _media_for(item_id, platform: str) -> list:
    """The media a platform requires (Instagram an image, TikTok and YouTube one video), uploaded
    to the item through the media service; none where the platform needs none."""
    from content.services import media_add

    rules = PUBLISHING_PLATFORMS[platform]
    if not rules.min_media:
        return []
    if IMAGE in rules.media_kinds:
        upload = SimpleUploadedFile("demo.png", _png(), content_type="image/png")
    else:
        upload = SimpleUploadedFile("demo.mp4", MP4, content_type="video/mp4")
    return [media_add(item_id=item_id, actor=None, upload=upload, alt_text="Demo").pk]


def _approved_variant(*, kind: str, title: str, text: str, language: str, evergreen: bool, platform: str):
    from content.services import item_approve, item_create, item_submit, variant_create

    item = item_create(
        actor=None,
        kind=kind,
        title=title,
        master_text=text,
        language=language,
        tags=[kind],
        evergreen=evergreen,
    )
    variant = variant_create(
        item_id=item.pk, actor=None, platform=platform, media_ids=_media_for(item.pk, platform)
    )
    item_submit(item_id=item.pk, actor=None)
    item_approve(item_id=item.pk, actor=None)
    return variant


def seed_brand() -> str:
    """The brand's calendar (once), then the replies to its published posts (each post once)."""
    from content.models import ContentItem

    told = "content already there" if ContentItem.objects.exists() else seed_calendar()
    return f"{told}; replies to its posts: {seed_replies()}"


def seed_replies() -> int:
    """Three replies to each published demo post that has none yet, dated after it went out, when
    the brand has a mentions stream at all (a brand that listens to nothing gets no replies).
    Each reply's id is derived from the post's, so a repeat adds nothing. Returns how many."""
    from content.crisis import mentions_stream_live, replies_ingest, reply_sentiment
    from content.models import Variant

    if not mentions_stream_live():
        return 0
    posts = list(
        Variant.objects.filter(status=Variant.Status.PUBLISHED, platform_post_id__startswith="demo-")
        .exclude(platform__in=NO_REPLIES)
        .select_related("item")
        .order_by("published_at", "id")
    )
    by_platform = defaultdict(list)
    for post in posts:
        by_platform[post.platform].append(post.platform_post_id)
    answered = {
        (platform, post_id)
        for platform, ids in by_platform.items()
        for post_id in reply_sentiment(platform=platform, post_ids=ids)
    }
    rows = []
    for n, post in enumerate(posts):
        pool = REPLIES.get(post.item.kind)
        if not pool or (post.platform, post.platform_post_id) in answered:
            continue
        for i in range(REPLIES_PER_POST):
            language, text = pool[(n + i) % len(pool)]
            rows.append(
                {
                    "platform": post.platform,
                    "external_id": f"{post.platform_post_id}-reply-{i}",
                    "parent_external_id": post.platform_post_id,
                    "kind": "comment",
                    "author_handle": REPLY_AUTHORS[(n + i) % len(REPLY_AUTHORS)],
                    "text": text,
                    "language": language,
                    "posted_at": (post.published_at + timedelta(hours=1 + 3 * i)).isoformat(),
                    "reach": 40 + 15 * i,
                }
            )
    return replies_ingest(rows=rows) if rows else 0


def seed_calendar() -> str:
    from content.models import Channel, Variant
    from content.services import (
        channel_create,
        crisis_hold_sweep,
        hold_active_incident,
        item_approve,
        item_submit,
        testimonial_draft_create,
        variant_confirm_published,
        variant_create,
        variant_metrics_record,
        variant_schedule,
    )
    from content.testimonial_source import approved_testimonials

    now = timezone.now()
    soon = now + timedelta(minutes=5)
    with transaction.atomic():
        channel_create(actor=None, name="Scheduler (manual)", kind=Channel.Kind.MANUAL, platforms=PLATFORMS)
        n = 0
        for day in range(-14, 16, 2):
            kind, title, text, language = POSTS[n % len(POSTS)]
            variant = _approved_variant(
                kind=kind,
                title=f"{title} ({day:+d})",
                text=text,
                language=language,
                evergreen=kind == "tip" and n % 3 == 0,
                platform=PLATFORMS[n % len(PLATFORMS)],
            )
            at = now + timedelta(days=day, hours=9 - now.hour)
            if day < 0:
                # Published in the past: scheduled for a moment from now, then confirmed, and
                # the dates moved back so the calendar shows its history; then its figures.
                variant_schedule(variant_id=variant.pk, actor=None, at=soon)
                variant_confirm_published(
                    variant_id=variant.pk, actor=None, platform_post_id=f"demo-{variant.pk.hex[:12]}"
                )
                Variant.objects.filter(pk=variant.pk).update(scheduled_at=at, published_at=at)
                reach = 1200 + 350 * n
                variant_metrics_record(
                    variant_id=variant.pk,
                    measured_at=at + timedelta(days=1),
                    reach=reach,
                    likes=reach // 12,
                    comments=reach // 90,
                    shares=reach // 150,
                    clicks=reach // 60,
                )
            else:
                variant_schedule(variant_id=variant.pk, actor=None, at=max(at, soon))
            n += 1
        testimonials = 0
        for testimonial in approved_testimonials(limit=5):
            item = testimonial_draft_create(candidate_id=testimonial.id, actor=None)
            testimonials += 1
            if testimonials == 1:
                # The first goes through approval onto the calendar; the others wait as drafts.
                variant = variant_create(item_id=item.pk, actor=None, platform=TESTIMONIAL_PLATFORM)
                item_submit(item_id=item.pk, actor=None)
                item_approve(item_id=item.pk, actor=None)
                variant_schedule(
                    variant_id=variant.pk, actor=None, at=now + timedelta(days=3, hours=9 - now.hour)
                )
        held = []
        if hold_active_incident() is not None:
            for kind, title, text, evergreen, platform in HELD_POSTS:
                variant = _approved_variant(
                    kind=kind, title=title, text=text, language="id", evergreen=evergreen, platform=platform
                )
                variant_schedule(variant_id=variant.pk, actor=None, at=soon)
                held.append(variant.pk)
            # Their time came a minute ago, while the incident was open.
            Variant.objects.filter(pk__in=held).update(scheduled_at=now - timedelta(minutes=1))
    hold = crisis_hold_sweep()
    return f"{n} posts, {testimonials} testimonial drafts, {len(held)} due during the crisis; hold: {hold}"
