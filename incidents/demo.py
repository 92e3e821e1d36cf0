"""The demo story for `seed_demo`: 30 days of bilingual mentions with an ordinary baseline and one
crisis (a rumour that spreads, a negative spike, followers leaving, complaints left waiting), the
alerts the detectors raised, and the incident worked through its lifecycle with a team, tasks,
approved and sent responses, moderation with reasons and client updates. A second brand is in the
middle of a crisis. Everything goes through the real services and detectors; deterministic (one
seeded random generator) and idempotent (a brand that has the story is left alone)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from incidents.models import (
    Alert,
    CrisisRole,
    CrisisSettings,
    DetectorSettings,
    Incident,
    Mention,
    MetricSample,
    RosterMember,
)
from incidents.services import alerts as alert_services
from incidents.services import one_crisis
from incidents.services.incidents import (
    incident_mentions_link,
    incident_open_from_alert,
    incident_transition,
    incident_update,
)
from incidents.services.moderation import guidelines_current, guidelines_publish, moderation_act
from incidents.services.responses import (
    response_approve,
    response_confirm_sent,
    response_draft,
    response_submit,
)
from incidents.services.status_updates import status_update_approve, status_update_draft
from incidents.services.team import assignment_add, roster_member_add, task_create, task_update

MARK = "demo-"  # every demo mention's external id starts with it: the story is there once

POSITIVE = [
    ("id", "Kopi susu gula arennya enak banget, pelayanannya ramah"),
    ("id", "Suka banget sama menu baru, mantap"),
    ("id", "Baristanya ramah, tempatnya nyaman buat kerja"),
    ("en", "Love the new iced latte, great service today"),
    ("en", "Best coffee in Bandung, friendly staff"),
]
NEUTRAL = [
    ("id", "Gerai di Dago buka jam berapa ya?"),
    ("id", "Ada promo apa minggu ini?"),
    ("en", "Does the Kemang store have oat milk?"),
]
NEGATIVE = [
    ("id", "Antriannya lama banget tadi sore, kecewa"),
    ("en", "My order was wrong again, disappointed"),
]
RUMOUR = [
    "katanya kopi nusantara pakai biji kopi basi dari gudang bekas banjir, jangan beli lagi {}",
    "Katanya Kopi Nusantara pakai biji kopi basi dari gudang bekas banjir, jangan beli lagi {}",
]
RUMOUR_TAILS = ["!!", "guys", "", "parah", "serius?", "ngeri", "hati-hati", "share ya"]
# The angry wave: many different voices (identical texts from many authors would read as a
# second rumour, which is not what happened).
SPIKE = [
    ("id", "Jijik, ternyata kopinya dari gudang banjir. Kecewa berat"),
    ("id", "Pantesan rasanya aneh minggu lalu"),
    ("id", "Udah langganan 3 tahun, sekarang mikir dua kali"),
    ("id", "Kok brand sebesar ini diam aja sih"),
    ("id", "Anak saya minum itu kemarin, saya khawatir"),
    ("id", "Mana klarifikasinya min? Jangan diam"),
    ("id", "Hapus aplikasinya dulu deh sampai jelas"),
    ("id", "Kecewa, padahal harganya nggak murah"),
    ("en", "Disgusting, never buying again"),
    ("en", "Is this true? Terrible if so"),
    ("en", "Why is nobody from the brand answering"),
    ("en", "Cancelled my subscription until they explain"),
    ("en", "My whole office switched to another cafe today"),
    ("en", "Shameful handling of food safety"),
    ("id", "Parah sih kalau beneran, BPOM harus cek"),
    ("en", "Not touching their cold brew again"),
]
COMPLAINTS = [
    ("id", "Tolong dijawab, saya kemarin beli dan sekarang sakit perut. Minta refund"),
    ("id", "Min, kopi saya rasanya asam, ini dari gudang banjir bukan? Mohon penjelasan"),
    ("en", "I want a refund for yesterday's order, it tasted off. Please answer"),
]


def _mention(rng, n: int, *, at, language, text, band, complaint=False, answered=True, author=None):
    sentiment = {"negative": -0.7, "neutral": 0.0, "positive": 0.7}[band]
    return Mention(
        platform=rng.choice(["instagram", "x", "tiktok"]),
        external_id=f"{MARK}{n}",
        kind=Mention.Kind.COMMENT,
        author_handle=author
        or f"@{rng.choice(['rina', 'budi_s', 'kopilover', 'dimas', 'sarah_k', 'anto'])}{n}",
        text=text,
        posted_at=at,
        reach=rng.randint(50, 5000),
        engagement=rng.randint(0, 300),
        source_language=language,
        language=language,
        sentiment=sentiment,
        sentiment_band=band,
        is_complaint=complaint,
        is_question=text.endswith("?"),
        scored_at=at,
        answered_at=at + timedelta(minutes=rng.randint(5, 50)) if answered else None,
    )


def _baseline(rng, *, now: datetime, days: int = 30, per_day: int = 30) -> list[Mention]:
    rows = []
    n = 0
    for day in range(days, 0, -1):
        for _ in range(per_day):
            at = now - timedelta(days=day) + timedelta(minutes=rng.randint(0, 24 * 60 - 1))
            roll = rng.random()
            pool, band = (
                (POSITIVE, "positive")
                if roll < 0.6
                else (NEUTRAL, "neutral")
                if roll < 0.9
                else (NEGATIVE, "negative")
            )
            language, text = rng.choice(pool)
            n += 1
            rows.append(_mention(rng, n, at=at, language=language, text=text, band=band))
    return rows


def _burst(rng, *, end: datetime, start_n: int, rumour_authors: int = 14) -> list[Mention]:
    """One crisis window ending at `end`: the rumour spreads over four hours, the angry wave peaks
    in the last 45 minutes, and complaints wait unanswered for two to three hours."""
    rows, n = [], start_n
    for i in range(rumour_authors):
        n += 1
        text = rng.choice(RUMOUR).format(RUMOUR_TAILS[i % len(RUMOUR_TAILS)])
        at = end - timedelta(minutes=15 * (rumour_authors - i))
        rows.append(
            _mention(
                rng,
                n,
                at=at,
                language="id",
                text=text,
                band="negative",
                answered=False,
                author=f"@penyebar{i}",
            )
        )
    for i in range(40):
        n += 1
        language, text = SPIKE[i % len(SPIKE)]  # no one text from more than three authors
        rows.append(
            _mention(
                rng,
                n,
                at=end - timedelta(minutes=rng.randint(1, 44)),
                language=language,
                text=text,
                band="negative",
            )
        )
    for _ in range(8):
        n += 1
        language, text = rng.choice(COMPLAINTS)
        at = end - timedelta(minutes=rng.randint(120, 180))
        rows.append(
            _mention(
                rng, n, at=at, language=language, text=text, band="negative", complaint=True, answered=False
            )
        )
    return rows


def _followers(*, now: datetime, drop_at: datetime, start: int) -> list[MetricSample]:
    """Followers every six hours for 30 days: steady growth, 3,500 lost at the crisis."""
    samples, followers, at, dropped = [], start, now - timedelta(days=30), False
    while at <= now:
        followers += 120
        if at >= drop_at and not dropped:
            followers, dropped = followers - 3500, True
        samples.append(MetricSample(platform="instagram", measured_at=at, followers=followers))
        at += timedelta(hours=6)
    return samples


def _sweep_as_the_worker(now: datetime) -> list[Alert]:
    """Run the detectors as the periodic sweep does, then what the queued task does for each new
    alert (join the crisis or open one); the queued tasks find the work done."""
    raised = [alert for alert, outcome in alert_services.detectors_sweep(now=now) if alert is not None]
    for alert in raised:
        one_crisis.incident_auto_open_for_alert(alert_id=alert.pk)
    return raised


def _roster(users: dict) -> dict[str, RosterMember]:
    wanted = [
        ("ayu@suara.test", CrisisRole.CRISIS_MANAGER),
        ("sari@suara.test", CrisisRole.SOCIAL_MEDIA_SPECIALIST),
        ("dewi@suara.test", CrisisRole.SPOKESPERSON),
        ("hukum@suara.test", CrisisRole.LEGAL),
        ("cs@suara.test", CrisisRole.CUSTOMER_CARE),
    ]
    members = {}
    for email, role in wanted:
        user = users.get(email)
        if user is None:
            continue
        member = RosterMember.objects.filter(user=user, role=role).first()
        members[role] = member or roster_member_add(actor=None, role=role, user=user)
    return members


def _guidelines(actor) -> None:
    if guidelines_current() is None:
        guidelines_publish(
            actor=actor,
            intro="Aturan komunitas akun resmi Kopi Nusantara.",
            rules=[
                {"title": "Hormati sesama", "text": "Tidak ada hinaan, SARA, atau ancaman."},
                {
                    "title": "Tanpa data pribadi",
                    "text": "Jangan membagikan alamat atau nomor telepon orang lain.",
                },
                {"title": "Tanpa spam", "text": "Tidak ada promosi atau tautan berulang."},
            ],
        )


@transaction.atomic
def demo_story_seed(*, brand, users: dict) -> str:
    """The full story for Kopi Nusantara, the mid-crisis one for Batik Lestari; nothing elsewhere."""
    if brand.slug not in ("kopi-nusantara", "batik-lestari"):
        return ""
    if Mention.objects.filter(external_id__startswith=MARK).exists():
        return ""  # the story is already there
    if brand.slug == "kopi-nusantara":
        return _kopi_story(users)
    return _batik_story(users)


def _kopi_story(users: dict) -> str:
    rng = random.Random(20261201)
    now = timezone.now().replace(microsecond=0)
    ayu, dewi, sari = users["ayu@suara.test"], users["dewi@suara.test"], users["sari@suara.test"]
    DetectorSettings.objects.update_or_create(pk=1, defaults={"brand_handles": "@kopinusantara"})
    CrisisSettings.objects.get_or_create(pk=1)
    # Four days ago: past the detectors' look-back windows now, so its alerts have ended.
    crisis_end = now - timedelta(days=4, hours=2)
    rows = _baseline(rng, now=now)
    burst = _burst(rng, end=crisis_end, start_n=len(rows))
    Mention.objects.bulk_create(rows + burst)
    MetricSample.objects.bulk_create(
        # Samples come every six hours: a drop seven hours before the end is seen by then.
        _followers(now=now, drop_at=crisis_end - timedelta(hours=7), start=48_000)
    )

    # The detectors see the burst as it happened: four alerts, one incident.
    _sweep_as_the_worker(crisis_end)
    incident = Incident.objects.filter(status__in=Incident.OPEN_STATUSES).order_by("number").first()
    if incident is None:  # the brand's auto-open threshold was switched off: staff open it
        alert = Alert.objects.order_by("severity", "raised_at").first()  # the worst (lower is worse)
        incident = incident_open_from_alert(alert_id=alert.pk, actor=ayu)
    members = _roster(users)
    for role in (
        CrisisRole.CRISIS_MANAGER,
        CrisisRole.SOCIAL_MEDIA_SPECIALIST,
        CrisisRole.SPOKESPERSON,
        CrisisRole.LEGAL,
    ):
        if role in members:
            assignment_add(incident_id=incident.pk, actor=ayu, member_id=members[role].pk)
    incident_update(
        incident_id=incident.pk,
        actor=ayu,
        title="Rumor gudang banjir: biji kopi basi",
        source_category="misinformation",
    )
    incident_transition(incident_id=incident.pk, actor=ayu, to_status=Incident.Status.TRIAGED)
    incident_transition(incident_id=incident.pk, actor=ayu, to_status=Incident.Status.RESPONDING)
    # Every rumour post on the war room, not only the detector's examples.
    rumour_ids = list(
        Mention.objects.filter(author_handle__startswith="@penyebar").values_list("pk", flat=True)
    )
    incident_mentions_link(incident_id=incident.pk, actor=ayu, mention_ids=rumour_ids)

    manager = members.get(CrisisRole.CRISIS_MANAGER)
    tasks = []
    for title, hours in (
        ("Minta surat keterangan gudang Cikarang dari tim operasional", 4),
        ("Siapkan foto dan hasil uji lab biji kopi", 8),
        ("Telepon pelanggan yang minta refund", 2),
    ):
        tasks.append(
            task_create(
                incident_id=incident.pk,
                actor=ayu,
                title=title,
                owner_id=(members.get(CrisisRole.CUSTOMER_CARE) or manager).pk,
                due_at=now + timedelta(hours=hours),
            )
        )
    task_update(task_id=tasks[0].pk, actor=ayu, status="done")
    task_update(task_id=tasks[2].pk, actor=ayu, status="done")

    holding = response_draft(
        actor=sari,
        kind="holding_statement",
        incident_id=incident.pk,
        language="id",
        at_fault=False,
        text="Kami memahami kekhawatiran pelanggan tentang kabar yang beredar soal biji kopi kami. "
        "Kami sedang memeriksanya bersama tim gudang. Kami akan memberikan informasi terbaru pukul 21.00 WIB.",
    )
    statement = response_draft(
        actor=sari,
        kind="statement",
        incident_id=incident.pk,
        language="id",
        at_fault=False,
        text="Kami memahami kekhawatiran Anda. Informasi tersebut tidak benar. Berikut faktanya: gudang "
        "kami di Cikarang tidak terdampak banjir, dan hasil uji lab biji kopi minggu ini kami lampirkan. "
        "Kami akan memberikan informasi terbaru bila ada perkembangan; silakan kirim pertanyaan lewat DM.",
    )
    for response in (holding, statement):
        response_submit(response_id=response.pk, actor=sari)
        response_approve(response_id=response.pk, actor=dewi)
        response_confirm_sent(response_id=response.pk, external_id=f"{MARK}post-{response.pk.hex[:8]}")
    waiting = list(
        Mention.objects.filter(is_complaint=True, answered_at__isnull=True, external_id__startswith=MARK)
    )
    for mention in waiting[:5]:
        english = mention.language == "en"
        reply = response_draft(
            actor=sari,
            kind="reply",
            incident_id=incident.pk,
            mention_id=mention.pk,
            language=mention.language,
            at_fault=False,
            text=(
                "We understand your concern and we're sorry for the worry. Please DM us your order "
                "number and we will arrange a refund today."
                if english
                else "Kami memahami kekhawatiran Kakak dan mohon maaf atas ketidaknyamanannya. Silakan "
                "kirim nomor pesanan lewat DM, kami akan memproses refund hari ini."
            ),
        )
        response_submit(response_id=reply.pk, actor=sari)
        if reply.state != reply.State.APPROVED:
            response_approve(response_id=reply.pk, actor=dewi)
        response_confirm_sent(response_id=reply.pk, external_id=f"{MARK}reply-{reply.pk.hex[:8]}")
    Mention.objects.filter(pk__in=[m.pk for m in waiting]).update(answered_at=crisis_end + timedelta(hours=1))

    _guidelines(ayu)
    doxxer = Mention.objects.create(
        platform="instagram",
        external_id=f"{MARK}doxx",
        kind=Mention.Kind.COMMENT,
        author_handle="@akun_anonim_77",
        text="Ini nomor HP barista gerai Dago yang bikin kopinya, teror aja 0812xxxx",
        posted_at=crisis_end - timedelta(minutes=20),
        language="id",
        sentiment=-0.9,
        sentiment_band="negative",
        scored_at=crisis_end,
    )
    moderation_act(
        actor=sari,
        mention_id=doxxer.pk,
        action="hide",
        rule_number=2,
        reason="Membagikan nomor telepon pribadi karyawan dan mengajak meneror.",
        public_explanation="Komentar disembunyikan karena membagikan data pribadi.",
        incident_id=incident.pk,
    )
    update = status_update_draft(
        incident_id=incident.pk,
        actor=ayu,
        conditions="Rumor mereda; 14 akun penyebar teridentifikasi, volume negatif kembali normal.",
        actions="Klarifikasi dengan fakta gudang sudah terbit; 5 keluhan dijawab dan refund diproses.",
        needs="Persetujuan untuk mengunggah hasil uji lab besok pagi.",
    )
    status_update_approve(status_update_id=update.pk, actor=ayu)

    incident_transition(incident_id=incident.pk, actor=ayu, to_status=Incident.Status.MONITORING)
    # Days later the detectors no longer see any of it: the alerts end by themselves.
    alert_services.detectors_sweep(now=now)
    incident_transition(
        incident_id=incident.pk,
        actor=ayu,
        to_status=Incident.Status.RESOLVED,
        summary="Rumor dibantah dengan fakta gudang dan hasil uji lab; keluhan dijawab, pengikut pulih.",
    )
    return f"demo story: {len(rows) + len(burst)} mentions, {Alert.objects.count()} alerts, incident #{incident.number}"


def _batik_story(users: dict) -> str:
    """Batik Lestari is in the middle of a crisis now: a spike of complaints about faded batik,
    the alert on an open incident, a team at work and a statement waiting for approval."""
    rng = random.Random(20261202)
    now = timezone.now().replace(microsecond=0)
    citra = users.get("citra@suara.test")
    DetectorSettings.objects.update_or_create(pk=1, defaults={"brand_handles": "@batiklestari"})
    rows = _baseline(rng, now=now, per_day=15)
    n = len(rows)
    for _ in range(35):
        n += 1
        language, text = rng.choice(
            [
                ("id", "Batik tulis yang saya beli luntur setelah sekali cuci, kecewa berat"),
                ("id", "Warnanya luntur semua, ini batik asli bukan sih?"),
                ("en", "The batik shirt faded after one wash, very disappointed"),
            ]
        )
        rows.append(
            _mention(
                rng,
                n,
                at=now - timedelta(minutes=rng.randint(1, 50)),
                language=language,
                text=text,
                band="negative",
            )
        )
    Mention.objects.bulk_create(rows)
    _sweep_as_the_worker(now)
    incident = Incident.objects.filter(status__in=Incident.OPEN_STATUSES).order_by("number").first()
    if incident is None:
        return f"demo story: {len(rows)} mentions, no incident (auto-open is off)"
    if citra is not None:
        member = RosterMember.objects.filter(user=citra).first() or roster_member_add(
            actor=None, role=CrisisRole.SOCIAL_MEDIA_SPECIALIST, user=citra
        )
        assignment_add(incident_id=incident.pk, actor=None, member_id=member.pk)
        task_create(
            incident_id=incident.pk,
            actor=None,
            title="Kumpulkan foto produk yang luntur dan nomor pesanannya",
            owner_id=member.pk,
            due_at=now + timedelta(hours=3),
        )
        draft = response_draft(
            actor=citra,
            kind="holding_statement",
            incident_id=incident.pk,
            language="id",
            at_fault=False,
            text="Kami memahami kekecewaan pelanggan atas batik yang luntur. Kami sedang memeriksa batch "
            "produksi ini. Kami akan memberikan informasi terbaru besok pukul 10.00 WIB.",
        )
        response_submit(response_id=draft.pk, actor=citra)
    return f"demo story (mid-crisis): {len(rows)} mentions, incident #{incident.number} open"
