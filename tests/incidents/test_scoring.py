"""Mention scoring: sentiment bands, Indonesian negation and intensifiers, language and risk flags."""

import csv
from collections import Counter
from pathlib import Path

import pytest

from incidents.scoring import (
    NEGATIVE_THRESHOLD,
    POSITIVE_THRESHOLD,
    Score,
    detect_language,
    score_batch,
    score_text,
)

LABELLED = Path(__file__).parent / "data" / "sentiment_labelled.tsv"
HELD_OUT = Path(__file__).parent / "data" / "sentiment_heldout.tsv"
ACCURACY_FLOOR = 0.85
# Floors on the held-out part, a little below what the scorer reaches there (see
# docs/early-warning.md for the figures); the targets are 0.85 id / 0.80 en macro-F1,
# threat recall 0.85 at precision 0.8, abuse recall 0.85.
HELD_OUT_MACRO_F1_FLOOR = {"id": 0.87, "en": 0.80}
HELD_OUT_ACCURACY_FLOOR = {"id": 0.88, "en": 0.81}
THREAT_RECALL_FLOOR, THREAT_PRECISION_FLOOR = 0.95, 0.95
ABUSE_RECALL_FLOOR, ABUSE_PRECISION_FLOOR = 0.95, 0.90
BANDS = ("negative", "neutral", "positive")


def _labelled() -> list[tuple[str, str, str]]:
    with LABELLED.open(encoding="utf-8") as handle:
        rows = csv.reader((line for line in handle if not line.startswith("#")), delimiter="\t")
        return [(row[0], row[1], row[2]) for row in rows]


def _held_out() -> list[tuple[str, str, str, bool, bool]]:
    with HELD_OUT.open(encoding="utf-8") as handle:
        rows = csv.reader((line for line in handle if not line.startswith("#")), delimiter="\t")
        return [
            (text, lang, band, threat == "yes", abuse == "yes") for text, lang, band, threat, abuse in rows
        ]


def _macro_f1(pairs: list[tuple[str, str]]) -> float:
    scores = []
    for band in BANDS:
        tp = sum(1 for gold, got in pairs if gold == band and got == band)
        fp = sum(1 for gold, got in pairs if gold != band and got == band)
        fn = sum(1 for gold, got in pairs if gold == band and got != band)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        scores.append(2 * precision * recall / (precision + recall) if precision + recall else 0.0)
    return sum(scores) / len(scores)


def _precision_recall(pairs: list[tuple[bool, bool]]) -> tuple[float, float]:
    tp = sum(1 for gold, got in pairs if gold and got)
    fp = sum(1 for gold, got in pairs if not gold and got)
    fn = sum(1 for gold, got in pairs if gold and not got)
    return (tp / (tp + fp) if tp + fp else 0.0, tp / (tp + fn) if tp + fn else 0.0)


def test_each_language_has_400_labelled_texts_split_into_tuning_and_held_out():
    tuning = Counter(language for _, language, _ in _labelled())
    held_out = Counter(row[1] for row in _held_out())
    for language in ("id", "en"):
        assert held_out[language] >= 200
        assert tuning[language] + held_out[language] >= 400
    tuning_texts = {text for text, _, _ in _labelled()}
    assert not tuning_texts & {row[0] for row in _held_out()}, "a held-out text leaked into tuning"


def test_held_out_figures_per_language_and_for_threat_and_abuse(record_property):
    """The floor that counts: text the lexicon was never tuned on. Prints the figures."""
    rows = _held_out()
    scores = score_batch([(text, None) for text, *_ in rows])
    misses = []
    for language in ("id", "en"):
        pairs = [(row[2], score.band) for row, score in zip(rows, scores, strict=True) if row[1] == language]
        accuracy = sum(gold == got for gold, got in pairs) / len(pairs)
        macro_f1 = _macro_f1(pairs)
        print(f"held-out {language}: accuracy {accuracy:.3f}, macro-F1 {macro_f1:.3f} (n={len(pairs)})")
        record_property(f"heldout_accuracy_{language}", round(accuracy, 3))
        record_property(f"heldout_macro_f1_{language}", round(macro_f1, 3))
        assert accuracy >= HELD_OUT_ACCURACY_FLOOR[language], language
        assert macro_f1 >= HELD_OUT_MACRO_F1_FLOOR[language], language
    for (text, language, band, *_), score in zip(rows, scores, strict=True):
        if score.band != band:
            misses.append(f"  [{language}] expected {band}, got {score.band}: {text}")
    print("misses:", *misses, sep="\n")
    threat = _precision_recall([(row[3], score.is_threat) for row, score in zip(rows, scores, strict=True)])
    abuse = _precision_recall([(row[4], score.is_abuse) for row, score in zip(rows, scores, strict=True)])
    for name, (precision, recall) in (("threat", threat), ("abuse", abuse)):
        print(f"held-out {name}: precision {precision:.3f}, recall {recall:.3f}")
        record_property(f"heldout_{name}_precision", round(precision, 3))
        record_property(f"heldout_{name}_recall", round(recall, 3))
    assert threat[1] >= THREAT_RECALL_FLOOR and threat[0] >= THREAT_PRECISION_FLOOR
    assert abuse[1] >= ABUSE_RECALL_FLOOR and abuse[0] >= ABUSE_PRECISION_FLOOR
    # A threat or abuse is never counted as anything but negative.
    assert all(score.band == "negative" for score in scores if score.is_threat or score.is_abuse)


