"""Checks a crisis reply against the agency's empathy rules: acknowledge, apologise when at fault,
offer a remedy or next step, never be defensive. Pure Python, no Django; lexicons load once."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from tenants.languages import LANGUAGE_CODES

EMPATHY_CHECK_CODES: tuple[str, ...] = (
    "acknowledges",
    "apologises",
    "offers_remedy",
    "not_defensive",
)
KINDS: tuple[str, ...] = ("reply", "private_message", "statement", "holding_statement")
LEXICON_CATEGORIES: tuple[str, ...] = (
    "acknowledge",
    "apology",
    "non_apology",
    "remedy",
    "next_step",
    "defensive",
)

_LEXICON_DIR = Path(__file__).resolve().parent / "lexicon"

# Negation only cancels positive phrases ("we can't offer a refund"); defensive phrases stand as
# written. The look-back stops at punctuation so "No worries, we will replace it" still counts.
_NEGATORS: dict[str, frozenset[str]] = {
    "en": frozenset(
        "not no never can't cannot won't don't doesn't didn't isn't aren't wasn't unable "
        "without couldn't wouldn't shouldn't".split()
    ),
    "id": frozenset("tidak tak bukan belum gak ga nggak enggak ngga tdk blm".split()),
}
_NEGATION_WINDOW = 3

_RAW_WORD = re.compile(r"\S+")
_WORD_CORE = re.compile(r"^\W*(.*?)\W*$", re.DOTALL)
_CLAUSE_END = re.compile(r"[.!?;…]")
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'", "\u00b4": "'"})


class LexiconError(ValueError):
    """A lexicon file has a row the checker cannot use; the message names the file and line."""


@dataclass(frozen=True)
class EmpathyCheck:
    code: str
    ok: bool
    reason: str
    evidence: tuple[str, ...] = ()


@dataclass(frozen=True)
class EmpathyReport:
    passed: bool
    checks: tuple[EmpathyCheck, ...]

    @property
    def failed_codes(self) -> tuple[str, ...]:
        return tuple(check.code for check in self.checks if not check.ok)

    def check(self, code: str) -> EmpathyCheck:
        for check in self.checks:
            if check.code == code:
                return check
        raise KeyError(code)


@dataclass(frozen=True)
class _Token:
    word: str
    start: int
    end: int
    clause: int
    pause_after: bool


@dataclass(frozen=True)
class _Phrase:
    category: str
    words: tuple[str, ...]


@dataclass(frozen=True)
class _Match:
    first: int
    last: int  # inclusive token index
    start: int
    end: int


def _fold(word: str) -> str:
    return word.translate(_APOSTROPHES).casefold()


def _tokenise(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    clause = 0
    previous_end = 0
    for raw in _RAW_WORD.finditer(text):
        if tokens and "\n" in text[previous_end : raw.start()]:
            clause += 1  # A line break ends a thought as surely as a full stop.
        previous_end = raw.end()
        core = _WORD_CORE.match(raw.group())
        assert core is not None  # the pattern matches any string
        trailing = raw.group()[core.end(1) :]
        if core.group(1):
            tokens.append(
                _Token(
                    word=_fold(core.group(1)),
                    start=raw.start() + core.start(1),
                    end=raw.start() + core.end(1),
                    clause=clause,
                    pause_after=bool(trailing),
                )
            )
        # Phrases never span sentences, so "We're sorry. You feel that way" is not a non-apology.
        if _CLAUSE_END.search(trailing if core.group(1) else raw.group()):
            clause += 1
    return tokens


def normalise_text(text: str) -> str:
    """The text as the checker sees it: lowercase, one space between words, no edge punctuation."""
    return " ".join(token.word for token in _tokenise(text))


def _word_matches(pattern: str, word: str) -> bool:
    if pattern.endswith("*"):
        return word.startswith(pattern[:-1])
    return word == pattern


@cache
def _lexicon(language: str) -> tuple[_Phrase, ...]:
    path = _LEXICON_DIR / f"empathy_{language}.tsv"
    phrases: list[_Phrase] = []
    seen: set[tuple[str, tuple[str, ...]]] = set()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        category, tab, phrase = line.partition("\t")
        category = category.strip()
        if not tab or category not in LEXICON_CATEGORIES:
            raise LexiconError(
                f"{path.name}:{number}: expected 'category<TAB>phrase' with a category from "
                f"{', '.join(LEXICON_CATEGORIES)}; got {line!r}"
            )
        words = tuple(_fold(word) for word in phrase.split())
        if not words or any(word.strip("*") == "" for word in words):
            raise LexiconError(f"{path.name}:{number}: the phrase is empty")
        if (category, words) in seen:
            raise LexiconError(f"{path.name}:{number}: {phrase!r} is already listed as {category}")
        seen.add((category, words))
        phrases.append(_Phrase(category=category, words=words))
    return tuple(phrases)


def lexicon_phrases(language: str) -> dict[str, tuple[str, ...]]:
    """Every phrase of a language's lexicon by category, as written in its file (for editors)."""
    _require(language, LANGUAGE_CODES, "language")
    grouped: dict[str, list[str]] = {category: [] for category in LEXICON_CATEGORIES}
    for phrase in _lexicon(language):
        grouped[phrase.category].append(" ".join(phrase.words))
    return {category: tuple(words) for category, words in grouped.items()}


