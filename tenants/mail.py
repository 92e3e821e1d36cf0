"""Every email comes from the brand (or agency) it is about: the From header carries the brand's
sender name (or its name, or the agency's) with the platform's own sending address, and Reply-To
is the brand's reply-to address, else its agency's. The platform's address keeps SPF/DKIM aligned
while replies reach the people who run the brand. Build messages with `brand_email`; render their
text inside `tenants.localization.reader_context` for the recipient.

Every email leaves after the write that decided it commits, in one of two ways kept here:
`outbox_email_send` for an email a row records (sent once, never lost: the row is claimed, sent,
recorded), and `email_send_on_commit` for the few that no row records (a password reset link).
"""

from collections.abc import Callable
from email.utils import formataddr, parseaddr

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction

from tenants import outbox
from tenants.localization import current_brand


def _platform_sender() -> tuple[str, str]:
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return name or "Tanggap", address


def sender_address(*, brand=None, agency=None) -> str:
    """From: "<brand's sender name or name> <platform address>"; without a brand, the agency's
    name; without either, the platform's DEFAULT_FROM_EMAIL name."""
    default_name, address = _platform_sender()
    if brand is not None:
        name = (getattr(brand, "sender_name", "") or brand.name).strip()
    elif agency is not None:
        name = agency.name
    else:
        name = default_name
    # Header injection: a name is one line.
    name = " ".join(name.split())[:100] or default_name
    return formataddr((name, address))


def reply_to_addresses(*, brand=None, agency=None) -> list[str]:
    """Reply-To: the brand's address, else its agency's; empty when neither set one."""
    if brand is not None:
        if getattr(brand, "reply_to_email", ""):
            return [brand.reply_to_email]
        agency = agency or getattr(brand, "agency", None)
    if agency is not None and getattr(agency, "reply_to_email", ""):
        return [agency.reply_to_email]
    return []


def brand_email(
    *, subject: str, body: str, to: list[str], brand=None, agency=None, headers: dict | None = None
) -> EmailMessage:
    """An EmailMessage from `brand` (default: the current brand; None on the main host, then
    `agency`) with its Reply-To. The caller sends it (after commit, from an outbox row)."""
    brand = brand if brand is not None else current_brand()
    subject = " ".join(str(subject).split())  # a subject is one line
    return EmailMessage(
        subject,
        body,
        sender_address(brand=brand, agency=agency),
        list(to),
        reply_to=reply_to_addresses(brand=brand, agency=agency),
        headers=headers,
    )


def outbox_email_send(
    queryset, pk, *, message: Callable[[], EmailMessage | str], record: Callable[[], int]
) -> bool:
    """Send the email the outbox row `pk` of `queryset` records, once. The row is claimed first
    with a conditional UPDATE (committed), so a duplicate task run or a second worker sends
    nothing. `message()` builds the email, or returns the reason the row is no longer to be sent
    (then it is failed for good, nothing sent). A failed build or send makes the row pending again
    for the task's retry or the sweep, failed (with the reason) after the last attempt. Once the
    email went, `record()` marks the row sent through a database blip: releasing the claim then
    would send it twice. Returns whether this call sent it."""
    if not outbox.claim(queryset, pk):
        return False
    rows = queryset.model.objects
    try:
        built = message()
        if isinstance(built, str):
            outbox.release(rows, pk, error=built, permanent=True)
            return False
        built.send()
    except Exception as exc:
        outbox.release(rows, pk, error=f"{type(exc).__name__}: {exc}")
        raise
    outbox.with_database_retries(record)
    return True


def email_send_on_commit(message: EmailMessage) -> None:
    """Send an email that no row records once the current transaction commits (at once outside
    one): a rolled-back request sends nothing. Only for emails a person asks for again if lost
    (a password reset link); everything else is recorded and sent by `outbox_email_send`."""
    transaction.on_commit(message.send)