def test_labelled_set_is_big_enough_to_mean_something():
    counts = Counter(language for _, language, _ in _labelled())
    assert counts["id"] >= 60
    assert counts["en"] >= 40


def test_labelled_accuracy_per_language(record_property):
    rows = _labelled()
    scores = score_batch([(text, language) for text, language, _ in rows])
    correct, total, misses = Counter(), Counter(), []
    for (text, language, expected), score in zip(rows, scores, strict=True):
        total[language] += 1
        if score.band == expected:
            correct[language] += 1
        else:
            misses.append(f"  [{language}] expected {expected}, got {score.band}: {text}")
    accuracy = {language: correct[language] / total[language] for language in total}
    for language, value in sorted(accuracy.items()):
        print(f"sentiment accuracy {language}: {value:.3f} ({correct[language]}/{total[language]})")
        record_property(f"sentiment_accuracy_{language}", round(value, 3))
    print("misses:", *misses, sep="\n")
    assert accuracy["id"] >= ACCURACY_FLOOR
    assert accuracy["en"] >= ACCURACY_FLOOR


def test_language_detection_on_the_labelled_set(record_property):
    rows = _labelled()
    accuracy = sum(detect_language(text) == language for text, language, _ in rows) / len(rows)
    print(f"language detection accuracy: {accuracy:.3f}")
    record_property("language_detection_accuracy", round(accuracy, 3))
    assert accuracy >= 0.95


def test_bands_follow_the_vader_thresholds():
    assert (NEGATIVE_THRESHOLD, POSITIVE_THRESHOLD) == (-0.05, 0.05)
    for text, language in [("bagus", "id"), ("jelek", "id"), ("great", "en"), ("awful", "en")]:
        score = score_text(text, language)
        assert -1.0 <= score.sentiment <= 1.0
        expected = "positive" if score.sentiment >= 0.05 else "negative"
        assert score.band == expected


@pytest.mark.parametrize(
    ("positive", "negated"),
    [
        ("bagus", "nggak bagus"),
        ("puas", "tidak puas"),
        ("memuaskan", "kurang memuaskan"),
        ("ramah", "gak ramah"),
        ("sesuai", "belum sesuai"),
        ("bagus", "kurang bagus"),
    ],
)
def test_negation_flips_an_indonesian_sentiment_word(positive, negated):
    assert score_text(positive, "id").band == "positive"
    assert score_text(negated, "id").band == "negative"


def test_negating_a_negative_word_reads_positive():
    assert score_text("saya tidak kecewa", "id").band == "positive"
    assert score_text("gak nyesel beli di sini", "id").band == "positive"


def test_negation_reaches_three_tokens_but_stops_at_a_comma():
    assert score_text("nggak ada yang bagus", "id").band == "negative"
    assert score_text("nggak pakai lama, bagus", "id").band == "positive"


def test_tidak_hanya_is_not_a_negation():
    assert score_text("tidak hanya murah tapi juga awet", "id").band == "positive"


def test_bukan_main_intensifies_instead_of_negating():
    assert score_text("bukan main bagusnya", "id").sentiment > score_text("bagus", "id").sentiment


@pytest.mark.parametrize(
    ("plain", "intensified"),
    [
        ("bagus", "bagus banget"),
        ("bagus", "sangat bagus"),
        ("kecewa", "kecewa sekali"),
        ("lemot", "lemot bgt"),
        ("keren", "keren parah"),
    ],
)
def test_intensifier_increases_magnitude(plain, intensified):
    assert abs(score_text(intensified, "id").sentiment) > abs(score_text(plain, "id").sentiment)
    assert score_text(intensified, "id").band == score_text(plain, "id").band


