"""Score one social-media mention: sentiment in -1..1 with its band, language (en/id) and risk flags.

Pure Python, no Django; data files under incidents/lexicon/ are read once per process. Both
languages run the same rule engine (valence words, negation scope, intensifiers, contrast, emoji,
sarcasm cues); English words take their valence from VADER's lexicon, Indonesian ones from
id_sentiment.tsv. Threats and abuse are matched by patterns that allow plurals, affixes, masked
spellings ("f***", "a*jing", "g0bl0k") and a few words in between; either makes a post negative.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
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
# A threat or abuse is always counted as negative, however friendly the rest of the words are.
FLAGGED_SENTIMENT = -0.6

LEXICON_DIR = Path(__file__).resolve().parent / "lexicon"

# VADER's constants, so both languages share one scale: the normaliser's alpha, the scalar a
# negation multiplies by, the step an intensifier adds and the weight of each "!".
_ALPHA = 15.0
_NEGATION_SCALAR = -0.74
_INTENSIFIER_STEP = 0.6
_DAMPENER_STEP = 0.4
_EXCLAMATION_STEP = 0.292
_NEGATION_WINDOW = 3
# "never had a single problem": a negated problem noun is read further away than other words.
_PROBLEM_NEGATION_WINDOW = 5
_PROBLEM_NEGATED_VALENCE = 1.5
_CONTRAST_BEFORE, _CONTRAST_AFTER = 0.5, 1.5
# What a complaint or a waiting time adds when the post has no sentiment word for it. English posts
# state problems flatly ("never arrived"); Indonesian ones also name routine requests with complaint
# words ("refund sudah masuk"), so a complaint weighs less there.
_COMPLAINT_VALENCE = {"en": -1.5, "id": -0.8}
# In a sarcastic post praise words mean their opposite; they count this much, negated.
_SARCASM_SCALAR = -0.8
# A question carries a sentiment only when its words are strong ("why is the app so awful?").
_QUESTION_DEAD_ZONE = (-1.0, 2.5)

# Words with masking characters inside ("f***ing", "sh!t", "a*jing") stay one token.
_TOKEN_RE = re.compile(
    r"[a-z0-9]+(?:['\-][a-z0-9]+)*(?:[*#@$]+[a-z0-9]*|!+[a-z0-9]+)*"
    r"|[\U0001F300-\U0001FAFF\u2600-\u27bf]|[.!?;,\n\"“”]"
)
_BREAKS = frozenset(".!?;,\n")
_QUOTES = frozenset('"“”')
_REPEAT3_RE = re.compile(r"(.)\1{2,}")
# A doubled last letter is emphasis ("mantapp", "kerenn"); a doubled letter inside a word is spelling
# ("latte" is not "late", "coffee" not "cofe").
_REPEAT2_RE = re.compile(r"(.)\1+$")
_MASK_CHARS = frozenset("*#@$!")
_ID_DIGIT_REDUP_RE = re.compile(r"^([a-z]{3,})2$")
_LEET = str.maketrans("0134@$5", "oieaass")
_LEET_MASK = str.maketrans("0134", "oiea")  # inside a masked word "@" and "$" are masks, not letters

# Indonesian affixes, tried only when the whole word is unknown and accepted only when what is left
# is a lexicon word. Informal Jakarta forms ("pukulin", "ngecewain", "gebukin") are the ones most
# posts use, so they come first. Longest first within each list.
_ID_SUFFIXES = ("nya", "lah", "kah", "pun", "kan", "in", "an", "ku", "mu", "i")
_ID_PREFIXES = (
    "memper",
    "menge",
    "meng",
    "meny",
    "mem",
    "men",
    "nge",
    "me",
    "di",
    "ter",
    "ber",
    "ke",
    "se",
    "peng",
    "pem",
    "pen",
    "pe",
    "ng",
    "ny",
    "ku",
    "kau",
)
# meny- and peny- drop an "s", mem-/pem- a "p", men-/pen- a "t", meng-/peng-/ng- a "k" ("ngecewain").
_ID_PREFIX_RESTORE = {
    "meny": "s",
    "ny": "s",
    "mem": "p",
    "pem": "p",
    "men": "t",
    "pen": "t",
    "meng": "k",
    "peng": "k",
    "ng": "k",
}
# English inflections: "idiots", "morons", "crashing", "delayed", "cancelled".
_EN_SUFFIXES = (
    ("ies", "y"),
    ("ing", ""),
    ("ing", "e"),
    ("ed", ""),
    ("ed", "e"),
    ("es", ""),
    ("s", ""),
    ("ers", ""),
    ("er", ""),
    ("ly", ""),
    ("iest", "y"),
    ("est", ""),
    ("d", ""),
)

# Function words of informal Indonesian and English; a post's language is the side with more hits.
_ID_STOPWORDS = frozenset(
    """yang dan di ke dari ini itu tidak tak nggak ngga gak ga gk enggak engga kagak udah udh sudah
    sdh belum blm saya aku gue gw gua kamu lu lo anda kak kakak min mimin admin dong sih deh kok
    banget bgt aja saja juga jg tapi tp karena karna krn buat untuk utk dengan dgn sama ada mau
    bisa lagi lg apa kenapa knp gimana gmn bagaimana kapan kpn tolong mohon makasih terima kasih
    masih yg dr tdk kalo kalau klo atau baru sekali sangat lebih kurang oleh akan bukan jangan
    semua setelah sebelum dalam pada adalah seperti kami kita mereka dia ya nih tuh kan lah pun
    pesanan pesenan barang paket sampai nyampe kok gimana berapa kemana dimana mana siapa apakah
    sampe pas lho loh kah udahan dah trus terus abis habis beli pake pakai jadi jd biar gitu gini
    tanpa pesawat penumpang kurir pelayanan pengiriman hadeh
    doang cuma nunggu jam menit hari minggu bulan tahun kalian lo lu gw gue libur tanggal""".split()
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
_NEGATION_BLOCKERS = frozenset({"hanya", "cuma", "cuman", "sekadar", "sekedar", "only", "just"})
# English negators beyond VADER's list, and its boosters split into intensifiers and dampeners.
_EN_NEGATORS_EXTRA = frozenset(
    {
        "no",
        "not",
        "never",
        "nobody",
        "nothing",
        "none",
        "neither",
        "nor",
        "without",
        "hardly",
        "cannot",
        "can't",
        "cant",
        "don't",
        "dont",
        "didn't",
        "didnt",
        "doesn't",
        "doesnt",
        "isn't",
        "isnt",
        "wasn't",
        "wasnt",
        "won't",
        "wont",
        "wouldn't",
        "wouldnt",
        "aren't",
        "arent",
        "weren't",
        "werent",
        "haven't",
        "havent",
        "hasn't",
        "hasnt",
    }
)
_EN_CONTRAST = frozenset({"but", "however", "though", "yet"})
# "jangan bohong" scolds and "jangan beli" warns: "jangan" flips only the words of worry it is
# said to calm ("jangan ragu", "jangan khawatir").
_JANGAN = frozenset({"jangan", "jgn"})
_JANGAN_FLIPS = frozenset(
    {
        "ragu",
        "khawatir",
        "takut",
        "cemas",
        "bingung",
        "sedih",
        "kecewa",
        "nyesel",
        "menyesal",
        "kuatir",
        "galau",
        "panik",
    }
)
# Nouns for a problem: "never had a problem", "tidak ada masalah", "no issues" praise.
_PROBLEM_WORDS = frozenset(
    {
        "problem",
        "issue",
        "complaint",
        "trouble",
        "hassle",
        "complain",
        "masalah",
        "kendala",
        "keluhan",
        "komplain",
        "ribet",
        "drama",
        "disappointed",
        "kecewa",
        "nyesel",
        "menyesal",
        "disappoint",
    }
)

# Words that may stand between a negator and the problem noun it denies.
_PROBLEM_FILLERS = frozenset(
    """ada pernah punya sama sekali satu pun yang apa mengalami menemukan dapat had have has a an any
    single one the real major big with ever experienced found got""".split()
)

# Sarcasm. A post is read as sarcastic when it praises while it carries a complaint: an ironic
# emoji, a sarcastic formula, a wait/duration complaint, or a complaint flag next to praise.
_IRONY_EMOJI = frozenset("🙃😑🙄😒")
# Formulas that are sarcastic on their own ("makasih loh", "thanks for nothing", "oh great") and
# praise formulas that are sarcastic next to a complaint, a negation or a waiting time.
_SARCASM_STRONG_RE = re.compile(
    r"makasih (?:loh|lho)|terima kasih (?:loh|lho)|thanks? (?:a lot|for nothing)|thank you for nothing"
    r"|\boh,? (?:great|wow|perfect|wonderful|nice|good|joy|brilliant)|yeah,? right|yeah,? because"
    r"|what a surprise|really appreciate being|\bgenius\b|\brekor\b|\bsure,? (?:i'll|keep)"
)
# Words one of which every sarcasm formula holds: posts without any skip the two regexes.
_SARCASM_STRONG_WORDS = frozenset(
    "makasih terima thanks thank oh yeah what glad appreciate genius rekor sure".split()
)
_SARCASM_WEAK_WORDS = frozenset(
    """love amazing brilliant hebat keren bagus mantap mantul top luar enak cepet cepat asik asyik sip
    wah wow makasih terima thanks thank""".split()
)
_SARCASM_WEAK_RE = re.compile(
    r"love (?:how|waiting|that)|amazing how|brilliant|so glad i|thanks for that|generous|"
    r"\b(?:hebat|keren|bagus|mantap|mantul|top|luar biasa|enak|cepet|cepat|asik|asyik|sip|wah|wow|"
    r"makasih|terima kasih|thanks|thank you)(?: banget| bgt| sekali| banyak)? (?:ya|yah|sih|loh)\b"
)
_WAIT_RE = re.compile(
    r"\b(?:nunggu|menunggu|tunggu|antri|antre|ngantri|ngantre|delay|telat|waited|waiting|wait|on hold|"
    r"hold|took|takes|taking|queue|late|lama|doang|cuma|only)\b(?: \S+){0,4}? "
    r"(?:\d+|satu|dua|tiga|empat|lima|enam|sejam|seharian|seminggu|sebulan|setahun|an|a|one|two|three|"
    r"four|five|six|ten)(?: \S+)? ?(?:jam|menit|hari|minggu|bulan|tahun|hours?|hrs?|minutes?|mins?|days?|"
    r"weeks?|months?|years?)\b"
    r"|\b(?:nunggu|menunggu|antri|antre|ngantri|ngantre|hampir|waited|waiting) (?:sejam|seharian|seminggu|"
    r"sebulan|setahun|forever|ages)\b"
)
# Scare quotes around a word or three ('the "fix"', 'my "express" order') mock what they quote.
_SCARE_QUOTES_RE = re.compile(r"[\"“'‘](?:[^\s\"“”'‘’]+(?: [^\s\"“”'‘’]+){0,2})[\"”'’](?!\w)")
_WAIT_WORDS = frozenset(
    """nunggu menunggu tunggu antri antre ngantri ngantre delay telat waited waiting wait hold took takes
    taking queue late lama doang cuma only hampir""".split()
)
_POSITIVE_EMOJI_IRONIC = frozenset("👍👏")
# "Thanks, the refund came through" opens with thanks and is usually meant; sarcastic thanks has
# its own formulas ("makasih loh", "thanks for nothing").
_THANKS = frozenset(
    {"makasih", "terima kasih", "thanks", "thank", "thank you", "thx", "tq", "makasi", "trims"}
)

# Threats are never read by the sentiment engine alone: these patterns allow a few words between
# the verb and its target ("burn this store down", "gw samperin kantor lo terus gw pukulin").
_GAP = r"(?: \S+){0,4}?"


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
class _Tables:
    """One language's sentiment tables."""

    valence: dict[str, float]
    negators: frozenset[str]
    before: dict[str, float]  # modifies the sentiment word after it
    after: dict[str, float]  # modifies the sentiment word before it
    contrast: frozenset[str]
    phrases: dict[str, list[tuple[str, ...]]]  # first word -> longest-first multi-word terms


