"""The survey templates staff and integrations start from, in English and Bahasa Indonesia.
`{brand}` in a text is replaced by the brand's name when a survey is made from the template."""

from surveys.models import Question

K = Question.Kind

_CONSENT = {
    "kind": K.CONSENT,
    "required": False,
    "text_en": "May we quote your feedback on {brand}'s channels? You choose how we name you.",
    "text_id": "Bolehkah kami mengutip masukan Anda di kanal {brand}? Anda memilih bagaimana kami menyebut Anda.",
}

SURVEY_TEMPLATES: dict[str, dict] = {
    # Sent by a post-crisis review to the customers an incident affected (incidents asks for it
    # through surveys.services.invitations.survey_send_for_incident).
    "post_crisis": {
        "title_en": "How did {brand} handle the recent problem?",
        "title_id": "Bagaimana {brand} menangani masalah baru-baru ini?",
        "intro_en": "You were affected by a recent problem at {brand}. Tell us how we handled it.",
        "intro_id": "Anda terdampak masalah di {brand} baru-baru ini. Sampaikan bagaimana kami menanganinya.",
        "questions": [
            {
                "kind": K.CSAT,
                "text_en": "How satisfied are you with how {brand} handled the problem?",
                "text_id": "Seberapa puas Anda dengan cara {brand} menangani masalah tersebut?",
                "help_en": "1 = very dissatisfied, 5 = very satisfied",
                "help_id": "1 = sangat tidak puas, 5 = sangat puas",
            },
            {
                "kind": K.NPS,
                "text_en": "How likely are you to recommend {brand} to a friend or colleague?",
                "text_id": "Seberapa besar kemungkinan Anda merekomendasikan {brand} kepada teman atau kolega?",
                "help_en": "0 = not at all likely, 10 = extremely likely",
                "help_id": "0 = sangat tidak mungkin, 10 = sangat mungkin",
            },
            {
                "kind": K.LONG_TEXT,
                "required": False,
                "text_en": "What could we have done better?",
                "text_id": "Apa yang bisa kami lakukan dengan lebih baik?",
            },
        ],
    },
    "csat_after_complaint": {
        "title_en": "How did we handle your complaint?",
        "title_id": "Bagaimana kami menangani keluhan Anda?",
        "intro_en": "You recently contacted {brand}. Two minutes of your time helps us do better.",
        "intro_id": "Anda baru saja menghubungi {brand}. Dua menit waktu Anda membantu kami menjadi lebih baik.",
        "questions": [
            {
                "kind": K.CSAT,
                "text_en": "How satisfied are you with how {brand} handled your complaint?",
                "text_id": "Seberapa puas Anda dengan cara {brand} menangani keluhan Anda?",
                "help_en": "1 = very dissatisfied, 5 = very satisfied",
                "help_id": "1 = sangat tidak puas, 5 = sangat puas",
            },
            {
                "kind": K.CES,
                "text_en": "How easy was it to get your issue resolved?",
                "text_id": "Seberapa mudah masalah Anda diselesaikan?",
                "help_en": "1 = very difficult, 7 = very easy",
                "help_id": "1 = sangat sulit, 7 = sangat mudah",
            },
            {
                "kind": K.SINGLE_CHOICE,
                "text_en": "Was your issue resolved?",
                "text_id": "Apakah masalah Anda sudah terselesaikan?",
                "options": [("Yes", "Ya"), ("Partly", "Sebagian"), ("No", "Belum")],
            },
            {
                "kind": K.LONG_TEXT,
                "required": False,
                "text_en": "What could we have done better?",
                "text_id": "Apa yang bisa kami lakukan dengan lebih baik?",
            },
            _CONSENT,
        ],
    },
    "nps_quarterly": {
        "title_en": "Would you recommend {brand}?",
        "title_id": "Apakah Anda akan merekomendasikan {brand}?",
        "intro_en": "Our quarterly check-in: tell us honestly how we are doing.",
        "intro_id": "Survei triwulanan kami: sampaikan dengan jujur bagaimana kinerja kami.",
        "questions": [
            {
                "kind": K.NPS,
                "text_en": "How likely are you to recommend {brand} to a friend or colleague?",
                "text_id": "Seberapa besar kemungkinan Anda merekomendasikan {brand} kepada teman atau kolega?",
                "help_en": "0 = not at all likely, 10 = extremely likely",
                "help_id": "0 = sangat tidak mungkin, 10 = sangat mungkin",
            },
            {
                "kind": K.MULTIPLE_CHOICE,
                "required": False,
                "text_en": "What do you value most about {brand}?",
                "text_id": "Apa yang paling Anda hargai dari {brand}?",
                "options": [
                    ("Product quality", "Kualitas produk"),
                    ("Price", "Harga"),
                    ("Customer service", "Layanan pelanggan"),
                    ("How the brand communicates", "Cara merek berkomunikasi"),
                ],
            },
            {
                "kind": K.LONG_TEXT,
                "required": False,
                "text_en": "What is the main reason for your score?",
                "text_id": "Apa alasan utama Anda memberi nilai tersebut?",
            },
            _CONSENT,
        ],
    },
}
