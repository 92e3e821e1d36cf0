"""The swappable scorer: the lexicon by default, a model server over real HTTP when configured, and
the fall back to the lexicon when the server is slow, down or answers nonsense."""

import json
import logging
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from incidents.scorers import HttpModelScorer, LexiconScorer, scorer_get
from incidents.scoring import score_batch
from tests.incidents.fixtures_early_warning import (  # noqa: F401 - fixtures
    detector_settings_fixture,
    mention_row,
)


class ModelServer:
    """A tiny model server in a thread: answers each text with a fixed sentiment (0.9, or what
    `sentiments` says), or misbehaves as `mode` says ("ok", "slow", "error", "garbage", "short")."""

    def __init__(self) -> None:
        self.mode = "ok"
        self.sentiments: dict[str, float] = {}
        self.extra: dict[str, dict] = {}
        self.requests: list[dict] = []
        self.release = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                server.requests.append({"body": body, "authorization": self.headers.get("Authorization")})
                if server.mode == "slow":
                    server.release.wait(5)  # far beyond the client's timeout; released at teardown
                if server.mode == "error":
                    return self._send(500, b"model crashed")
                if server.mode == "garbage":
                    return self._send(200, b"<html>not json")
                texts = body["texts"][:-1] if server.mode == "short" else body["texts"]
                scores = [
                    {
                        "sentiment": server.sentiments.get(item["text"], 0.9),
                        **server.extra.get(item["text"], {}),
                    }
                    for item in texts
                ]
                self._send(200, json.dumps({"scores": scores}).encode())

            def _send(self, status: int, payload: bytes) -> None:
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except OSError:
                    pass  # the client gave up (timeout)

            def log_message(self, *args) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/score"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def model_server():
    server = ModelServer()
    yield server
    server.stop()


TEXTS = [
    ("Pelayanannya mantap, makasih kak", None),
    ("The coffee was cold and the staff were rude", None),
    ("gue hajar tuh kurir kalo ketemu", None),
]


def test_model_server_scores_replace_the_lexicon_sentiment(model_server):
    model_server.sentiments = {TEXTS[1][0]: 0.6}  # the model disagrees with the lexicon
    scores = HttpModelScorer(url=model_server.url, timeout=2, token="s3cret").score_batch(TEXTS)
    request = model_server.requests[0]
    assert request["body"] == {"texts": [{"text": text, "language": None} for text, _ in TEXTS]}
    assert request["authorization"] == "Bearer s3cret"
    assert scores[0].sentiment == 0.9 and scores[0].band == "positive"
    assert scores[1].sentiment == 0.6 and scores[1].band == "positive"
    # The lexicon's language, complaint and question reading stay.
    assert scores[0].language == "id"


def test_a_model_can_add_a_threat_but_never_hide_one(model_server):
    model_server.extra = {TEXTS[1][0]: {"is_threat": True}}
    scores = HttpModelScorer(url=model_server.url, timeout=2).score_batch(TEXTS)
    # The model called the slang threat positive (0.9); the lexicon's threat flag wins.
    assert scores[2].is_threat and scores[2].band == "negative"
    assert scores[1].is_threat and scores[1].band == "negative"
    assert not scores[0].is_threat


def test_timeout_falls_back_to_the_lexicon(model_server, caplog):
    model_server.mode = "slow"
    with caplog.at_level(logging.WARNING, logger="incidents.scorers"):
        scores = HttpModelScorer(url=model_server.url, timeout=0.3).score_batch(TEXTS)
    assert len(model_server.requests) == 1  # the server was asked, and did not answer in time
    assert scores == score_batch(TEXTS)
    assert "scored 3 texts with the lexicon" in caplog.text


@pytest.mark.parametrize("mode", ["error", "garbage", "short"])
def test_a_bad_answer_falls_back_to_the_lexicon(model_server, mode):
    model_server.mode = mode
    assert HttpModelScorer(url=model_server.url, timeout=2).score_batch(TEXTS) == score_batch(TEXTS)
    assert len(model_server.requests) == 1


@pytest.mark.parametrize("bad", [1.5, "0.3", None, float("nan")])
def test_an_out_of_range_sentiment_falls_back_to_the_lexicon(model_server, bad):
    model_server.sentiments = {TEXTS[0][0]: bad}
    assert HttpModelScorer(url=model_server.url, timeout=2).score_batch(TEXTS) == score_batch(TEXTS)