@dataclass(frozen=True, slots=True)
class _PatternSet:
    """A language's patterns joined into one regex, and the words at least one of which any match
    contains: a post with none of them skips the regex (most posts, and the regex is the slow part)."""

    regex: re.Pattern
    triggers: frozenset[str]

    def search(self, joined: str, tokens: Iterable[str]) -> bool:
        return not self.triggers.isdisjoint(tokens) and self.regex.search(joined) is not None


@dataclass(frozen=True, slots=True)
class _Data:
    id: _Tables
    en: _Tables
    indonesian_words: frozenset[str]  # lexicon terms that are not English loanwords
    indonesian_hits: frozenset[str]  # words that count for Indonesian in language detection
    english_only_hits: frozenset[str]  # English stopwords that do not also count for Indonesian
    # first word -> [(words, flag)], longest phrase first, per language.
    flags: dict[str, dict[str, list[tuple[tuple[str, ...], str]]]]
    abuse_words: frozenset[str]
    soft_abuse: frozenset[str]  # profanity that praises when the rest of the post does
    threat_re: dict[str, _PatternSet]
    abuse_re: dict[str, _PatternSet]
    emoji: dict[str, float]
    all_negators: frozenset[str]
    flag_firsts: dict[str, frozenset[str]]  # first words of the flag terms a language checks
    known: frozenset[str]  # every word any table knows, for folding spellings
    stems: frozenset[str]  # words an affix may be stripped down to


