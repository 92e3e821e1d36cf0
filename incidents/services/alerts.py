"""Alerts: raised or updated from detector findings (one live alert per condition, enforced by a
partial unique constraint), acknowledged, dismissed with a reason. Raising or escalating an alert
notifies the crisis team in the app and by email and emits a signed webhook event. A threat or
doxxing mention raises its own high-severity alert at intake and also tells the roster's crisis
managers and legal (outside contacts by email)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from incidents.detectors import Finding, detectors_quiet, detectors_run
from incidents.models import Alert, CrisisRole, RosterMember
from incidents.selectors_early_warning import detector_settings_get
from incidents.services.notifications import email_contacts, notify
from incidents.services.one_crisis import alerts_resolve_ended
from incidents.services.webhooks import webhook_emit
from incidents.tasks import one_crisis as one_crisis_tasks
from tenants import outbox
from tenants.errors import DomainError
from tenants.localization import stored_text
from tenants.models import BrandGrant

RAISED, UPDATED, ESCALATED, SUPPRESSED = "raised", "updated", "escalated", "suppressed"


def alert_link(alert: Alert) -> str:
    """The alert's page in the brand admin, on the brand's own host."""
    return connection.tenant.url(f"/admin/incidents/alert/{alert.pk}/change/")


def alert_payload(alert: Alert) -> dict:
    """The alert as webhook receivers get it. `severity` is on the one scale (tenants/severity.py:
    1 = SEV1 critical … 4 = SEV4 low, lower is worse), `severity_label` its label."""
    return {
        "id": str(alert.pk),
        "brand": getattr(connection.tenant, "slug", ""),
        "detector": alert.detector,
        "condition_key": alert.condition_key,
        "state": alert.state,
        "severity": alert.severity,
        "severity_label": Alert.Severity(alert.severity).label,
        "title": alert.title,
        "window_start": alert.window_start,
        "window_end": alert.window_end,
        "evidence": alert.evidence,
        "raised_at": alert.raised_at,
        "last_seen_at": alert.last_seen_at,
        "link": alert_link(alert),
    }


def _announce(alert: Alert, *, event: str) -> None:
    # Stored as message ids and parameters: each person reads it in their language and the brand's
    # zone (tenants.localization), outside contacts in the brand's language.
    severity = Alert.Severity(alert.severity).label
    detector = Alert.Detector(alert.detector).label
    body = stored_text(
        _(
            "An early-warning alert was %(verb)s for %(brand)s.\n\n%(title)s\nDetector: %(detector)s\n"
            "Severity: %(severity)s\nWindow: %(start)s – %(end)s\n"
        ),
        verb=pgettext_lazy("alert", "raised")
        if event == "alert.raised"
        else pgettext_lazy("alert", "escalated"),
        brand=connection.tenant.name,
        title=alert.title,
        detector=detector,
        severity=severity,
        start=alert.window_start,
        end=alert.window_end,
    )
    subject = stored_text(
        _("[%(severity)s] %(detector)s: %(title)s"),
        severity=severity,
        detector=detector,
        title=alert.title[:200],
    )
    roster = _threat_roster() if alert.detector == Alert.Detector.THREAT else []
    notify(
        subject=subject,
        body=body,
        link=alert_link(alert),
        roles=BrandGrant.STAFF_ROLES,
        users=[member.user for member in roster if member.user_id],
    )
    # Outside contacts on the roster (the client's legal counsel) have no account, so the admin's
    # page is no use to them: they get the post itself, which they can open, and whom to answer.
    email_contacts(
        subject=subject,
        body=_contact_body(alert, body),
        emails=[member.email for member in roster if not member.user_id],
    )
    webhook_emit(event=event, payload=alert_payload(alert))
    # Above the brand's crisis threshold an incident opens by itself (the crisis services decide).
    outbox.hand_over_on_commit(one_crisis_tasks.incident_auto_open_task, str(alert.pk))


def _contact_body(alert: Alert, body) -> dict:
    """The alert as an outside contact reads it: the public post's own link (when the source gave
    one) and the crisis managers to answer, never a page that needs an account."""
    managers = ", ".join(
        f"{m.name} <{m.contact_email}>"
        for m in RosterMember.objects.filter(is_active=True, role=CrisisRole.CRISIS_MANAGER).select_related(
            "user"
        )
        if m.contact_email
    )
    post = (alert.evidence or {}).get("url") or ""
    return stored_text(
        _("%(body)s\nThe post: %(post)s\nThe brand's crisis managers: %(managers)s\n"),
        body=body,
        post=post or "—",
        managers=managers or "—",
    )


THREAT_ROSTER_ROLES = (CrisisRole.CRISIS_MANAGER, CrisisRole.LEGAL)


def _threat_roster() -> list[RosterMember]:
    """Active roster members a threat must reach: crisis managers and legal."""
    return list(
        RosterMember.objects.filter(is_active=True, role__in=THREAT_ROSTER_ROLES).select_related("user")
    )


def threat_alerts_raise(*, mentions, now: datetime | None = None) -> list[tuple[Alert | None, str]]:
    """Raise a high-severity alert for each mention found threatening violence, harm or doxxing
    (intake calls this in its own transaction). One alert per mention, so a resend updates it and
    a dismissed one stays quiet for the cooldown."""
    now = now or timezone.now()
    results = []
    for mention in mentions:
        excerpt = " ".join(mention.text.split())[:200]
        finding = Finding(
            detector=Alert.Detector.THREAT,
            condition_key=f"threat:{mention.platform}:{mention.external_id}",
            severity=Alert.Severity.HIGH,
            title=f"Threat from {mention.author_handle or 'an unknown author'} on {mention.platform}: {excerpt}",
            window_start=mention.posted_at,
            window_end=mention.posted_at,
            evidence={
                "mention_id": str(mention.mention_id),
                "platform": mention.platform,
                "external_id": mention.external_id,
                "author_handle": mention.author_handle,
                "text": mention.text[:2000],
                "url": mention.url,
            },
        )
        results.append(alert_raise_or_update(finding=finding, now=now))
    return results


def _suppressed(finding: Finding, *, now: datetime, cooldown: timedelta) -> bool:
    """A condition staff dismissed (or turned into an incident) lately stays quiet unless worse."""
    return Alert.objects.filter(
        detector=finding.detector,
        condition_key=finding.condition_key,
        state__in=[Alert.State.DISMISSED, Alert.State.INCIDENT_OPENED],
        updated_at__gte=now - cooldown,
        severity__in=Alert.Severity.at_or_worse(finding.severity),
    ).exists()


def _update(alert: Alert, finding: Finding, *, now: datetime) -> str:
    escalated = Alert.Severity.is_worse(finding.severity, than=alert.severity)
    alert.severity = Alert.Severity.worst(alert.severity, finding.severity)
    alert.title = finding.title[:300]
    alert.window_end = finding.window_end
    alert.evidence = finding.evidence
    alert.last_seen_at = now
    alert.update_count += 1
    alert.save()
    if escalated:
        _announce(alert, event="alert.updated")
        return ESCALATED
    return UPDATED


@transaction.atomic
def alert_raise_or_update(
    *, finding: Finding, now: datetime | None = None, cooldown: timedelta | None = None
):
    """Raise an alert for `finding`, or update the live one for the same condition. Returns
    (alert or None, outcome). Two concurrent sweeps cannot both raise: the partial unique
    constraint refuses the second insert, which then updates the first one's alert."""
    now = now or timezone.now()
    if cooldown is None:
        cooldown = timedelta(minutes=detector_settings_get().alert_cooldown_minutes)
    active = Alert.objects.select_for_update().filter(
        detector=finding.detector, condition_key=finding.condition_key, state__in=Alert.ACTIVE_STATES
    )
    alert = active.first()
    if alert is not None:
        return alert, _update(alert, finding, now=now)
    if _suppressed(finding, now=now, cooldown=cooldown):
        return None, SUPPRESSED
    try:
        with transaction.atomic():
            alert = Alert.objects.create(
                detector=finding.detector,
                condition_key=finding.condition_key[:200],
                severity=finding.severity,
                title=finding.title[:300],
                window_start=finding.window_start,
                window_end=finding.window_end,
                evidence=finding.evidence,
                last_seen_at=now,
            )
    except IntegrityError:
        alert = active.get()
        return alert, _update(alert, finding, now=now)
    _announce(alert, event="alert.raised")
    return alert, RAISED