def test_dampener_decreases_magnitude_without_flipping():
    plain, dampened = score_text("kecewa", "id"), score_text("agak kecewa", "id")
    assert plain.sentiment < dampened.sentiment < 0


def test_a_doubled_letter_inside_a_word_is_spelling_not_emphasis():
    # "latte" once folded to "late", a complaint word.
    score = score_text("The latte was great", "en")
    assert not score.is_complaint and score.band == "positive"
    assert score_text("mantapp", "id").band == "positive"


def test_repeated_letters_and_reduplication_fold_to_the_lexicon_word():
    assert score_text("bagusss", "id").sentiment == score_text("bagus", "id").sentiment
    assert score_text("mantappp", "id").sentiment == score_text("mantap", "id").sentiment
    assert score_text("kecewa-kecewa", "id").band == "negative"
    assert score_text("kecewa2", "id").band == "negative"


def test_slang_is_scored():
    for word in ["mantul", "kece", "keren"]:
        assert score_text(word, "id").band == "positive", word
    for word in [
        "jelek",
        "parah",
        "ampas",
        "zonk",
        "nyesel",
        "kapok",
        "lemot",
        "lelet",
        "ribet",
        "php",
    ]:
        assert score_text(word, "id").band == "negative", word


def test_text_without_sentiment_words_is_neutral():
    for text, language in [("pesanan atas nama Rina", "id"), ("The store is on Main Street", "en")]:
        assert score_text(text, language).band == "neutral"


@pytest.mark.parametrize(
    "text",
    [
        "barangnya bagus banget kak",
        "paket saya belum sampai",
        "kenapa pesanan saya dibatalkan",
        "min tolong dibantu dong",
        "udah transfer tapi belum dikirim",
        "mantap, makasih ya",
        "pelayanannya lemot banget",
        "aku kecewa sama produk ini",
        "gimana cara refund nya?",
        "ga nyesel beli di sini",
        "keren",
    ],
)
def test_detects_indonesian(text):
    assert detect_language(text) == "id"
    assert score_text(text).language == "id"


@pytest.mark.parametrize(
    "text",
    [
        "my order never arrived",
        "this is the best coffee in town",
        "why is the app so slow today?",
        "thank you for the quick reply",
        "I want a refund",
        "the staff were rude to me",
        "where can I find the receipt",
        "not happy with the service",
        "great job team",
        "it broke after two days",
    ],
)
def test_detects_english(text):
    assert detect_language(text) == "en"


def test_language_ties_default_to_english():
    assert detect_language("12345") == "en"
    assert detect_language("") == "en"


def test_explicit_language_skips_detection_and_is_validated():
    assert score_text("bagus", "en").language == "en"
    with pytest.raises(ValueError):
        score_text("bagus", "fr")


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("dasar goblok admin nya", "id"),
        ("bangsat, balikin duit gue", "id"),
        ("you guys are fucking useless", "en"),
        ("what an idiot", "en"),
    ],
)
def test_abuse_flag_fires(text, language):
    assert score_text(text, language).is_abuse


@pytest.mark.parametrize(
    ("text", "language"),
    [("adminnya kurang responsif", "id"), ("the staff could be friendlier", "en")],
)
def test_abuse_flag_stays_off_for_plain_criticism(text, language):
    assert not score_text(text, language).is_abuse


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("awas lu, gue tau rumahmu", "id"),
        ("kalau nggak direfund gue bakar tokonya", "id"),
        ("sebar alamat owner nya biar diserbu", "id"),
        ("I know where you live", "en"),
        ("I'm going to kill you", "en"),
    ],
)
def test_threat_flag_fires(text, language):
    assert score_text(text, language).is_threat


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("saya akan laporkan ke YLKI", "id"),
        ("ayam bakar nya enak", "id"),
        ("I will report you to consumer protection", "en"),
        ("this deal is killer", "en"),
    ],
)
def test_threat_flag_stays_off_for_legal_threats_and_harmless_words(text, language):
    assert not score_text(text, language).is_threat


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("paket belum sampai padahal udah seminggu", "id"),
        ("paketnya gk sampai sampai", "id"),
        ("barangnya rusak, minta refund", "id"),
        ("kecewa sama pelayanannya", "id"),
        ("my parcel never arrived", "en"),
        ("I was charged twice", "en"),
        ("the blender is broken", "en"),
    ],
)
def test_complaint_flag_fires(text, language):
    assert score_text(text, language).is_complaint


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("saya tidak kecewa sama sekali", "id"),
        ("barang bagus, makasih kak", "id"),
        ("love the new flavour", "en"),
    ],
)
def test_complaint_flag_stays_off_without_a_problem(text, language):
    assert not score_text(text, language).is_complaint


