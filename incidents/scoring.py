"""Score one social-media mention: sentiment in -1..1 with its band, language (en/id) and risk flags.

Pure Python, no Django; data files under incidents/lexicon/ are read once per process.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

# VADER's compound convention: |compound| < 0.05 reads as neutral.
POSITIVE_THRESHOLD = 0.05
NEGATIVE_THRESHOLD = -0.05

BAND_NEGATIVE = "negative"
BAND_NEUTRAL = "neutral"
BAND_POSITIVE = "positive"

LANGUAGE_EN = "en"
LANGUAGE_ID = "id"

FLAG_ABUSE = "abuse"
FLAG_THREAT = "threat"
FLAG_COMPLAINT = "complaint"

# A complaint that carries no sentiment word ("paket belum sampai", "never arrived") is still a
# dissatisfied customer, so it lands just inside the negative band instead of neutral.
COMPLAINT_SENTIMENT = -0.3

LEXICON_DIR = Path(__file__).resolve().parent / "lexicon"

# VADER's constants, so both languages share one scale: the normaliser's alpha, the scalar a
# negation multiplies by, the step an intensifier adds and the weight of each "!".
_ALPHA = 15.0
_NEGATION_SCALAR = -0.74
_INTENSIFIER_STEP = 0.6
_DAMPENER_STEP = 0.4
_EXCLAMATION_STEP = 0.292
_NEGATION_WINDOW = 3
_CONTRAST_BEFORE, _CONTRAST_AFTER = 0.5, 1.5
_EN_COMPLAINT_VALENCE = -1.5

_TOKEN_RE = re.compile(r"[a-z0-9]+(?:['\-][a-z0-9]+)*|[\U0001F300-\U0001FAFF\u2600-\u27bf]|[.!?;,\n]")
_BREAKS = frozenset(".!?;,\n")
_REPEAT3_RE = re.compile(r"(.)\1{2,}")
_REPEAT2_RE = re.compile(r"(.)\1+")
_SUFFIXES = ("nya", "lah", "kah", "pun", "ku", "mu")
_ID_DIGIT_REDUP_RE = re.compile(r"^([a-z]{3,})2$")

# Function words of informal Indonesian and English; a post's language is the side with more hits.
_ID_STOPWORDS = frozenset(
    """yang dan di ke dari ini itu tidak tak nggak ngga gak ga gk enggak engga kagak udah udh sudah
    sdh belum blm saya aku gue gw gua kamu lu lo anda kak kakak min mimin admin dong sih deh kok
    banget bgt aja saja juga jg tapi tp karena karna krn buat untuk utk dengan dgn sama ada mau
    bisa lagi lg apa kenapa knp gimana gmn bagaimana kapan kpn tolong mohon makasih terima kasih
    masih yg dr tdk kalo kalau klo atau baru sekali sangat lebih kurang oleh akan bukan jangan
    semua setelah sebelum dalam pada adalah seperti kami kita mereka dia ya nih tuh kan lah pun
    pesanan pesenan barang paket sampai nyampe kok gimana berapa kemana dimana mana siapa apakah
    sampe pas lho loh kah udahan dah trus terus abis habis beli pake pakai jadi jd biar gitu gini""".split()
)
_EN_STOPWORDS = frozenset(
    """the a an and is are was were be been being i you my your me it its it's this that these
    those to of in on for with not no don't dont can't cant didn't doesn't isn't wasn't won't
    have has had do does did what why how when where who which will would should could please
    just so very but at from they we our us he she his her their there here still never ever
    again all any about after before because if or than then too up out get got am i'm i've
    i'll you're they're been by as an order item service app customer support""".split()
)
_ID_QUESTION_WORDS = frozenset(
    """kapan kpn gimana gmn gmana bagaimana kenapa knp napa mengapa apakah berapa brp kemana
    dimana siapa bisakah bolehkah benarkah""".split()
)
_ID_QUESTION_STARTERS = frozenset({"apa", "mana", "ada"})
_EN_QUESTION_STARTERS = frozenset(
    """how why when where what whats what's who which can could is are any anyone anybody does
    did has have isn't aren't doesn't didn't won't will""".split()
)
# Spellings of "not"; flag phrases are matched with them folded, so "tidak sampai" in flags.tsv
# also catches "gak sampai" and "nggak nyampe"-style variants of the same negation.
_NOT = "tidak"
_NOT_SPELLINGS = frozenset("tidak tak tdk nggak ngga nggk gak gk ga enggak engga kagak kaga".split())
_EN_SUBJECTS = frozenset({"i", "i'm", "we", "they", "he", "she", "it", "my", "our"})
_NEGATION_BLOCKERS = frozenset({"hanya", "cuma", "cuman", "sekadar", "sekedar"})