def _rows(name: str) -> Iterable[list[str]]:
    with (LEXICON_DIR / name).open(encoding="utf-8") as handle:
        for line in handle:
            line = line.rstrip("\n")
            if line.strip() and not line.startswith("#"):
                yield line.split("\t")


def _phrases(terms: Iterable[str]) -> dict[str, list[tuple[str, ...]]]:
    phrases: dict[str, list[tuple[str, ...]]] = {}
    for term in terms:
        if " " in term:
            words = tuple(term.split())
            phrases.setdefault(words[0], []).append(words)
    for entries in phrases.values():
        entries.sort(key=len, reverse=True)
    return phrases


# Words too common to tell a pattern's match apart: pronouns, articles, particles. Every pattern
# alternative must also name a word outside this list (a verb, a weapon, "alamat", "address").
_PATTERN_COMMON = frozenset(
    """i i'll ill i'm im i'd we we'll we're gonna going to let's lets someone somebody should needs
    swear will you you'll you're your youre ur he she they his her their them him the a an my of and
    with in on at so be gue gw gua guwe aku ak saya sy kami kita tak w lo lu loe elo kau kamu kalian
    dia semua bakal akan mau pengen siap di ke s ed ing b d for udah was are up out no get got going
    back down pay store branch outlet kantor toko luar hp nomor bikin kartu data
    """.split()
)
_PATTERN_AFFIXES = ("nya", "mu", "ku", "in", "an", "kan", "i", "s", "es", "ed", "ing")