def _find(tokens: list[_Token], phrase: _Phrase) -> list[_Match]:
    matches = []
    size = len(phrase.words)
    for first in range(len(tokens) - size + 1):
        window = tokens[first : first + size]
        if window[-1].clause != window[0].clause:
            continue
        if all(_word_matches(p, t.word) for p, t in zip(phrase.words, window, strict=True)):
            matches.append(_Match(first, first + size - 1, window[0].start, window[-1].end))
    return matches


def _negated(tokens: list[_Token], match: _Match, negators: frozenset[str]) -> bool:
    for index in range(match.first - 1, max(match.first - 1 - _NEGATION_WINDOW, -1), -1):
        before = tokens[index]
        if before.clause != tokens[match.first].clause or before.pause_after:
            return False
        if before.word in negators:
            return True
    return False


def _overlaps(a: _Match, b: _Match) -> bool:
    return a.first <= b.last and b.first <= a.last


def _longest_first(matches: list[_Match]) -> list[_Match]:
    # "we're sorry" inside "we're so sorry for" is one piece of evidence, not two.
    kept: list[_Match] = []
    for match in sorted(matches, key=lambda m: (m.first, m.first - m.last)):
        if not any(_overlaps(match, other) for other in kept):
            kept.append(match)
    return kept


def _require(value: str, allowed: tuple[str, ...], name: str) -> None:
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(allowed)}; got {value!r}")


_MESSAGES: dict[str, dict[str, str]] = {
    "en": {
        "acknowledges_ok": "Acknowledges the customer's problem ({evidence}).",
        "acknowledges_missing": (
            'Acknowledge the problem first, e.g. "we understand…" or "thank you for letting us know".'
        ),
        "apologises_ok": "Apologises sincerely ({evidence}).",
        "apologises_missing": (
            'The brand is at fault, so apologise plainly, e.g. "we\'re sorry for…" or "we apologise for…".'
        ),
        "apologises_non_apology": (
            "{evidence} is not an apology: it puts the problem on the customer's feelings. "
            'Apologise for what happened, e.g. "we\'re sorry your order arrived late".'
        ),
        "apologises_not_required": "No apology required: the brand is not at fault.",
        "apologises_optional": "An apology is optional in a holding statement.",
        "offers_remedy_ok": "Offers a remedy or next step ({evidence}).",
        "offers_remedy_missing": (
            'Offer a concrete fix or next step, e.g. "we will replace it" or "please DM us your '
            'order number".'
        ),
        "offers_remedy_holding_ok": "Says what happens next ({evidence}).",
        "offers_remedy_holding_missing": (
            'Say what happens next and when, e.g. "we\'re investigating and will update you by 17:00 WIB".'
        ),
        "not_defensive_ok": "No defensive or blaming wording found.",
        "not_defensive_failed": (
            "Defensive wording: {evidence}. Drop the blame and focus on solving the problem."
        ),
    },
    "id": {
        "acknowledges_ok": "Sudah mengakui masalah pelanggan ({evidence}).",
        "acknowledges_missing": (
            'Akui masalahnya terlebih dahulu, misalnya "kami memahami…" atau "terima kasih atas masukannya".'
        ),
        "apologises_ok": "Sudah meminta maaf dengan tulus ({evidence}).",
        "apologises_missing": (
            "Kesalahan ada di pihak brand, jadi mintalah maaf dengan jelas, misalnya "
            '"mohon maaf atas…" atau "kami minta maaf atas…".'
        ),
        "apologises_non_apology": (
            "{evidence} bukan permintaan maaf: kalimat ini membebankan masalah pada perasaan "
            'pelanggan. Mintalah maaf atas kejadiannya, misalnya "mohon maaf atas keterlambatan '
            'pesanan Kakak".'
        ),
        "apologises_not_required": "Permintaan maaf tidak wajib: brand tidak bersalah.",
        "apologises_optional": "Permintaan maaf bersifat opsional dalam pernyataan sementara.",
        "offers_remedy_ok": "Sudah menawarkan solusi atau langkah lanjut ({evidence}).",
        "offers_remedy_missing": (
            'Tawarkan solusi konkret atau langkah lanjut, misalnya "kami akan mengganti produknya" '
            'atau "silakan kirimkan nomor pesanan melalui DM".'
        ),
        "offers_remedy_holding_ok": "Sudah menyampaikan langkah berikutnya ({evidence}).",
        "offers_remedy_holding_missing": (
            'Sampaikan langkah berikutnya dan kapan, misalnya "kami sedang menelusuri dan akan '
            'memberikan informasi terbaru paling lambat pukul 17.00 WIB".'
        ),
        "not_defensive_ok": "Tidak ada kata-kata defensif atau menyalahkan.",
        "not_defensive_failed": (
            "Kata-kata defensif: {evidence}. Hapus kalimat yang menyalahkan pelanggan dan fokus "
            "pada penyelesaian masalah."
        ),
    },
}