def test_a_complaint_without_sentiment_words_is_negative():
    assert score_text("paket belum sampai", "id").band == "negative"
    assert score_text("my order never arrived", "en").band == "negative"


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("kapan restock min", "id"),
        ("gimana cara klaim garansi", "id"),
        ("apakah bisa COD", "id"),
        ("bisakah dikirim hari ini", "id"),
        ("ada yang tau", "id"),
        ("How do I reset my password", "en"),
        ("is this still available", "en"),
        ("ok thanks?", "en"),
    ],
)
def test_question_flag_fires(text, language):
    assert score_text(text, language).is_question


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("enak kok, mantap", "id"),
        ("barang sudah sampai", "id"),
        ("when I opened the box it was broken", "en"),
        ("do not buy this", "en"),
    ],
)
def test_question_flag_stays_off_for_statements(text, language):
    assert not score_text(text, language).is_question


def test_score_batch_matches_score_text_in_order():
    pairs = [("bagus", "id"), ("awful service", None), ("kapan sampai?", None)]
    assert score_batch(pairs) == [score_text(text, language) for text, language in pairs]
    assert all(isinstance(score, Score) for score in score_batch(pairs))


def test_score_batch_scores_a_large_mixed_batch_in_order():
    # Throughput is measured by bench/scoring.py, not asserted here.
    texts = [(text, None) for text, _, _ in _labelled()]
    batch = texts * (5_000 // len(texts) + 1)
    scores = score_batch(batch)
    assert len(scores) == len(batch)
    assert scores[: len(texts)] == [score_text(text, None) for text, _ in texts]


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("mantap, nunggu 2 jam doang buat kopi susu 😑", "id"),
        ("Hebat ya @TerbangAir, delay 4 jam tanpa info apa2. Makasih loh 🙃", "id"),
        ("makasih loh udah bikin gw ketinggalan pesawat", "id"),
        ("keren bgt ya, nelpon cs 5x gak ada yang angkat", "id"),
        ("Oh great, the 'fix' made the app even slower. Brilliant.", "en"),
        ("Love waiting 40 minutes for a coffee 🙃", "en"),
        ("Thanks for nothing", "en"),
        ("Fantastic, now the app won't even open", "en"),
        ('Great, my "express" order is still in the warehouse 👍', "en"),
        ("Your app update deleted all my saved addresses, thanks for that", "en"),
    ],
)
def test_sarcasm_reads_negative(text, language):
    assert score_text(text, language).band == "negative"


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("makasih kak, refundnya sudah masuk 🙏", "id"),
        ("mantap min, pesanan sampai lebih cepat dari estimasi", "id"),
        ("Thanks, the refund came through today", "en"),
        ("Great service at the lounge, staff were lovely", "en"),
    ],
)
def test_sincere_praise_stays_positive(text, language):
    assert score_text(text, language).band == "positive"


@pytest.mark.parametrize(
    ("text", "language", "band"),
    [
        ("Jangan bohong dong", "id", "negative"),
        ("jangan beli di sini, barangnya palsu", "id", "negative"),
        ("jangan ragu order di sini", "id", "positive"),
        ("gak ada masalah sama sekali", "id", "positive"),
        ("nggak nyesel beli di sini", "id", "positive"),
        ("bukan main enaknya", "id", "positive"),
        ("Never had a single problem with this bank", "en", "positive"),
        ("No issues at all", "en", "positive"),
        ("Not bad at all", "en", "positive"),
        ("Not worth the money", "en", "negative"),
        # A negator before a verb does not deny the problem after it.
        ("CS nya cuma copas template, gak baca keluhan gw", "id", "negative"),
        ("CS nya cepat tanggap, masalah tagihan langsung clear", "id", "positive"),
    ],
)
def test_negation_scope_in_both_languages(text, language, band):
    assert score_text(text, language).band == band