def _patterns(name: str) -> dict[str, _PatternSet]:
    """One alternation per language from a file of regular expressions (`any` rows join both)."""
    by_language: dict[str, list[str]] = {LANGUAGE_EN: [], LANGUAGE_ID: []}
    for pattern, language in _rows(name):
        pattern = pattern.replace("{gap}", _GAP)
        for target in (LANGUAGE_EN, LANGUAGE_ID) if language == "any" else (language,):
            by_language[target].append(pattern)
    # Indonesian posts mix in English, so Indonesian text is also checked against English patterns.
    by_language[LANGUAGE_ID] += by_language[LANGUAGE_EN]
    result = {}
    for language, patterns in by_language.items():
        literal = set()
        for pattern in patterns:
            literal.update(re.findall(r"[a-z][a-z0-9'\-]*", re.sub(r"\\[a-zA-Z]|\{[^}]*\}", " ", pattern)))
        words = literal - _PATTERN_COMMON
        # "kantornya", "disebar", "idiots": a trigger may carry an affix in the post.
        long = [w for w in words if len(w) >= 4]
        triggers = words | {w + a for w in long for a in _PATTERN_AFFIXES} | {"di" + w for w in long}
        regex = re.compile(r"(?<![\w*])(?:" + "|".join(f"(?:{p})" for p in patterns) + r")(?![\w*])")
        result[language] = _PatternSet(regex=regex, triggers=frozenset(triggers))
    return result


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

    emoji = {row[0]: float(row[1]) for row in _rows("emoji.tsv")}
    id_valence = {**valence, **emoji}
    id_tables = _Tables(
        valence=id_valence,
        negators=frozenset(negators),
        before=before,
        after=after,
        contrast=frozenset(contrast),
        phrases=_phrases([*valence, *before, *after]),
    )

    from vaderSentiment.vaderSentiment import BOOSTER_DICT, NEGATE, SentimentIntensityAnalyzer

    # VADER's word list, with the customer-service domain on top of it (en_domain.tsv).
    en_valence = dict(SentimentIntensityAnalyzer().lexicon)
    en_valence.update({row[0]: float(row[1]) for row in _rows("en_domain.tsv")})
    en_valence.update(emoji)
    en_before = {
        word: (_INTENSIFIER_STEP if step > 0 else -_DAMPENER_STEP) for word, step in BOOSTER_DICT.items()
    }
    en_tables = _Tables(
        valence=en_valence,
        negators=frozenset(NEGATE) | _EN_NEGATORS_EXTRA,
        before=en_before,
        after={},
        contrast=_EN_CONTRAST,
        phrases=_phrases([t for t in en_valence if " " in t]),
    )

    flags: dict[str, dict[str, list[tuple[tuple[str, ...], str]]]] = {LANGUAGE_EN: {}, LANGUAGE_ID: {}}
    abuse_words: set[str] = set()
    soft_abuse: set[str] = set()
    for term, flag, language in _rows("flags.tsv"):
        if flag == "soft_abuse":  # "fucking love it" praises; "fucking useless" abuses
            soft_abuse.add(term)
            flag = FLAG_ABUSE
        if flag == FLAG_ABUSE and " " not in term:
            abuse_words.add(term)
        words = tuple(_NOT if word in _NOT_SPELLINGS else word for word in term.split())
        entries = flags[language].setdefault(words[0], [])
        if (words, flag) not in entries:
            entries.append((words, flag))
    for by_first in flags.values():
        for entries in by_first.values():
            entries.sort(key=lambda entry: -len(entry[0]))

    lexicon_words = (
        {word for term in valence for word in term.split()}
        | {
            word
            for by_first in flags.values()
            for entries in by_first.values()
            for w, _ in entries
            for word in w
        }
        | {w for w in en_valence if " " not in w}
    )
    known = frozenset(
        lexicon_words
        | negators
        | contrast
        | {word for term in [*before, *after] for word in term.split()}
        | _ID_STOPWORDS
        | _EN_STOPWORDS
        | _ID_QUESTION_WORDS
        | set(_EN_NEGATORS_EXTRA)
    )
    return _Data(
        id=id_tables,
        en=en_tables,
        indonesian_words=frozenset(indonesian),
        indonesian_hits=frozenset(indonesian) | _ID_STOPWORDS,
        english_only_hits=_EN_STOPWORDS - _ID_STOPWORDS - indonesian,
        flags=flags,
        abuse_words=frozenset(abuse_words),
        soft_abuse=frozenset(soft_abuse),
        threat_re=_patterns("threat_patterns.tsv"),
        abuse_re=_patterns("abuse_patterns.tsv"),
        emoji=emoji,
        all_negators=id_tables.negators | en_tables.negators,
        flag_firsts={
            LANGUAGE_EN: frozenset(flags[LANGUAGE_EN]),
            LANGUAGE_ID: frozenset(flags[LANGUAGE_EN]) | frozenset(flags[LANGUAGE_ID]),
        },
        known=known,
        stems=frozenset(w for w in lexicon_words if len(w) >= 3),
    )


