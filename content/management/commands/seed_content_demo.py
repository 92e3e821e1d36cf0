"""The content share of the demo: for each ready brand without content yet, channels and a month
of posts across platforms and kinds (published in the past fortnight, scheduled for the next),
testimonial drafts from its approved survey testimonials, and a hold sweep, so posts due during
an open demo crisis show as held. Safe to run again. Run after seed_demo."""

from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django_tenants.utils import tenant_context

from tenants.models import Brand

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
PLATFORMS = ["x", "facebook", "linkedin"]


class Command(BaseCommand):
    help = "Seed the demo brands' content calendar (channels, a month of posts). Safe to run again."

    def handle(self, *args, **options):
        for brand in Brand.objects.ready():
            with tenant_context(brand):
                made = seed_brand()
            self.stdout.write(f"{brand.slug}: {made}")


def seed_brand() -> str:
    from content.models import Channel, ContentItem, Variant
    from content.services import (
        channel_create,
        crisis_hold_sweep,
        item_approve,
        item_create,
        item_submit,
        testimonial_draft_create,
        variant_confirm_published,
        variant_create,
        variant_schedule,
    )
    from content.testimonial_source import approved_testimonials

    if ContentItem.objects.exists():
        return "content already there"
    now = timezone.now()
    with transaction.atomic():
        channel_create(actor=None, name="Scheduler (manual)", kind=Channel.Kind.MANUAL, platforms=PLATFORMS)
        n = 0
        for day in range(-14, 16, 2):
            kind, title, text, language = POSTS[n % len(POSTS)]
            item = item_create(
                actor=None,
                kind=kind,
                title=f"{title} ({day:+d})",
                master_text=text,
                language=language,
                tags=[kind],
                evergreen=kind == "tip" and n % 3 == 0,
            )
            platform = PLATFORMS[n % len(PLATFORMS)]
            variant = variant_create(item_id=item.pk, actor=None, platform=platform)
            item_submit(item_id=item.pk, actor=None)
            item_approve(item_id=item.pk, actor=None)
            at = now + timedelta(days=day, hours=9 - now.hour)
            if day < 0:
                # Published in the past: scheduled for a moment from now, then confirmed, and
                # the dates moved back so the calendar shows its history.
                variant_schedule(variant_id=variant.pk, actor=None, at=now + timedelta(minutes=5))
                variant_confirm_published(
                    variant_id=variant.pk, actor=None, platform_post_id=f"demo-{variant.pk.hex[:12]}"
                )
                Variant.objects.filter(pk=variant.pk).update(scheduled_at=at, published_at=at)
            else:
                variant_schedule(variant_id=variant.pk, actor=None, at=max(at, now + timedelta(minutes=5)))
            n += 1
        for testimonial in approved_testimonials(limit=5):
            testimonial_draft_create(candidate_id=testimonial.id, actor=None)
    hold = crisis_hold_sweep()
    return f"{n} posts, hold: {hold}"