def test_a_server_that_is_down_falls_back_to_the_lexicon():
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    scorer = HttpModelScorer(url=f"http://127.0.0.1:{port}/score", timeout=1)
    assert scorer.score_batch(TEXTS) == score_batch(TEXTS)


def test_settings_choose_the_backend(settings, model_server):
    assert isinstance(scorer_get(), LexiconScorer)
    settings.SCORER_BACKEND = "http"
    settings.SCORER_HTTP_URL = ""
    assert isinstance(scorer_get(), LexiconScorer)  # http without a URL cannot work
    settings.SCORER_HTTP_URL = model_server.url
    settings.SCORER_HTTP_TIMEOUT = 0.5
    scorer = scorer_get()
    assert isinstance(scorer, HttpModelScorer)
    assert (scorer.url, scorer.timeout) == (model_server.url, 0.5)


@pytest.mark.django_db
def test_the_scoring_task_uses_the_configured_model_server_and_survives_its_timeout(
    settings, model_server, detector_settings
):
    from incidents.models import Mention
    from incidents.services.intake import mentions_ingest, mentions_score_pending

    settings.SCORER_BACKEND = "http"
    settings.SCORER_HTTP_URL = model_server.url
    settings.SCORER_HTTP_TIMEOUT = 0.3
    first = mention_row(text="Kecewa berat, paket hilang")
    mentions_ingest(rows=[first])
    assert mentions_score_pending() == 1
    assert Mention.objects.get(external_id=first["external_id"]).sentiment == 0.9  # the model's

    model_server.mode = "slow"
    second = mention_row(text="Kecewa berat, paket hilang lagi")
    mentions_ingest(rows=[second])
    assert mentions_score_pending() == 1
    stored = Mention.objects.get(external_id=second["external_id"])
    # The lexicon's reading, not a lost batch; had the client waited out the hang, the server's
    # late answer (0.9) would have been stored instead.
    assert stored.sentiment_band == "negative"
    assert stored.scored_at is not None


@pytest.mark.django_db
def test_a_threat_only_the_model_server_sees_escalates_when_scored(settings, model_server, detector_settings):
    from incidents.models import Alert, Mention
    from incidents.services.intake import mentions_ingest, mentions_score_pending

    settings.SCORER_BACKEND = "http"
    settings.SCORER_HTTP_URL = model_server.url
    subtle = mention_row(text="Kita lihat saja nanti malam di parkiran, kamu pasti menyesal")
    model_server.extra = {subtle["text"]: {"is_threat": True}}
    mentions_ingest(rows=[subtle])
    assert not Alert.objects.exists()  # the lexicon reads no threat at intake
    mentions_score_pending()
    stored = Mention.objects.get(external_id=subtle["external_id"])
    assert stored.is_threat and stored.sentiment_band == "negative"
    alert = Alert.objects.get()
    assert alert.detector == "threat" and alert.evidence["mention_id"] == str(stored.pk)
    mentions_ingest(rows=[subtle])  # a resend: still one alert
    assert Alert.objects.count() == 1


@pytest.mark.django_db
def test_a_scoring_batch_waits_for_its_flush_only_when_it_raises_an_alert(
    settings, model_server, detector_settings
):
    # A plain batch lost in a crash is scored again (scored_at stays NULL), so it commits without
    # waiting for its WAL flush; a batch that raised an alert must never lose it.
    from django.db import connection

    from incidents.models import Alert
    from incidents.services.intake import mentions_ingest, mentions_score_batch

    def synchronous_commit() -> str:
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            return cursor.fetchone()[0]

    settings.SCORER_BACKEND = "http"
    settings.SCORER_HTTP_URL = model_server.url
    mentions_ingest(rows=[mention_row(text="Kopinya enak, makasih")])
    assert mentions_score_batch() == 1
    assert synchronous_commit() == "off"  # SET LOCAL: the test's own transaction is still open
    subtle = mention_row(text="Kita lihat saja nanti malam di parkiran, kamu pasti menyesal")
    model_server.extra = {subtle["text"]: {"is_threat": True}}
    mentions_ingest(rows=[subtle])
    assert mentions_score_batch() == 1
    assert Alert.objects.filter(detector="threat").count() == 1
    assert synchronous_commit() == "on"