def _strip_affixes(word: str, stems: frozenset[str]) -> str | None:
    """The lexicon word `word` is built from, by Indonesian affix or English inflection, or None."""
    for suffix, restore in _EN_SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            stem = word[: -len(suffix)] + restore
            if stem in stems:
                return stem
            if suffix in ("ing", "ed", "er", "ers") and len(stem) >= 4 and stem[-1] == stem[-2]:
                if stem[:-1] in stems:  # "cancelled" -> "cancel"
                    return stem[:-1]
    bases = [word]
    for suffix in _ID_SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            bases.append(word[: -len(suffix)])
    # Two suffixes at once: "ngecewainnya", "pengirimannya".
    for base in list(bases[1:]):
        for suffix in _ID_SUFFIXES:
            if base.endswith(suffix) and len(base) - len(suffix) >= 3:
                bases.append(base[: -len(suffix)])
    for base in bases[1:]:
        if base in stems:
            return base
    for base in bases:
        for prefix in _ID_PREFIXES:
            if base.startswith(prefix) and len(base) - len(prefix) >= 3:
                rest = base[len(prefix) :]
                if rest in stems:
                    return rest
                restore = _ID_PREFIX_RESTORE.get(prefix)
                if restore and restore + rest in stems:
                    return restore + rest
    return None


def _unmask(token: str, words: frozenset[str]) -> str | None:
    """The abuse word a masked spelling stands for ("f***" -> "fuck", "a*jing" -> "anjing")."""
    pattern = re.compile(
        "".join("[a-z]{0,4}" if ch in _MASK_CHARS else re.escape(ch) for ch in token.translate(_LEET_MASK))
    )
    matches = sorted((w for w in words if pattern.fullmatch(w)), key=len)
    return matches[0] if matches else None


class _Canonical(dict):
    """Token -> canonical spelling (see _fold), computed on a miss; also records the word's flag
    spelling. A dict rather than lru_cache: a hit is one C-level lookup, and scoring looks up every
    token of every post. Emptied when full, so a worker's memory stays bounded."""

    def __missing__(self, token: str) -> str:
        if len(self) >= _CANONICAL_MAX:
            self.clear()
        word = _fold(token)
        if word not in _FLAG_FOLDS:
            form = _abuse_form(word)
            if form != word:
                _FLAG_FOLDS[word] = form
        self[token] = word
        return word


_CANONICAL_MAX = 65536
_canonical = _Canonical().__getitem__


def _fold(token: str) -> str:
    """Fold the spellings of one word that posts use ("bagusss", "kecewa-kecewa", "lemotnya",
    "idiots", "pukulin", "g0bl0k", "f***")."""
    data = _data()
    known = data.known
    if token in known or not token[0].isalnum():
        return token
    if any(ch in _MASK_CHARS for ch in token):
        return _unmask(token, data.abuse_words) or token
    candidates = [token]
    if "-" in token:
        head, _, tail = token.partition("-")
        if head == tail or tail.startswith(head):  # reduplication: "kecewa-kecewa", "sayur-sayuran"
            candidates.append(head)
    redup = _ID_DIGIT_REDUP_RE.match(token)  # "kecewa2" is written reduplication
    if redup:
        candidates.append(redup.group(1))
    elif not token.isdigit() and not token.isalpha():  # "g0bl0k", "idi0ts"
        candidates.append(token.translate(_LEET))
    for word in list(candidates):
        candidates.append(_REPEAT3_RE.sub(r"\1", word))
        candidates.append(_REPEAT2_RE.sub(r"\1", word))
    for word in candidates:
        if word in known:
            return word
    for word in candidates:
        stem = _strip_affixes(word, data.stems)
        if stem is not None:
            return stem
    return _REPEAT3_RE.sub(r"\1", token)