@pytest.mark.parametrize(
    ("text", "language", "band"),
    [
        ("🤢", "id", "negative"),
        ("😡😡", "en", "negative"),
        ("😍", "en", "positive"),
        ("jijik", "id", "negative"),
    ],
)
def test_emoji_and_disgust_carry_sentiment(text, language, band):
    assert score_text(text, language).band == band


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("The store will be closed on Monday for the public holiday", "en"),
        ("Is delivery free?", "en"),
        ("No flights to Bali on Friday due to the weather", "en"),
        ("gerai tutup hari Senin karena libur nasional", "id"),
        ("tidak ada penerbangan hari Jumat karena cuaca", "id"),
    ],
)
def test_neutral_facts_stay_neutral(text, language):
    assert score_text(text, language).band == "neutral"


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Your agents are complete idiots", "en"),
        ("morons running this airline", "en"),
        ("F*** this bank", "en"),
        ("F***ing useless app", "en"),
        ("sh!t support", "en"),
        ("You're all a bunch of idi0ts", "en"),
        ("a*jing emang nih provider", "id"),
        ("g0bl0k, salah kirim lagi", "id"),
        ("cs nya tolol-tolol", "id"),
        ("otak udang semua yang kerja di sini", "id"),
    ],
)
def test_abuse_allows_plurals_masking_and_leet(text, language):
    score = score_text(text, language)
    assert score.is_abuse
    assert score.band == "negative"


@pytest.mark.parametrize(
    ("text", "language"),
    [("Fucking love this coffee", "en"), ("Damn, that pizza was good", "en"), ("pedesnya nampol 🔥", "id")],
)
def test_profanity_that_praises_is_not_abuse(text, language):
    score = score_text(text, language)
    assert not score.is_abuse
    assert score.band == "positive"


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("gue hajar tuh kurir kalo ketemu", "id"),
        ("kurirnya mau gw pukulin rame2", "id"),
        ("awas aja, gw samperin kantor lo terus gw gebukin satpamnya", "id"),
        ("gue sebarin data pribadi CEO kalian", "id"),
        ("nomor KTP sama alamat si admin udah gw dapet, tinggal gw sebar", "id"),
        ("gw bawa golok ke outlet lo", "id"),
        ("gue tau rumah lo", "id"),
        ("rumahnya gw tau, tunggu aja", "id"),
        ("I'm going to burn this store down", "en"),
        ("Next time I see that driver I'll beat him up", "en"),
        ("Posting the home address and phone number of the agent who hung up on me", "en"),
        ("I know where your manager lives", "en"),
        ("Keep ignoring me and I'll come down there with a knife", "en"),
        ("I will find out where that rude agent lives", "en"),
    ],
)
def test_threats_with_slang_and_words_in_between_fire_and_read_negative(text, language):
    score = score_text(text, language)
    assert score.is_threat
    assert score.band == "negative"


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("pedesnya bikin mati tapi nagih", "id"),
        ("kopi ini membunuh kantuk gw tiap pagi", "id"),
        ("gw mau bakar sate di rumah", "id"),
        ("bakal gw viralin kalo gak ditanggapi", "id"),
        ("This burger is to die for", "en"),
        ("Killer deals this week", "en"),
        ("I'll see you in small claims court", "en"),
        ("I need to update my home address", "en"),
    ],
)
def test_idioms_and_legal_pressure_are_not_threats(text, language):
    assert not score_text(text, language).is_threat


def test_pattern_trigger_words_never_hide_a_match():
    """The threat and abuse regexes only run on posts holding one of their trigger words; on every
    labelled text (and the pattern examples above) that shortcut must agree with the full regex."""
    from incidents.scoring import _TOKEN_RE, _canonical, _data

    data = _data()
    texts = [text for text, _, _ in _labelled()] + [row[0] for row in _held_out()]
    for text in texts:
        raw = _TOKEN_RE.findall(text.lower().replace("’", "'"))
        tokens = [_canonical(token) for token in raw]
        joined = " ".join(tokens)
        for language in ("id", "en"):
            full = data.threat_re[language].regex.search(joined) is not None
            assert data.threat_re[language].search(joined, raw) == full, text
            full = data.abuse_re[language].regex.search(joined) is not None
            assert data.abuse_re[language].search(joined, tokens) == full, text


def test_the_intake_threat_check_agrees_with_the_scorer_on_every_labelled_text():
    from incidents.scoring import is_threat

    texts = [text for text, _, _ in _labelled()] + [row[0] for row in _held_out()]
    assert [is_threat(text) for text in texts] == [score_text(text).is_threat for text in texts]
    assert sum(is_threat(text) for text in texts) > 50
    # A source that labels an Indonesian threat "en" does not hide it.
    assert score_text("gue pukulin kurirnya kalo telat lagi", "en").is_threat
