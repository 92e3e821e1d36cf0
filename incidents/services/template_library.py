"""The default response-template library a brand starts from: each situation in English and
Indonesian, written to pass the empathy check, with the library's placeholders only."""

from django.db import transaction

from incidents.models import ResponseTemplate
from incidents.permissions import require_brand_action
from tenants.models import User

# (name, language, situation, kind, at_fault, body)
DEFAULT_TEMPLATES: tuple[tuple[str, str, str, str, bool, str], ...] = (
    (
        "Complaint",
        "en",
        "complaint",
        "reply",
        True,
        "Hi {customer_name}, we understand how disappointing this is. We're sorry for the problem with "
        "your {product}. We will replace it: please DM us your order number and we'll take care of it. "
        "— {agent}",
    ),
    (
        "Keluhan",
        "id",
        "complaint",
        "reply",
        True,
        "Halo Kak {customer_name}, kami memahami kekecewaan Kakak. Mohon maaf atas kendala pada "
        "{product}. Kami akan mengganti produknya, silakan kirimkan nomor pesanan melalui DM ya. "
        "Salam, {agent}",
    ),
    (
        "Misunderstanding",
        "en",
        "misunderstanding",
        "reply",
        False,
        "Hi {customer_name}, thank you for letting us know, and we understand the confusion. "
        "Here is how {product} works; please DM us if anything is still unclear and we'll help you "
        "right away. — {agent}",
    ),
    (
        "Salah paham",
        "id",
        "misunderstanding",
        "reply",
        False,
        "Halo Kak {customer_name}, terima kasih sudah menyampaikan, kami memahami kebingungannya. "
        "Berikut penjelasan tentang {product}; silakan kirimkan pertanyaan melalui DM dan kami akan "
        "segera membantu. Salam, {agent}",
    ),
    (
        "Rumour correction",
        "en",
        "rumour_correction",
        "statement",
        False,
        "We understand the concern about what is being shared about {product}. The claim is not "
        "true. Here are the facts: {facts} We will update you as soon as we know more; please DM us "
        "with any questions.",
    ),
    (
        "Klarifikasi rumor",
        "id",
        "rumour_correction",
        "statement",
        False,
        "Kami memahami kekhawatiran terkait informasi yang beredar tentang {product}. Informasi "
        "tersebut tidak benar. Berikut faktanya: {facts} Kami akan memberikan informasi terbaru, silakan "
        "kirimkan pertanyaan melalui DM.",
    ),
    (
        "Apology",
        "en",
        "apology",
        "statement",
        True,
        "We understand how much this has affected you. We're sorry: this is our mistake. We will "
        "refund every affected order and we will update you on what we change so it does not "
        "happen again.",
    ),
    (
        "Permintaan maaf",
        "id",
        "apology",
        "statement",
        True,
        "Kami memahami dampaknya bagi pelanggan. Kami mohon maaf, ini kesalahan kami. Kami akan "
        "mengganti semua pesanan yang terdampak dan akan memberikan informasi terbaru tentang "
        "perbaikan yang kami lakukan.",
    ),
    (
        "Move to DM",
        "en",
        "move_to_dm",
        "private_message",
        True,
        "Hi {customer_name}, we understand and we're sorry for the trouble. Please DM us your order "
        "number and phone number so we can sort this out for you personally. — {agent}",
    ),
    (
        "Pindah ke DM",
        "id",
        "move_to_dm",
        "private_message",
        True,
        "Halo Kak {customer_name}, kami memahami dan mohon maaf atas kendalanya. Silakan kirimkan "
        "nomor pesanan dan nomor telepon melalui DM agar kami bisa membantu Kakak secara langsung. "
        "Salam, {agent}",
    ),
    (
        "Holding statement",
        "en",
        "holding",
        "holding_statement",
        False,
        "We understand customers are worried about reports concerning {product}. We are "
        "investigating and will update you by 17:00 WIB today.",
    ),
    (
        "Pernyataan sementara",
        "id",
        "holding",
        "holding_statement",
        False,
        "Kami memahami kekhawatiran pelanggan terkait laporan tentang {product}. Kami sedang "
        "menelusuri dan akan memberikan informasi terbaru paling lambat pukul 17.00 WIB hari ini.",
    ),
)


@transaction.atomic
def response_templates_seed_defaults(*, actor: User | None) -> int:
    """Add the default templates the brand does not have yet (by name and language); returns how
    many were added. Safe to repeat; edited templates are left alone."""
    require_brand_action(actor, "draft_response")
    have = set(ResponseTemplate.objects.values_list("name", "language"))
    new = [
        ResponseTemplate(name=name, language=language, situation=situation, kind=kind, body=body)
        for name, language, situation, kind, _at_fault, body in DEFAULT_TEMPLATES
        if (name, language) not in have
    ]
    ResponseTemplate.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)