def _tokens(text: str) -> list[str]:
    return list(map(_canonical, _TOKEN_RE.findall(text.lower())))


def _merge_phrases(tokens: list[str], phrases: dict[str, list[tuple[str, ...]]]) -> list[str]:
    if phrases.keys().isdisjoint(tokens):
        return tokens  # most posts hold no phrase's first word; callers only read the list
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
    data = _data()
    # A word on both sides counts for Indonesian (indonesian_hits holds the stopwords too).
    id_hits = sum(map(data.indonesian_hits.__contains__, tokens))
    en_hits = sum(map(data.english_only_hits.__contains__, tokens))
    return LANGUAGE_ID if id_hits > en_hits else LANGUAGE_EN


def _valences(words: list[str], tables: _Tables) -> list[tuple[int, float]]:
    """(position, valence) of each sentiment word after intensifiers, negation and contrast."""
    valence, negators = tables.valence, tables.negators
    n = len(words)
    contrast_at = (
        -1
        if tables.contrast.isdisjoint(words)
        else max(i for i, word in enumerate(words) if word in tables.contrast)
    )
    contributions: list[tuple[int, float]] = []
    modifying: set[int] = set()  # modifiers that act on a word do not also count as sentiment
    for i in [i for i, word in enumerate(words) if word in valence]:
        word = words[i]
        value = valence[word]
        sign = 1.0 if value > 0 else -1.0
        # Intensifiers sit next to the word they modify, before ("sangat") or after ("banget").
        for j in (i - 1, i - 2):
            if j < 0 or words[j] in _BREAKS:
                break
            step = tables.before.get(words[j])
            if step is not None:
                value += sign * step
                modifying.add(j)
        for j in (i + 1, i + 2):
            if j >= n or words[j] in _BREAKS:
                break
            step = tables.after.get(words[j])
            if step is not None:
                value += sign * step
                modifying.add(j)
            elif words[j] in valence:
                break
        if value * sign < 0:
            value = 0.0  # a dampener weakens a word, it never turns it around
        # A negator governs the first sentiment word after it, within a short window; a problem
        # noun further away ("never had a single problem").
        window = _PROBLEM_NEGATION_WINDOW if word in _PROBLEM_WORDS else _NEGATION_WINDOW
        for j in range(i - 1, max(i - 1 - window, -1), -1):
            previous = words[j]
            if previous in _BREAKS:
                break
            if (
                window == _PROBLEM_NEGATION_WINDOW
                and previous not in negators
                and previous not in _PROBLEM_FILLERS
            ):
                # "gak baca keluhan gw" negates the reading, not the complaint: only filler words
                # may stand between a negator and the problem it denies ("never had a single problem").
                break
            if previous in negators:
                if words[j + 1] in _NEGATION_BLOCKERS:  # "tidak hanya bagus" is not a negation
                    break
                if previous in _JANGAN and word not in _JANGAN_FLIPS:
                    modifying.add(j)  # "jangan bohong" scolds: the word keeps its sign
                    break
                if word in _PROBLEM_WORDS and value < 0:
                    value = _PROBLEM_NEGATED_VALENCE
                else:
                    value *= _NEGATION_SCALAR
                modifying.add(j)
                break
            if previous in valence and previous not in tables.before and j < i - 1:
                break
            if j < i - _NEGATION_WINDOW and previous in valence:
                break
        if contrast_at >= 0:
            value *= _CONTRAST_BEFORE if i < contrast_at else _CONTRAST_AFTER
        contributions.append((i, value))
    return [(i, v) for i, v in contributions if i not in modifying]


def _with_exclamations(total: float, exclamations: int) -> float:
    if not total:
        return total
    emphasis = min(exclamations, 4) * _EXCLAMATION_STEP
    return total + emphasis if total > 0 else total - emphasis


def _normalise(total: float) -> float:
    return total / math.sqrt(total * total + _ALPHA)


