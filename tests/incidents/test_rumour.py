"""Rumour clustering: near-variants from many authors become one claim; copies from one do not."""

import random
from datetime import UTC, datetime, timedelta

from incidents.rumour import ClaimInput, cluster_claims, fingerprint, normalise

START = datetime(2024, 5, 1, 8, 0, tzinfo=UTC)
CLAIM = "katanya kopi kemasan merek ini mengandung bahan berbahaya dan sudah ditarik bpom dari pasaran"
FILLER = (
    "saya kamu produk baru harga mahal murah toko kirim paket cepat lambat rasa enak bagus jelek "
    "hari ini besok kemarin promo beli jual kak min tolong cek pesanan sudah belum sampai ada yang "
    "mau kopi susu gula manis pahit cafe outlet buka tutup antri kasir struk poin member"
).split()


def _variant(index: int, rng: random.Random) -> str:
    """The claim as people retell it: an extra word, a hashtag, a mention, a link, shouted letters."""
    words = CLAIM.split()
    if index % 3 == 1:
        words.insert(rng.randrange(1, len(words)), rng.choice(["beneran", "gaes", "loh", "wkwk"]))
    if index % 3 == 2:
        words[-1] = "pasarannn!!!"
    prefix = ["", "@kopinusantara ", "RT ", "Hati-hati! "][index % 4]
    suffix = ["", " #boikot", " https://t.co/abc123", " 😡"][index % 4]
    return prefix + " ".join(words) + suffix


def _unrelated(count: int, rng: random.Random) -> list[ClaimInput]:
    return [
        ClaimInput(
            id=f"u{i}",
            author=f"warga{i}",
            text=" ".join(rng.choice(FILLER) for _ in range(rng.randint(6, 20))),
            posted_at=START + timedelta(minutes=i),
        )
        for i in range(count)
    ]


def _spread(count: int, *, authors: int, rng: random.Random) -> list[ClaimInput]:
    return [
        ClaimInput(
            id=f"c{i}",
            author=f"akun{i % authors}",
            text=_variant(i, rng),
            posted_at=START + timedelta(hours=1, minutes=3 * i),
        )
        for i in range(count)
    ]


def test_near_variants_from_many_authors_make_one_claim():
    rng = random.Random(7)
    spread = _spread(30, authors=30, rng=rng)
    items = spread + _unrelated(200, rng)
    rng.shuffle(items)

    claims = cluster_claims(items)

    assert len(claims) == 1
    claim = claims[0]
    assert claim.author_count >= 30
    assert claim.first_seen == START + timedelta(hours=1)
    assert claim.last_seen == START + timedelta(hours=1, minutes=3 * 29)
    assert claim.representative == spread[0].text
    assert set(claim.member_ids) == {item.id for item in spread}
    assert claim.example_ids == ("c0", "c1", "c2", "c3", "c4")


def test_copies_from_one_author_are_not_a_claim():
    rng = random.Random(7)
    assert cluster_claims(_spread(30, authors=1, rng=rng)) == []


def test_min_authors_is_the_cut_off():
    rng = random.Random(7)
    assert len(cluster_claims(_spread(12, authors=4, rng=rng), min_authors=4)) == 1
    assert cluster_claims(_spread(12, authors=4, rng=rng), min_authors=5) == []


def test_unrelated_texts_make_no_claim():
    assert cluster_claims(_unrelated(500, random.Random(3))) == []


def test_empty_and_punctuation_only_input_makes_no_claim():
    assert cluster_claims([]) == []
    posts = [ClaimInput(id=i, author=f"a{i}", text="!!! @x", posted_at=START) for i in range(10)]
    assert cluster_claims(posts) == []


def test_claims_are_sorted_by_distinct_authors():
    rng = random.Random(5)
    small = [
        ClaimInput(
            id=f"s{i}",
            author=f"b{i}",
            text="promo beli satu gratis satu di outlet sudirman ternyata cuma hoaks " + "!" * i,
            posted_at=START + timedelta(minutes=i),
        )
        for i in range(6)
    ]
    claims = cluster_claims(_spread(20, authors=20, rng=rng) + small)
    assert [claim.author_count for claim in claims] == [20, 6]


def test_fingerprint_stays_the_same_when_later_posts_join():
    rng = random.Random(11)
    early = _spread(10, authors=10, rng=rng)
    later = [
        ClaimInput(
            id=f"late{i}",
            author=f"baru{i}",
            text=_variant(i + 1, rng),
            posted_at=START + timedelta(days=1),
        )
        for i in range(15)
    ]
    first_run = cluster_claims(early)
    second_run = cluster_claims(early + later)
    assert first_run[0].fingerprint == second_run[0].fingerprint == fingerprint(normalise(early[0].text))
    assert second_run[0].author_count == 25


def test_result_does_not_depend_on_input_order():
    rng = random.Random(13)
    items = _spread(30, authors=30, rng=rng) + _unrelated(100, rng)
    shuffled = items[:]
    random.Random(1).shuffle(shuffled)
    assert cluster_claims(items) == cluster_claims(shuffled)


def test_normalise_strips_urls_mentions_hashtag_signs_and_letter_runs():
    text = "@brand BENERAN parahhh!!! #Boikot https://t.co/x www.example.com"
    assert normalise(text) == "beneran parah boikot"


def test_five_thousand_posts_find_the_one_spreading_claim():
    # Clustering time is measured by bench/scoring.py, not asserted here.
    rng = random.Random(17)
    items = _spread(300, authors=300, rng=rng) + _unrelated(4_700, rng)
    cluster_claims(items[:50])  # import-time and first-call costs stay out of the figure
    claims = cluster_claims(items)
    assert claims[0].author_count >= 290
