"""Scoring and rumour-clustering throughput, each against a baseline measured in the same run.

    .venv/bin/python bench/scoring.py [--count 20000] [--db 50000]

Scoring (target: >= 30,000 texts/s on one core) runs over the labelled texts of both languages
(tuning and held-out), repeated to --count, with language detection. Times are the process's
CPU time (time.process_time), so a busy machine does not count against the scorer. Baselines: plain VADER
(SentimentIntensityAnalyzer.polarity_scores) on the same texts, and a bare lowercase-and-split
pass (what any tokenising scorer must at least do). It also prints plain VADER's English held-out
figures next to the scorer's, the measurement behind keeping or dropping VADER's own rules. For
clustering, the baseline is the bare pass over the 5,000 posts.

With --db N it also scores N unscored mentions (the labelled texts, COPYed into the brand
`bench-scoring`, emptied first) through `mentions_score_pending`, the worker's own path: claim with
SKIP LOCKED, score, write back, link answers (target: >= 40,000 mentions/s per process, database
write included). That figure is wall time, as a worker sees it; the database's share is printed
beside it, and (for a database server on this machine, as the embedded one is) the CPU time per
mention of this process and of its database server process, which a busy machine does not inflate."""

import argparse
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from statistics import median

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from incidents.rumour import ClaimInput, cluster_claims  # noqa: E402
from incidents.scoring import band_for, score_batch  # noqa: E402

DATA = ROOT / "tests/incidents/data"


def _labelled(*names: str) -> list[tuple[str, str, str]]:
    rows = []
    for name in names or ("sentiment_labelled.tsv", "sentiment_heldout.tsv"):
        for line in (DATA / name).read_text(encoding="utf-8").splitlines():
            if line and not line.startswith("#"):
                text, language, band = line.split("\t")[:3]
                rows.append((text, language, band))
    return rows


def _macro_f1(pairs: list[tuple[str, str]]) -> float:
    scores = []
    for band in ("negative", "neutral", "positive"):
        tp = sum(1 for gold, got in pairs if gold == band == got)
        fp = sum(1 for gold, got in pairs if gold != band == got)
        fn = sum(1 for gold, got in pairs if gold == band != got)
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        scores.append(2 * p * r / (p + r) if p + r else 0.0)
    return sum(scores) / 3


def _time(fn, repeat: int = 5) -> float:
    # CPU time of this process: "texts/s on one core" even when other work shares the machine's cores.
    runs = []
    for _ in range(repeat):
        started = time.process_time()
        fn()
        runs.append(time.process_time() - started)
    return median(runs)


def _baseline(texts):
    return [t.lower().split() for t, _ in texts]


def _database(count: int, texts: list[str]) -> None:
    """Score `count` stored mentions through the worker's path and print mentions/s."""
    import os
    from uuid import uuid4  # after the project's root is on the path: uuid imports `platform`

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "platform.settings")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()
    from django.db import connection
    from django_tenants.utils import tenant_context

    from incidents.scoring import is_threat as scoring_is_threat
    from incidents.services.intake import mentions_score_pending
    from tenants.models import Brand
    from tenants.services import brand_create

    brand = Brand.objects.filter(slug="bench-scoring").first() or brand_create(
        agency=None, slug="bench-scoring", name="Bench scoring"
    )
    now = datetime.now(UTC)
    # Flagged as intake flags them: a threat raises its alert at intake, not when scored.
    threats = [scoring_is_threat(t) for t in texts]
    with tenant_context(brand):
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE incidents_mention, incidents_alert CASCADE")
            with cursor.copy(
                "COPY incidents_mention (id, platform, external_id, kind, author_handle, author_name, text, url, "
                "posted_at, parent_external_id, reach, engagement, received_at, updated_at, source_language, "
                "language, sentiment_band, is_abuse, is_threat, is_complaint, is_question, is_own) FROM STDIN"
            ) as copy:
                for i in range(count):
                    copy.write_row(
                        [uuid4(), "x", f"s{i}", "post", f"@u{i % 997}", "", texts[i % len(texts)], "",
                         now - timedelta(seconds=i), f"s{i - 1}" if i % 5 == 2 else "", 0, 0, now, now,
                         "", "", "", False, threats[i % len(texts)], False, False, i % 50 == 0]
                    )  # fmt: skip
            cursor.execute("ANALYZE incidents_mention")
            cursor.execute("SELECT pg_backend_pid()")
            backend = cursor.fetchone()[0]
        started, cpu, server_cpu = time.perf_counter(), time.process_time(), _server_cpu(backend)
        scored = mentions_score_pending()
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu
        server_cpu = _server_cpu(backend) - server_cpu if server_cpu is not None else None
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM incidents_mention WHERE scored_at IS NULL")
            left = cursor.fetchone()[0]
            cursor.execute("TRUNCATE incidents_mention CASCADE")
    print(
        f"scoring with the database write: {scored:,} mentions in {wall:.2f} s = {scored / wall:,.0f} mentions/s "
        f"(wall, one process; this process's CPU {cpu:.2f} s, so the database's share is about "
        f"{max(wall - cpu, 0) / wall:.0%}); {left} left unscored"
    )
    if server_cpu is not None:
        # Wall time on a shared machine also counts waiting for a core; CPU per mention does not.
        print(
            f"CPU per mention: this process {cpu / scored * 1e6:.0f} us, its database server process "
            f"{server_cpu / scored * 1e6:.0f} us (together {scored / (cpu + server_cpu):,.0f} mentions/s of CPU)"
        )


