"""Group near-duplicate posts into claims spread by many distinct authors (the rumour detector's core).

Pure Python, no Django. Output is deterministic for a given input, whatever its order.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from datetime import datetime

MAX_EXAMPLES = 5
SHINGLE_SIZE = 3

_URL_RE = re.compile(r"https?://\S+|www\.\S+")
_MENTION_RE = re.compile(r"@\w+")
_NON_WORD_RE = re.compile(r"[^\w\s]+|_")
_REPEAT_RE = re.compile(r"(\w)\1{2,}")
_SEED = 1  # fixed so signatures, and so LSH candidates, are the same on every run
# False negatives weigh 4x false positives when datasketch picks bands x rows (14 x 4 at 64
# permutations): a pair at the threshold becomes a candidate ~86% of the time instead of ~38%.
_LSH_WEIGHTS = (0.2, 0.8)


@dataclass(frozen=True, slots=True)
class ClaimInput:
    id: Hashable
    author: str
    text: str
    posted_at: datetime


@dataclass(frozen=True, slots=True)
class Claim:
    fingerprint: str
    representative: str
    member_ids: tuple[Hashable, ...]
    author_count: int
    first_seen: datetime
    last_seen: datetime
    example_ids: tuple[Hashable, ...]


def normalise(text: str) -> str:
    """Lowercase, drop urls and @mentions, keep hashtag words, strip punctuation and letter runs."""
    text = _URL_RE.sub(" ", text.lower())
    text = _MENTION_RE.sub(" ", text)
    text = _NON_WORD_RE.sub(" ", text)  # "#boikot" keeps "boikot"
    text = _REPEAT_RE.sub(r"\1", text)
    return " ".join(text.split())


def shingles(normalised: str) -> list[bytes]:
    """Word 3-shingles; shorter texts fall back to 2- or 1-word shingles so they still compare."""
    words = normalised.split()
    size = min(SHINGLE_SIZE, len(words))
    return [" ".join(words[i : i + size]).encode() for i in range(len(words) - size + 1)]


def fingerprint(normalised: str) -> str:
    """A claim's key: a hash of its earliest member's normalised text (see `cluster_claims`)."""
    return hashlib.sha1(normalised.encode(), usedforsecurity=False).hexdigest()[:16]


class _UnionFind:
    def __init__(self, size: int) -> None:
        self.parent = list(range(size))

    def find(self, x: int) -> int:
        parent = self.parent
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(self, a: int, b: int) -> None:
        root_a, root_b = self.find(a), self.find(b)
        if root_a != root_b:
            # The smaller index wins so roots do not depend on the order pairs are found in.
            self.parent[max(root_a, root_b)] = min(root_a, root_b)


def cluster_claims(
    items: Iterable[ClaimInput],
    *,
    threshold: float = 0.6,
    num_perm: int = 64,
    min_authors: int = 5,
) -> list[Claim]:
    """Return claims (near-duplicate groups) posted by at least `min_authors` distinct authors.

    Two posts join when LSH proposes them and the exact Jaccard similarity of their word shingles
    reaches `threshold`; joining is transitive. Claims come most-spread first (distinct authors, then earliest).

    `Claim.fingerprint` hashes the normalised text of the claim's earliest member (ties broken by
    normalised text), so a re-run over a window that has gained later posts yields the same key
    and an alert can be updated, not duplicated. It changes only if a post older than every
    current member joins the claim, or the earliest member leaves the window: callers keep the
    window covering the alert's first post, or fall back to matching alerts by member overlap.
    """
    # Identical texts (retweets, copy-paste) share one signature: hash each distinct text once.
    posts_by_text: dict[str, list[ClaimInput]] = defaultdict(list)
    for item in items:
        text = normalise(item.text)
        if text:
            posts_by_text[text].append(item)
    if not posts_by_text:
        return []
    # Every distinct text is hashed, even one with a single author: it can bridge two variants.
    # Sorting makes union-find roots, and so the output, independent of input order.
    # Imported here: datasketch loads scipy (about half a second), which every web, worker and
    # command process would otherwise pay at start-up although only the rumour sweep needs it.
    from datasketch import LeanMinHash, MinHash, MinHashLSH

    texts = sorted(posts_by_text)
    shingle_sets = [frozenset(shingles(text)) for text in texts]
    signatures = [
        LeanMinHash(minhash) for minhash in MinHash.bulk(shingle_sets, num_perm=num_perm, seed=_SEED)
    ]
    # LSH tuned for recall (a missed variant splits a claim); exact Jaccard below restores precision.
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm, weights=_LSH_WEIGHTS)
    with lsh.insertion_session() as session:
        for index, signature in enumerate(signatures):
            session.insert(index, signature, check_duplication=False)
    groups = _UnionFind(len(texts))
    for index, signature in enumerate(signatures):
        mine = shingle_sets[index]
        for other in lsh.query(signature):
            if other > index and groups.find(index) != groups.find(other):
                theirs = shingle_sets[other]
                if len(mine & theirs) >= threshold * len(mine | theirs):
                    groups.union(index, other)

    members: dict[int, list[int]] = defaultdict(list)
    for index in range(len(texts)):
        members[groups.find(index)].append(index)

    claims: list[Claim] = []
    for indexes in members.values():
        posts = [(post, texts[index]) for index in indexes for post in posts_by_text[texts[index]]]
        authors = {post.author for post, _ in posts}
        if len(authors) < min_authors:
            continue
        posts.sort(key=lambda pair: (pair[0].posted_at, pair[1], str(pair[0].id)))
        earliest, earliest_text = posts[0]
        claims.append(
            Claim(
                fingerprint=fingerprint(earliest_text),
                representative=earliest.text,
                member_ids=tuple(post.id for post, _ in posts),
                author_count=len(authors),
                first_seen=earliest.posted_at,
                last_seen=posts[-1][0].posted_at,
                example_ids=tuple(post.id for post, _ in posts[:MAX_EXAMPLES]),
            )
        )
    claims.sort(key=lambda claim: (-claim.author_count, claim.first_seen, claim.fingerprint))
    return claims