@dataclass(frozen=True, slots=True)
class Score:
    sentiment: float
    band: str
    language: str
    is_abuse: bool
    is_threat: bool
    is_complaint: bool
    is_question: bool


@dataclass(frozen=True, slots=True)
class _Modifiers:
    negators: frozenset[str]
    before: dict[str, float]  # modifies the sentiment word after it
    after: dict[str, float]  # modifies the sentiment word before it
    contrast: frozenset[str]


@dataclass(frozen=True, slots=True)
class _Data:
    valence: dict[str, float]
    indonesian_words: frozenset[str]  # lexicon terms that are not English loanwords
    modifiers: _Modifiers
    # first word -> [(words, flag)], longest phrase first, per language.
    flags: dict[str, dict[str, list[tuple[tuple[str, ...], str]]]]
    # first word -> longest-first phrases merged into one token before scoring.
    phrases: dict[str, list[tuple[str, ...]]]
    known: frozenset[str]


def _rows(name: str) -> Iterable[list[str]]:
    with (LEXICON_DIR / name).open(encoding="utf-8") as handle:
        for line in handle:
            line = line.rstrip("\n")
            if line.strip() and not line.startswith("#"):
                yield line.split("\t")


@cache
def _data() -> _Data:
    valence: dict[str, float] = {}
    indonesian: set[str] = set()
    for row in _rows("id_sentiment.tsv"):
        valence[row[0]] = float(row[1])
        if len(row) < 3 or row[2] != LANGUAGE_EN:
            indonesian.add(row[0])

    negators: set[str] = set()
    contrast: set[str] = set()
    before: dict[str, float] = {}
    after: dict[str, float] = {}
    for term, kind, scope in _rows("id_modifiers.tsv"):
        if kind == "negator":
            negators.add(term)
        elif kind == "contrast":
            contrast.add(term)
        else:
            step = _INTENSIFIER_STEP if kind == "intensifier" else -_DAMPENER_STEP
            if scope in ("before", "both"):
                before[term] = step
            if scope in ("after", "both"):
                after[term] = step

    flags: dict[str, dict[str, list[tuple[tuple[str, ...], str]]]] = {
        LANGUAGE_EN: {},
        LANGUAGE_ID: {},
    }
    for term, flag, language in _rows("flags.tsv"):
        words = tuple(_NOT if word in _NOT_SPELLINGS else word for word in term.split())
        entries = flags[language].setdefault(words[0], [])
        if (words, flag) not in entries:
            entries.append((words, flag))
    for by_first in flags.values():
        for entries in by_first.values():
            entries.sort(key=lambda entry: -len(entry[0]))

    phrases: dict[str, list[tuple[str, ...]]] = {}
    for term in [*valence, *before, *after]:
        if " " in term:
            words = tuple(term.split())
            phrases.setdefault(words[0], []).append(words)
    for entries in phrases.values():
        entries.sort(key=len, reverse=True)

    known = frozenset(
        {word for term in valence for word in term.split()}
        | negators
        | contrast
        | {word for term in [*before, *after] for word in term.split()}
        | {
            word
            for by_first in flags.values()
            for entries in by_first.values()
            for w, _ in entries
            for word in w
        }
        | _ID_STOPWORDS
        | _EN_STOPWORDS
        | _ID_QUESTION_WORDS
    )
    return _Data(
        valence=valence,
        indonesian_words=frozenset(indonesian),
        modifiers=_Modifiers(frozenset(negators), before, after, frozenset(contrast)),
        flags=flags,
        phrases=phrases,
        known=known,
    )


@cache
def _vader():
    # Building the analyzer parses VADER's lexicon files (tens of ms); do it once per process.
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyzer = SentimentIntensityAnalyzer()
    # Support threads read differently from general social media; see en_domain.tsv.
    analyzer.lexicon.update({row[0]: float(row[1]) for row in _rows("en_domain.tsv")})
    return analyzer