def _server_cpu(pid: int) -> float | None:
    """CPU seconds the database server process `pid` has used, when it runs on this machine (the
    embedded server does); None when its /proc entry cannot be read."""
    import os

    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=20_000)
    parser.add_argument("--db", type=int, default=0, help="also score this many stored mentions")
    args = parser.parse_args()
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    vader = SentimentIntensityAnalyzer()
    rows = _labelled()
    texts = [(t, None) for t, _, _ in rows]
    batch = (texts * (args.count // len(texts) + 1))[: args.count]
    score_batch(batch[: len(texts)])
    scoring = _time(lambda: score_batch(batch))
    plain_vader = _time(lambda: [vader.polarity_scores(t) for t, _ in batch], repeat=3)
    base = _time(lambda: _baseline(batch))
    print(f"scoring, both languages: {len(batch) / scoring:,.0f} texts/s (one core, with language detection)")
    print(
        f"plain VADER:             {len(batch) / plain_vader:,.0f} texts/s; "
        f"ratio scoring/VADER = {plain_vader / scoring:.2f}"
    )
    print(
        f"baseline split:          {len(batch) / base:,.0f} texts/s; ratio scoring/split = {base / scoring:.3f}"
    )

    held_out = [(t, band) for t, lang, band in _labelled("sentiment_heldout.tsv") if lang == "en"]
    ours = [
        (band, s.band)
        for (_, band), s in zip(held_out, score_batch([(t, "en") for t, _ in held_out]), strict=True)
    ]
    theirs = [(band, band_for(vader.polarity_scores(t)["compound"])) for t, band in held_out]
    for name, pairs in (("scorer", ours), ("plain VADER", theirs)):
        accuracy = sum(g == p for g, p in pairs) / len(pairs)
        print(f"held-out en, {name}: accuracy {accuracy:.3f}, macro-F1 {_macro_f1(pairs):.3f}")

    rng = random.Random(17)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    words = [t.split() for t, _, _ in rows]
    items = [
        ClaimInput(
            id=i, author=f"a{i}", text=" ".join(rng.choice(words)), posted_at=start + timedelta(seconds=i)
        )
        for i in range(5_000)
    ]
    cluster_claims(items[:50])
    clustering = _time(lambda: cluster_claims(items), repeat=3)
    base = _time(lambda: [item.text.lower().split() for item in items])
    print(f"rumour clustering of 5,000 posts: {clustering * 1000:.0f} ms (median of 3)")
    print(f"baseline split of the same posts: {base * 1000:.1f} ms; ratio = {base / clustering:.4f}")
    if args.db:
        _database(args.db, [t for t, _, _ in rows])


if __name__ == "__main__":
    main()
