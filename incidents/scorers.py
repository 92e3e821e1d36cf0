"""The scorer the scoring task uses, chosen by settings: the lexicon scorer (default) or a model
server over HTTP, which falls back to the lexicon scorer when it is slow, down or answers nonsense.

A model server receives POST `{"texts": [{"text": "...", "language": "id" | "en" | null}, ...]}`
and answers `{"scores": [{"sentiment": -1..1, "language"?: "id"|"en", "is_threat"?: bool,
"is_abuse"?: bool, "is_complaint"?: bool}, ...]}` in the same order. Threat and abuse flags are the
union of the model's and the lexicon's, so a model can add detections but never hide one; a
flagged mention is always negative.
"""

from __future__ import annotations

import json
import logging
import math
from dataclasses import dataclass, replace
from typing import Any, Protocol

from django.conf import settings

from incidents import scoring
from tenants.outbound import OutboundError, outbound_request

logger = logging.getLogger(__name__)

BACKEND_LEXICON = "lexicon"
BACKEND_HTTP = "http"


class Scorer(Protocol):
    """Scores (text, language-or-None) pairs in order."""

    name: str

    def score_batch(self, texts: list[tuple[str, str | None]]) -> list[scoring.Score]: ...


class LexiconScorer:
    """The built-in scorer (incidents/scoring.py): no network, tens of thousands of texts/s."""

    name = BACKEND_LEXICON

    def score_batch(self, texts: list[tuple[str, str | None]]) -> list[scoring.Score]:
        return scoring.score_batch(texts)


class ModelServerError(Exception):
    """The model server could not be reached in time or answered something unusable."""


def model_server_post(*, url: str, payload: dict, timeout: float, token: str = "") -> Any:
    """POST `payload` as JSON and return the decoded answer; every failure is ModelServerError.
    Through the one outbound client: resolved once, public addresses only (unless the installation
    allows private ones, as a model server on the agency's own network needs), time and size capped."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        response = outbound_request(
            "POST", url, json=payload, headers=headers, timeout=(timeout, timeout), total_seconds=timeout
        )
        if not response.ok:
            raise ModelServerError(f"HTTP {response.status_code}")
        return json.loads(response.content)
    except (OutboundError, ValueError) as exc:
        raise ModelServerError(str(exc)) from exc


@dataclass
class HttpModelScorer:
    """Scores with a model server; on a timeout, an error or a malformed answer the whole batch
    is scored by `fallback` and a warning is logged."""

    url: str
    timeout: float = 2.0
    token: str = ""
    fallback: Scorer | None = None
    name: str = BACKEND_HTTP

    def score_batch(self, texts: list[tuple[str, str | None]]) -> list[scoring.Score]:
        # The lexicon runs anyway: its threat and abuse flags must hold whatever the model says.
        local = (self.fallback or LexiconScorer()).score_batch(texts)
        if not texts:
            return local
        payload = {"texts": [{"text": text, "language": language} for text, language in texts]}
        try:
            answer = model_server_post(url=self.url, payload=payload, timeout=self.timeout, token=self.token)
            return [
                _merge(own, theirs) for own, theirs in zip(local, _parse(answer, len(texts)), strict=True)
            ]
        except ModelServerError as exc:
            logger.warning(
                "Model server %s failed (%s); scored %d texts with the lexicon.", self.url, exc, len(texts)
            )
            return local


def _parse(answer: Any, expected: int) -> list[dict]:
    scores = answer.get("scores") if isinstance(answer, dict) else None
    if not isinstance(scores, list) or len(scores) != expected:
        raise ModelServerError(f"expected {expected} scores in the answer")
    for item in scores:
        value = item.get("sentiment") if isinstance(item, dict) else None
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise ModelServerError("a score without a numeric sentiment")
        if not -1.0 <= value <= 1.0:
            raise ModelServerError("a sentiment outside -1..1")
        if item.get("language") not in (None, scoring.LANGUAGE_EN, scoring.LANGUAGE_ID):
            raise ModelServerError("a language other than en or id")
    return scores


def _merge(own: scoring.Score, theirs: dict) -> scoring.Score:
    is_threat = own.is_threat or theirs.get("is_threat") is True
    is_abuse = own.is_abuse or theirs.get("is_abuse") is True
    sentiment = float(theirs["sentiment"])
    if is_threat or is_abuse:
        sentiment = min(sentiment, scoring.FLAGGED_SENTIMENT)
    return replace(
        own,
        sentiment=sentiment,
        band=scoring.band_for(sentiment),
        language=theirs.get("language") or own.language,
        is_threat=is_threat,
        is_abuse=is_abuse,
        is_complaint=own.is_complaint or theirs.get("is_complaint") is True,
    )


def scorer_get() -> Scorer:
    """The scorer the settings name (SCORER_BACKEND, SCORER_HTTP_URL, SCORER_HTTP_TIMEOUT,
    SCORER_HTTP_TOKEN); read on each call, so a changed setting needs no restart of the code."""
    backend = getattr(settings, "SCORER_BACKEND", BACKEND_LEXICON)
    if backend == BACKEND_HTTP:
        url = getattr(settings, "SCORER_HTTP_URL", "")
        if url:
            return HttpModelScorer(
                url=url,
                timeout=float(getattr(settings, "SCORER_HTTP_TIMEOUT", 2.0)),
                token=getattr(settings, "SCORER_HTTP_TOKEN", ""),
            )
        logger.warning("SCORER_BACKEND=http without SCORER_HTTP_URL; using the lexicon scorer.")
    return LexiconScorer()