def _quote(evidence: tuple[str, ...]) -> str:
    return ", ".join(f'"{phrase}"' for phrase in evidence)


def check_empathy(text: str, *, language: str, at_fault: bool = True, kind: str = "reply") -> EmpathyReport:
    """Report which empathy rules a draft meets. Reasons are written in the draft's language and
    quote the draft's own words; `passed` is true only when every check is ok.

    A holding statement needs an acknowledgement, no defensive wording and a next step (when the
    next update comes); its apology is optional. Other kinds accept a remedy or a next step and
    need an apology when the brand is at fault. A non-apology ("sorry you feel that way") never
    counts as an apology and is reported as defensive."""
    _require(language, LANGUAGE_CODES, "language")
    _require(kind, KINDS, "kind")
    messages = _MESSAGES[language]
    tokens = _tokenise(text)
    negators = _NEGATORS[language]

    found: dict[str, list[_Match]] = {category: [] for category in LEXICON_CATEGORIES}
    for phrase in _lexicon(language):
        found[phrase.category].extend(_find(tokens, phrase))
    non_apologies = _longest_first(found["non_apology"])
    for category in ("acknowledge", "apology", "remedy", "next_step"):
        found[category] = [m for m in found[category] if not _negated(tokens, m, negators)]
    # The "sorry" inside "sorry you feel that way" must not pass as an apology.
    found["apology"] = [m for m in found["apology"] if not any(_overlaps(m, n) for n in non_apologies)]

    def evidence(matches: list[_Match]) -> tuple[str, ...]:
        return tuple(text[m.start : m.end] for m in _longest_first(matches))

    checks: list[EmpathyCheck] = []

    acknowledged = evidence(found["acknowledge"])
    checks.append(
        EmpathyCheck(
            code="acknowledges",
            ok=bool(acknowledged),
            reason=(
                messages["acknowledges_ok"].format(evidence=_quote(acknowledged))
                if acknowledged
                else messages["acknowledges_missing"]
            ),
            evidence=acknowledged,
        )
    )

    apologies = evidence(found["apology"])
    non_apology_words = evidence(non_apologies)
    if apologies:
        apology_reason, apology_ok = (
            messages["apologises_ok"].format(evidence=_quote(apologies)),
            True,
        )
    elif kind == "holding_statement":
        apology_reason, apology_ok = messages["apologises_optional"], True
    elif not at_fault:
        apology_reason, apology_ok = messages["apologises_not_required"], True
    elif non_apology_words:
        apology_reason, apology_ok = (
            messages["apologises_non_apology"].format(evidence=_quote(non_apology_words)),
            False,
        )
    else:
        apology_reason, apology_ok = messages["apologises_missing"], False
    checks.append(EmpathyCheck("apologises", apology_ok, apology_reason, apologies))

    if kind == "holding_statement":
        # A holding statement exists to promise the next update; a remedy alone does not do that.
        steps = evidence(found["next_step"])
        ok_key, missing_key = "offers_remedy_holding_ok", "offers_remedy_holding_missing"
    else:
        steps = evidence(found["remedy"] + found["next_step"])
        ok_key, missing_key = "offers_remedy_ok", "offers_remedy_missing"
    checks.append(
        EmpathyCheck(
            code="offers_remedy",
            ok=bool(steps),
            reason=(messages[ok_key].format(evidence=_quote(steps)) if steps else messages[missing_key]),
            evidence=steps,
        )
    )

    defensive = evidence(found["defensive"] + non_apologies)
    checks.append(
        EmpathyCheck(
            code="not_defensive",
            ok=not defensive,
            reason=(
                messages["not_defensive_failed"].format(evidence=_quote(defensive))
                if defensive
                else messages["not_defensive_ok"]
            ),
            evidence=defensive,
        )
    )

    return EmpathyReport(passed=all(check.ok for check in checks), checks=tuple(checks))