def detectors_sweep(*, now: datetime | None = None) -> list[tuple[Alert | None, str]]:
    """Run every detector for the current brand and raise or update its alerts."""
    now = now or timezone.now()
    settings = detector_settings_get()
    if detectors_quiet(settings=settings, now=now):
        return []
    cooldown = timedelta(minutes=settings.alert_cooldown_minutes)
    findings = detectors_run(now=now, settings=settings)
    results = [alert_raise_or_update(finding=finding, now=now, cooldown=cooldown) for finding in findings]
    # A condition this sweep no longer sees has ended: its alert resolves itself.
    with transaction.atomic():
        alerts_resolve_ended(seen={(f.detector, f.condition_key[:200]) for f in findings}, now=now)
    return results


@transaction.atomic
def alert_acknowledge(*, alert_id, actor=None) -> Alert:
    """Staff have seen the alert and are on it. Safe to repeat."""
    alert = Alert.objects.select_for_update().get(pk=alert_id)
    if alert.state == Alert.State.ACKNOWLEDGED:
        return alert
    if alert.state != Alert.State.OPEN:
        raise DomainError(
            f"Only an open alert can be acknowledged; this one is {alert.get_state_display().lower()}."
        )
    alert.state = Alert.State.ACKNOWLEDGED
    alert.acknowledged_at = timezone.now()
    alert.acknowledged_by = actor if getattr(actor, "pk", None) else None
    alert.save(update_fields=["state", "acknowledged_at", "acknowledged_by", "updated_at"])
    webhook_emit(event="alert.acknowledged", payload=alert_payload(alert))
    return alert


@transaction.atomic
def alert_dismiss(*, alert_id, reason: str, actor=None) -> Alert:
    """Close the alert as not a crisis, with the reason. Safe to repeat."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("Give a reason for dismissing the alert.", field_errors={"reason": ["Required."]})
    alert = Alert.objects.select_for_update().get(pk=alert_id)
    if alert.state == Alert.State.DISMISSED:
        return alert
    if alert.state not in Alert.ACTIVE_STATES:
        raise DomainError(f"This alert is {alert.get_state_display().lower()}; it cannot be dismissed.")
    alert.state = Alert.State.DISMISSED
    alert.dismissed_at = timezone.now()
    alert.dismissed_by = actor if getattr(actor, "pk", None) else None
    alert.dismiss_reason = reason[:4000]
    alert.save(update_fields=["state", "dismissed_at", "dismissed_by", "dismiss_reason", "updated_at"])
    webhook_emit(event="alert.dismissed", payload=alert_payload(alert))
    return alert