def _flags(tokens: list[str], raw: list[str], language: str, joined: str) -> set[str]:
    data = _data()
    tables = [data.flags[LANGUAGE_EN]]
    if language == LANGUAGE_ID:
        # Indonesian posts borrow English complaint words ("refund", "scam"); not the reverse.
        tables.insert(0, data.flags[LANGUAGE_ID])
    negators = data.all_negators
    folds = _FLAG_FOLDS
    tokens = list(map(folds.get, tokens, tokens))  # folds.get(token, token), in C
    firsts = data.flag_firsts[language]
    found: set[str] = set()
    strong_complaint = False
    for i in [i for i, token in enumerate(tokens) if token in firsts]:
        token = tokens[i]
        for table in tables:
            for words, flag in table.get(token, ()):
                if tuple(tokens[i : i + len(words)]) != words:
                    continue
                if flag in found and (flag != FLAG_COMPLAINT or strong_complaint):
                    continue
                # "tidak kecewa" praises; a phrase that spells its own negation ("tidak sampai") still fires.
                if flag == FLAG_COMPLAINT and len(words) == 1 and _negated(tokens, i, negators):
                    continue
                found.add(flag)
                if flag == FLAG_COMPLAINT and words not in _WEAK_COMPLAINTS:
                    strong_complaint = True
    if FLAG_COMPLAINT in found and not strong_complaint:
        found.add(_WEAK)
    # Threat patterns of both languages, whatever the post's language: a source that labels an
    # Indonesian threat "en" must not hide it.
    if FLAG_THREAT not in found and data.threat_re[LANGUAGE_ID].search(joined, raw):
        found.add(FLAG_THREAT)
    if FLAG_ABUSE not in found and data.abuse_re[language].search(joined, tokens):
        found.add(FLAG_ABUSE)
    return found


# Complaint words that also name routine requests ("mau refund, prosedurnya gimana?", "refund sudah
# masuk"): the mention is flagged a complaint, but the word alone does not make it negative.
_WEAK_COMPLAINTS = frozenset({("refund",), ("complaint",), ("komplain",)})
_WEAK = "weak_complaint"
# A problem that is fixed praises: "masalah langsung beres", "issue resolved in minutes".
_RESOLVED = frozenset(
    "beres teratasi terselesaikan kelar solved resolved fixed sorted cair masuk balik kembali clear".split()
)


# Tokens that flag terms spell differently: every "not" as "tidak", inflected insults as listed.
# Filled by _canonical as it meets words, so a lookup per token is one dict access.
_FLAG_FOLDS: dict[str, str] = dict.fromkeys(_NOT_SPELLINGS, _NOT)


def _abuse_form(token: str) -> str:
    """The insult a known word inflects ("morons" -> "moron"): VADER knows "morons" as a word, so
    _canonical keeps it, but the flag list names the singular."""
    words = _data().abuse_words
    if token in words or not token.isalpha():
        return token
    for suffix in ("es", "s", "ing", "ed", "ers", "er"):
        if token.endswith(suffix) and token[: -len(suffix)] in words:
            return token[: -len(suffix)]
    return token


def _negated(tokens: list[str], i: int, negators: frozenset[str]) -> bool:
    for j in (i - 1, i - 2, i - 3):
        if j < 0 or tokens[j] in _BREAKS:
            return False
        if tokens[j] in negators:
            return True
    return False


def _is_question(text: str, tokens: list[str], language: str, joined: str) -> bool:
    if "?" in text:
        return True
    starters = _ID_QUESTION_STARTERS if language == LANGUAGE_ID else _EN_QUESTION_STARTERS
    # Most posts hold no word the walk below could answer to (`joined` is the tokens with spaces).
    if starters.isdisjoint(tokens) and (
        language != LANGUAGE_ID or (_ID_QUESTION_WORDS.isdisjoint(tokens) and "kah" not in joined)
    ):
        return False
    at_start = True
    for i, token in enumerate(tokens):
        if token in _BREAKS or token in _QUOTES:
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


def _sarcastic(
    lowered: str,
    raw: list[str],
    words: list[str],
    values: list[tuple[int, float]],
    complaint: bool,
    waited: bool,
    negators: frozenset[str],
) -> bool:
    """Praise said with a complaint: an ironic emoji, a sarcastic formula, praise that opens a post
    whose rest complains, or praise next to a waiting time."""
    if not any(v > 0 for _, v in values):
        return False
    if not _IRONY_EMOJI.isdisjoint(raw):
        return True
    if not _SARCASM_STRONG_WORDS.isdisjoint(raw) and _SARCASM_STRONG_RE.search(lowered):
        return True
    negative = (
        complaint or waited or any(v < 0 for _, v in values) or _SCARE_QUOTES_RE.search(lowered) is not None
    )
    if (
        (negative or not negators.isdisjoint(words))
        and not _SARCASM_WEAK_WORDS.isdisjoint(raw)
        and _SARCASM_WEAK_RE.search(lowered)
    ):
        return True
    if waited:
        return True
    # "Fantastic, now the app won't even open": praise, a break, then the complaint.
    first = values[0]
    if first[1] > 0 and first[0] <= 2 and words[first[0]] not in _THANKS:
        # An ironic 👍 after the complaint is not praise ("still in the warehouse 👍").
        rest = sum(v for i, v in values[1:] if words[i] not in _POSITIVE_EMOJI_IRONIC)
        if rest < 0 or ((complaint or _SCARE_QUOTES_RE.search(lowered)) and rest <= 0):
            return True
    return False