@lru_cache(maxsize=65536)
def _canonical(token: str) -> str:
    """Fold the spellings of one word that posts use ("bagusss", "kecewa-kecewa", "lemotnya")."""
    known = _data().known
    if token in known or not token[0].isalnum():
        return token
    candidates = [token]
    if "-" in token:
        head, _, tail = token.partition("-")
        if head == tail or tail.startswith(head):  # reduplication: "kecewa-kecewa", "sayur-sayuran"
            candidates.append(head)
    redup = _ID_DIGIT_REDUP_RE.match(token)  # "kecewa2" is written reduplication
    if redup:
        candidates.append(redup.group(1))
    for word in list(candidates):
        candidates.append(_REPEAT3_RE.sub(r"\1", word))
        candidates.append(_REPEAT2_RE.sub(r"\1", word))
    for word in candidates:
        if word in known:
            return word
    for word in candidates:
        for suffix in _SUFFIXES:
            if word.endswith(suffix) and len(word) - len(suffix) >= 3:
                stem = word[: -len(suffix)]
                if stem in known:
                    return stem
    return _REPEAT3_RE.sub(r"\1", token)


def _tokens(text: str) -> list[str]:
    return [_canonical(token) for token in _TOKEN_RE.findall(text.lower())]


def _merge_phrases(tokens: list[str], phrases: dict[str, list[tuple[str, ...]]]) -> list[str]:
    merged: list[str] = []
    i, n = 0, len(tokens)
    while i < n:
        token = tokens[i]
        for words in phrases.get(token, ()):
            if tuple(tokens[i : i + len(words)]) == words:
                merged.append(" ".join(words))
                i += len(words)
                break
        else:
            merged.append(token)
            i += 1
    return merged


def detect_language(text: str) -> str:
    """Return "id" when Indonesian function and lexicon words outnumber English ones, else "en"."""
    return _detect(_tokens(text))


def _detect(tokens: list[str]) -> str:
    indonesian_words = _data().indonesian_words
    id_hits = en_hits = 0
    for token in tokens:
        if token in _ID_STOPWORDS or token in indonesian_words:
            id_hits += 1
        elif token in _EN_STOPWORDS:
            en_hits += 1
    return LANGUAGE_ID if id_hits > en_hits else LANGUAGE_EN


def _indonesian_sentiment(tokens: list[str], exclamations: int) -> float:
    data = _data()
    valence, mods = data.valence, data.modifiers
    words = _merge_phrases(tokens, data.phrases)
    n = len(words)
    contrast_at = max((i for i, word in enumerate(words) if word in mods.contrast), default=-1)
    contributions: list[tuple[int, float]] = []
    modifying: set[int] = set()  # modifiers that act on a word do not also count as sentiment
    for i, word in enumerate(words):
        value = valence.get(word)
        if value is None:
            continue
        sign = 1.0 if value > 0 else -1.0
        # Intensifiers sit next to the word they modify, before ("sangat") or after ("banget").
        for j in (i - 1, i - 2):
            if j < 0 or words[j] in _BREAKS:
                break
            step = mods.before.get(words[j])
            if step is not None:
                value += sign * step
                modifying.add(j)
        for j in (i + 1, i + 2):
            if j >= n or words[j] in _BREAKS:
                break
            step = mods.after.get(words[j])
            if step is not None:
                value += sign * step
                modifying.add(j)
            elif words[j] in valence:
                break
        if value * sign < 0:
            value = 0.0  # a dampener weakens a word, it never turns it around
        # A negator governs the first sentiment word after it, within a short window.
        for j in range(i - 1, max(i - 1 - _NEGATION_WINDOW, -1), -1):
            previous = words[j]
            if previous in _BREAKS:
                break
            if previous in mods.negators:
                if words[j + 1] not in _NEGATION_BLOCKERS:  # "tidak hanya bagus" is not a negation
                    value *= _NEGATION_SCALAR
                    modifying.add(j)
                break
            if previous in valence and previous not in mods.before:
                break
        if contrast_at >= 0:
            value *= _CONTRAST_BEFORE if i < contrast_at else _CONTRAST_AFTER
        contributions.append((i, value))
    total = sum(value for i, value in contributions if i not in modifying)
    return _normalise(_with_exclamations(total, exclamations))


