"""The empathy checker judges real-looking replies as a crisis manager would, in both languages."""

from dataclasses import FrozenInstanceError
from pathlib import Path

import pytest

from incidents.empathy import (
    EMPATHY_CHECK_CODES,
    KINDS,
    LEXICON_CATEGORIES,
    check_empathy,
    lexicon_phrases,
    normalise_text,
)

DATA = Path(__file__).parent / "data" / "empathy_replies.tsv"


def _load_replies() -> list:
    rows = []
    for number, line in enumerate(DATA.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        language, kind, at_fault, passed, failed, text = line.split("\t")
        codes = () if failed == "-" else tuple(failed.split(","))
        case = (language, kind, at_fault == "yes", passed == "yes", codes, text)
        label = f"{language}-{kind}-line{number}-{'good' if passed == 'yes' else 'bad'}"
        rows.append(pytest.param(*case, id=label))
    return rows


REPLIES = _load_replies()


@pytest.mark.parametrize(("language", "kind", "at_fault", "passed", "failed", "text"), REPLIES)
def test_reply_is_judged_as_the_data_set_expects(language, kind, at_fault, passed, failed, text):
    report = check_empathy(text, language=language, at_fault=at_fault, kind=kind)

    assert (report.passed, report.failed_codes) == (passed, failed), [c.reason for c in report.checks]


def test_data_set_has_twenty_good_and_twenty_bad_replies_per_language():
    for language in ("en", "id"):
        good = [r for r in REPLIES if r.values[0] == language and r.values[3]]
        bad = [r for r in REPLIES if r.values[0] == language and not r.values[3]]
        assert len(good) >= 20 and len(bad) >= 20, language


def test_data_set_covers_every_kind_and_every_check_code():
    assert {r.values[1] for r in REPLIES} == set(KINDS)
    assert {code for r in REPLIES for code in r.values[4]} == set(EMPATHY_CHECK_CODES)


def test_report_lists_every_check_in_a_fixed_order():
    report = check_empathy("We understand.", language="en")

    assert tuple(check.code for check in report.checks) == EMPATHY_CHECK_CODES


def test_report_is_frozen():
    report = check_empathy("We understand.", language="en")

    with pytest.raises(FrozenInstanceError):
        report.passed = True  # type: ignore[misc]


def test_english_non_apology_is_not_an_apology_and_is_flagged_defensive():
    report = check_empathy("We're sorry you feel that way. We understand. Please DM us.", language="en")

    assert report.failed_codes == ("apologises", "not_defensive")
    assert report.check("apologises").evidence == ()
    assert "sorry you feel that way" in report.check("not_defensive").evidence
    assert '"sorry you feel that way" is not an apology' in report.check("apologises").reason


def test_indonesian_non_apology_is_not_an_apology_and_is_flagged_defensive():
    report = check_empathy(
        "Mohon maaf jika Anda merasa dirugikan. Kami memahami. Silakan DM kami.", language="id"
    )

    assert report.failed_codes == ("apologises", "not_defensive")
    assert report.check("not_defensive").evidence == ("maaf jika Anda merasa",)
    assert "bukan permintaan maaf" in report.check("apologises").reason


def test_non_apology_is_still_defensive_when_the_brand_is_not_at_fault():
    report = check_empathy(
        "Sorry if you were offended. We understand. Please DM us.", language="en", at_fault=False
    )

    assert report.failed_codes == ("not_defensive",)


def test_a_real_apology_next_to_a_non_apology_still_counts_as_an_apology():
    report = check_empathy(
        "We apologise for the delay. Sorry if you feel ignored. We understand. Please DM us.",
        language="en",
    )

    assert report.check("apologises").ok
    assert report.failed_codes == ("not_defensive",)


def test_apology_is_only_required_when_the_brand_is_at_fault():
    text = "Terima kasih atas masukannya, Kak. Silakan DM kami nomor pesanannya."

    assert check_empathy(text, language="id", at_fault=True).failed_codes == ("apologises",)
    assert check_empathy(text, language="id", at_fault=False).passed


def test_holding_statement_passes_without_an_apology():
    text = "We're aware of the outage. We're investigating and will update you by 14:00 WIB."

    report = check_empathy(text, language="en", kind="holding_statement", at_fault=True)

    assert report.passed
    assert report.check("apologises").reason == "An apology is optional in a holding statement."


def test_holding_statement_needs_a_next_update_not_only_a_remedy():
    text = "Kami memahami kekecewaan pelanggan. Silakan DM kami untuk refund."

    holding = check_empathy(text, language="id", kind="holding_statement", at_fault=False)
    reply = check_empathy(text, language="id", kind="reply", at_fault=False)

    assert holding.failed_codes == ("offers_remedy",)
    assert "langkah berikutnya dan kapan" in holding.check("offers_remedy").reason
    assert reply.passed


def test_holding_statement_still_fails_on_defensive_wording():
    text = "Kami memahami keresahan ini, tapi itu bukan salah kami. Kami sedang menyelidiki."

    report = check_empathy(text, language="id", kind="holding_statement")

    assert report.failed_codes == ("not_defensive",)


def test_reasons_are_in_the_drafts_language_and_quote_the_defensive_phrase():
    english = check_empathy("That's not our fault, read the description.", language="en")
    indonesian = check_empathy("Itu bukan salah kami kak, sudah kami jelaskan.", language="id")

    en_reason = english.check("not_defensive").reason
    id_reason = indonesian.check("not_defensive").reason
    assert en_reason.startswith("Defensive wording:")
    assert '"That\'s not our fault"' in en_reason and '"read the description"' in en_reason
    assert id_reason.startswith("Kata-kata defensif:")
    assert '"Itu bukan salah kami"' in id_reason and '"sudah kami jelaskan"' in id_reason
    assert indonesian.check("acknowledges").reason.startswith("Akui masalahnya")
    assert english.check("acknowledges").reason.startswith("Acknowledge the problem")


def test_evidence_quotes_the_writers_own_words():
    report = check_empathy("WE’RE SO SORRY!! We understand… DM us 🙏", language="en")

    assert report.check("apologises").evidence == ("WE’RE SO SORRY",)
    assert report.check("offers_remedy").evidence == ("DM us",)


def test_matching_is_on_whole_words_only():
    # "understandably" must not be read as "we understand", nor "refunding" as "refund".
    report = check_empathy("Weunderstand. We're sorry. Unrefundable items.", language="en")

    assert not report.check("acknowledges").ok
    assert not report.check("offers_remedy").ok


def test_phrases_do_not_match_across_sentences():
    report = check_empathy(
        "We're sorry. You feel that way because we were late. We understand. Please DM us.",
        language="en",
    )

    assert report.passed


def test_negated_remedy_does_not_count_but_a_pause_ends_the_negation():
    refused = check_empathy("We understand, sorry. We can't offer a refund.", language="en")
    reassured = check_empathy("We understand, sorry. No worries, we'll replace it.", language="en")

    assert refused.failed_codes == ("offers_remedy",)
    assert reassured.passed


def test_indonesian_suffixes_match_wildcard_phrases():
    report = check_empathy(
        "Kakak kurang teliti. Terima kasih atas masukannya, mohon maaf, kami ganti ya.",
        language="id",
    )

    assert report.check("acknowledges").evidence == ("Terima kasih atas masukannya",)
    assert report.check("not_defensive").evidence == ("Kakak kurang teliti",)


def test_hoax_is_only_defensive_when_aimed_at_the_customer():
    statement = (
        "Kami menyadari beredar kabar soal bahan berbahaya. Kabar itu hoaks, namun kami memahami "
        "kekhawatiran pelanggan dan kami akan memberikan informasi terbaru hasil uji lab besok."
    )
    reply = "Kakak itu hoax, kami memahami, silakan DM kami."

    assert check_empathy(statement, language="id", kind="holding_statement").passed
    assert check_empathy(reply, language="id", at_fault=False).failed_codes == ("not_defensive",)


def test_normalise_text_lowercases_folds_spaces_and_strips_edge_punctuation():
    assert normalise_text("  We’re SORRY!!\n\t(Really)  🙏 ") == "we're sorry really"


def test_lexicons_have_enough_phrases_in_every_category():
    for language in ("en", "id"):
        phrases = lexicon_phrases(language)
        assert set(phrases) == set(LEXICON_CATEGORIES)
        for category, words in phrases.items():
            assert len(words) >= 25, (language, category)


def test_unknown_language_or_kind_is_refused():
    with pytest.raises(ValueError, match="language"):
        check_empathy("Kami memahami.", language="jv")
    with pytest.raises(ValueError, match="kind"):
        check_empathy("We understand.", language="en", kind="tweet")
