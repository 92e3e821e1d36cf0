"""The demo's drill: a finished practice crisis whose injects came in as drill mentions (one
answered, one hidden, none of them in any figure), and the scenario's monthly schedule with its
next drill waiting."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.utils import timezone

from incidents.models import CrisisRole, Drill, DrillScenario, Mention, RosterMember
from incidents.services.drills import (
    drill_finish,
    drill_injects_release_due,
    drill_scenario_create,
    drill_schedule,
    drill_start,
)
from incidents.services.incidents import incident_transition
from incidents.services.moderation import guidelines_current, moderation_act
from incidents.services.responses import response_approve, response_draft, response_submit
from incidents.services.team import assignment_add
from tenants.models import User

SCENARIO_TITLE = "Rumor kopi tidak halal"
INJECTS = [
    {"after_minutes": 0, "platform": "x", "text": "Katanya Kopi Nusantara pakai lemak babi. Benar?"},
    {"after_minutes": 8, "platform": "instagram", "text": "Saya kecewa, anak saya sudah minum kopi ini!"},
    {"after_minutes": 15, "platform": "x", "text": "Boikot! Admin kalian bodoh dan penipu semua."},
    {"after_minutes": 25, "platform": "tiktok", "text": "Ada yang punya bukti sertifikat halalnya?"},
]


def drills_demo_story() -> str:
    """Idempotent: a brand that has the scenario already is left as it is."""
    if DrillScenario.objects.filter(title=SCENARIO_TITLE).exists():
        return "already there"
    ayu = User.objects.filter(email="ayu@suara.test").first()
    if ayu is None:
        return "skipped (no crisis manager)"
    now = timezone.now()
    held = now - timedelta(days=3)
    with transaction.atomic():
        # Every first Tuesday of the month at 10:00 on the brand's clock, from a Tuesday in the past.
        zone = ZoneInfo(connection.tenant.timezone)
        since = timezone.localtime(now - timedelta(days=60), zone).replace(
            hour=10, minute=0, second=0, microsecond=0
        )
        scenario = drill_scenario_create(
            actor=ayu,
            title=SCENARIO_TITLE,
            description="Akun anonim menuduh kopi mengandung babi; tim berlatih menjawab dengan bukti "
            "sertifikat halal dan memoderasi komentar kasar.",
            severity=2,
            source_category="misinformation",
            injects=INJECTS,
            recurrence="FREQ=MONTHLY;BYDAY=1TU",
            recurrence_start=since,
        )
        drill = drill_schedule(actor=ayu, scenario_id=scenario.pk, scheduled_for=held)
        drill = drill_start(drill_id=drill.pk, actor=ayu, now=held)
        drill_injects_release_due(now=held + timedelta(hours=1))
        manager = RosterMember.objects.get_or_create(
            user=ayu,
            role=CrisisRole.CRISIS_MANAGER,
            defaults={"name": ayu.get_full_name() or ayu.email, "email": ayu.email},
        )[0]
        assignment_add(incident_id=drill.incident_id, actor=ayu, member_id=manager.pk)
        posts = {m.text: m for m in Mention.all_objects.filter(incident_links__incident_id=drill.incident_id)}
        question = posts[INJECTS[0]["text"]]
        reply = response_draft(
            actor=ayu,
            kind="reply",
            incident_id=drill.incident_id,
            mention_id=question.pk,
            language="id",
            text="Terima kasih sudah bertanya. Kami mohon maaf atas kebingungan ini: semua produk kami "
            "bersertifikat halal MUI, dan sertifikatnya bisa dilihat di situs kami.",
        )
        response_submit(response_id=reply.pk, actor=ayu)
        reply.refresh_from_db()
        if reply.state == reply.State.PENDING_APPROVAL:
            response_approve(response_id=reply.pk, actor=ayu)
        if guidelines_current() is not None:
            moderation_act(
                actor=ayu,
                mention_id=posts[INJECTS[2]["text"]].pk,
                action="hide",
                rule_number=1,
                reason="Menghina admin dan menuduh penipuan tanpa bukti.",
                incident_id=drill.incident_id,
            )
        for status in ("triaged", "responding", "resolved"):
            incident_transition(
                incident_id=drill.incident_id,
                actor=ayu,
                to_status=status,
                summary="Latihan selesai: rumor dijawab dengan sertifikat." if status == "resolved" else "",
            )
        drill_finish(
            drill_id=drill.pk,
            actor=ayu,
            debrief="Jawaban pertama cepat dan empatik; komentar kasar disembunyikan sesuai aturan 1. "
            "Perbaiki: siapkan tautan sertifikat halal di templat.",
        )
    waiting = Drill.objects.filter(scenario=scenario, recurring=True, state=Drill.State.SCHEDULED).first()
    next_at = (
        f"{timezone.localtime(waiting.scheduled_for, ZoneInfo(connection.tenant.timezone)):%Y-%m-%d %H:%M} "
        f"({connection.tenant.timezone})"
        if waiting
        else "none"
    )
    return f"drill {drill.incident.display_number} finished with {len(posts)} drill mentions; next drill {next_at}"