def score_text(text: str, language: str | None = None) -> Score:
    """Score one post; `language` ("en"/"id") skips detection when the source already knows it."""
    lowered = text.lower().replace("’", "'")
    raw = _TOKEN_RE.findall(lowered)
    tokens = list(map(_canonical, raw))
    if language is None:
        language = _detect(tokens)
    elif language not in (LANGUAGE_EN, LANGUAGE_ID):
        raise ValueError(f"Unsupported language {language!r}; expected 'en' or 'id'.")
    data = _data()
    joined = " ".join(tokens)
    flags = _flags(tokens, raw, language, joined)
    is_complaint = FLAG_COMPLAINT in flags
    is_threat = FLAG_THREAT in flags
    is_abuse = FLAG_ABUSE in flags
    tables = data.id if language == LANGUAGE_ID else data.en
    words = _merge_phrases(tokens, tables.phrases)
    values = _valences(words, tables)
    resolved = not _RESOLVED.isdisjoint(tokens) and any(
        token in _RESOLVED and not _negated(tokens, i, data.all_negators) for i, token in enumerate(tokens)
    )
    if resolved:
        values = [(i, v) for i, v in values if not (v < 0 and words[i] in _PROBLEM_WORDS)]
    # A complaint that weighs: not only a routine word ("refund"), not a problem reported fixed.
    complaint = is_complaint and _WEAK not in flags and not (resolved and not any(v < 0 for _, v in values))
    if (
        is_abuse
        and data.soft_abuse
        and all(t not in data.abuse_words or t in data.soft_abuse for t in tokens)
    ):
        # Only soft profanity ("fucking love this", "damn good"): abuse when the rest is not praise.
        rest = sum(v for i, v in values if words[i] not in data.soft_abuse)
        if rest > 0 and not data.abuse_re[language].search(joined, tokens):
            is_abuse = False
            values = [(i, v) for i, v in values if words[i] not in data.soft_abuse]
    waited = not _WAIT_WORDS.isdisjoint(raw) and _WAIT_RE.search(lowered) is not None
    if _sarcastic(lowered, raw, words, values, complaint, waited, tables.negators):
        values = [(i, v * _SARCASM_SCALAR if v > 0 else v) for i, v in values]
    total = sum(v for _, v in values)
    if complaint or waited:
        total += _COMPLAINT_VALENCE[language]
    is_question = _is_question(text, tokens, language, joined)
    if is_question and not complaint and _QUESTION_DEAD_ZONE[0] <= total <= _QUESTION_DEAD_ZONE[1]:
        total = 0.0  # "Is delivery free?" asks; it does not praise. "Why is it worse?" complains.
    sentiment = _normalise(_with_exclamations(total, text.count("!")))
    if complaint and NEGATIVE_THRESHOLD < sentiment < POSITIVE_THRESHOLD:
        sentiment = COMPLAINT_SENTIMENT
    if is_threat or is_abuse:
        sentiment = min(sentiment, FLAGGED_SENTIMENT)
    sentiment = max(-1.0, min(1.0, sentiment))
    return Score(
        sentiment=sentiment,
        band=band_for(sentiment),
        language=language,
        is_abuse=is_abuse,
        is_threat=is_threat,
        is_complaint=is_complaint,
        is_question=is_question,
    )


def is_threat(text: str) -> bool:
    """Whether a post threatens violence, harm or doxxing: the same answer as
    `score_text(text).is_threat` (in any language), without scoring the rest. The intake runs it on every
    incoming row so a threat escalates before bulk scoring reaches it; most posts hold none of
    the patterns' trigger words and cost one tokenising pass."""
    patterns = _data().threat_re[LANGUAGE_ID]  # the id set includes every en pattern
    raw = _TOKEN_RE.findall(text.lower().replace("’", "'"))
    if patterns.triggers.isdisjoint(raw):
        return False
    return patterns.search(" ".join(_canonical(token) for token in raw), raw)


def score_batch(texts: list[tuple[str, str | None]]) -> list[Score]:
    """Score (text, language-or-None) pairs in order, sharing the loaded lexicons."""
    return [score_text(text, language) for text, language in texts]