def _with_exclamations(total: float, exclamations: int) -> float:
    if not total:
        return total
    emphasis = min(exclamations, 4) * _EXCLAMATION_STEP
    return total + emphasis if total > 0 else total - emphasis


def _normalise(total: float) -> float:
    return total / math.sqrt(total * total + _ALPHA)


def _unnormalise(compound: float) -> float:
    compound = max(-0.9999, min(0.9999, compound))
    return compound * math.sqrt(_ALPHA / (1.0 - compound * compound))


def _flags(tokens: list[str], language: str) -> set[str]:
    data = _data()
    tables = [data.flags[LANGUAGE_EN]]
    if language == LANGUAGE_ID:
        # Indonesian posts borrow English complaint words ("refund", "scam"); not the reverse.
        tables.insert(0, data.flags[LANGUAGE_ID])
    negators = data.modifiers.negators
    tokens = [_NOT if token in _NOT_SPELLINGS else token for token in tokens]
    found: set[str] = set()
    for i, token in enumerate(tokens):
        for table in tables:
            for words, flag in table.get(token, ()):
                if flag in found or tuple(tokens[i : i + len(words)]) != words:
                    continue
                # "tidak kecewa" praises; a phrase that spells its own negation ("tidak sampai") still fires.
                if flag == FLAG_COMPLAINT and len(words) == 1 and _negated(tokens, i, negators):
                    continue
                found.add(flag)
    return found


def _negated(tokens: list[str], i: int, negators: frozenset[str]) -> bool:
    for j in (i - 1, i - 2):
        if j < 0 or tokens[j] in _BREAKS:
            return False
        if tokens[j] in negators:
            return True
    return False


def _is_question(text: str, tokens: list[str], language: str) -> bool:
    if "?" in text:
        return True
    starters = _ID_QUESTION_STARTERS if language == LANGUAGE_ID else _EN_QUESTION_STARTERS
    at_start = True
    for i, token in enumerate(tokens):
        if token in _BREAKS:
            at_start = True
            continue
        if language == LANGUAGE_ID and (token in _ID_QUESTION_WORDS or token.endswith("kah")):
            return True
        if at_start and token in starters:
            following = tokens[i + 1] if i + 1 < len(tokens) else ""
            # "When I opened the box..." opens a statement; "When will it ship" asks.
            if language == LANGUAGE_ID or following not in _EN_SUBJECTS:
                return True
        at_start = False
    return False


def band_for(sentiment: float) -> str:
    """The band a compound sentiment falls in, by the module's thresholds."""
    if sentiment >= POSITIVE_THRESHOLD:
        return BAND_POSITIVE
    if sentiment <= NEGATIVE_THRESHOLD:
        return BAND_NEGATIVE
    return BAND_NEUTRAL


def score_text(text: str, language: str | None = None) -> Score:
    """Score one post; `language` ("en"/"id") skips detection when the source already knows it."""
    tokens = _tokens(text)
    if language is None:
        language = _detect(tokens)
    elif language not in (LANGUAGE_EN, LANGUAGE_ID):
        raise ValueError(f"Unsupported language {language!r}; expected 'en' or 'id'.")
    flags = _flags(tokens, language)
    is_complaint = FLAG_COMPLAINT in flags
    if language == LANGUAGE_ID:
        sentiment = _indonesian_sentiment(tokens, text.count("!"))
    else:
        sentiment = _vader().polarity_scores(text)["compound"]
        if is_complaint:
            # VADER has no word for "never arrived" or "charged twice"; the complaint is that word.
            sentiment = _normalise(_unnormalise(sentiment) + _EN_COMPLAINT_VALENCE)
    if is_complaint and NEGATIVE_THRESHOLD < sentiment < POSITIVE_THRESHOLD:
        sentiment = COMPLAINT_SENTIMENT
    sentiment = max(-1.0, min(1.0, sentiment))
    return Score(
        sentiment=sentiment,
        band=band_for(sentiment),
        language=language,
        is_abuse=FLAG_ABUSE in flags,
        is_threat=FLAG_THREAT in flags,
        is_complaint=is_complaint,
        is_question=_is_question(text, tokens, language),
    )


def score_batch(texts: list[tuple[str, str | None]]) -> list[Score]:
    """Score (text, language-or-None) pairs in order, sharing the loaded lexicons and analyzer."""
    return [score_text(text, language) for text, language in texts]
