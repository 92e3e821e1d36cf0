"""Scoring and rumour-clustering throughput, each against a baseline measured in the same run.

    .venv/bin/python bench/scoring.py

Baselines: for scoring, a bare pass that only lowercases and splits the same texts (what any
tokenising scorer must at least do); for clustering, the same pass over the 5,000 posts."""

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
from incidents.scoring import score_batch  # noqa: E402


def _labelled() -> list[tuple[str, str]]:
    rows = []
    for line in (ROOT / "tests/incidents/data/sentiment_labelled.tsv").read_text().splitlines():
        if line and not line.startswith("#"):
            text, language, _ = line.split("\t")
            rows.append((text, language))
    return rows


def _time(fn, repeat: int = 5) -> float:
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - started)
    return median(runs)


def _baseline(texts):
    return [t.lower().split() for t, _ in texts]


def main() -> None:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()
    rows = _labelled()
    indonesian = [(t, None) for t, lang in rows if lang == "id"]
    batch = (indonesian * (20_000 // len(indonesian) + 1))[:20_000]
    score_batch(batch[:100])
    scoring = _time(lambda: score_batch(batch))
    base = _time(lambda: _baseline(batch))
    print(f"indonesian scoring: {len(batch) / scoring:,.0f} texts/s (with language detection)")
    print(
        f"baseline split:     {len(batch) / base:,.0f} texts/s; ratio scoring/baseline = {base / scoring:.3f}"
    )

    rng = random.Random(17)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    words = [t.split() for t, _ in rows]
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


if __name__ == "__main__":
    main()
