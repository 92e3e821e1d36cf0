"""Demo story hooks: tenant apps register what fills a demo brand's schema with their part of the
story (tenants imports no other app); `seed_demo` runs them. Every hook is idempotent: a second run
adds nothing. Seeders run in every demo brand first; named stories run afterwards in one brand;
finishers run last, once, in public."""

from collections.abc import Callable

DEMO_SEEDERS: list[Callable] = []
_STORIES: dict[str, tuple[str, Callable[[], str]]] = {}
DEMO_FINISHERS: list[Callable[[], str]] = []


def register_demo_seeder(seeder: Callable) -> None:
    """`seeder(*, brand, users)` runs inside each demo brand's schema; `users` maps demo emails to
    users."""
    if seeder not in DEMO_SEEDERS:
        DEMO_SEEDERS.append(seeder)


def register_demo_story(name: str, *, brand_slug: str, story: Callable[[], str]) -> None:
    """Run `story()` in `brand_slug`'s schema after the seeders; it returns one line saying what it
    did."""
    _STORIES[name] = (brand_slug, story)


def demo_stories() -> list[tuple[str, str, Callable[[], str]]]:
    return [(name, slug, story) for name, (slug, story) in sorted(_STORIES.items())]


def register_demo_finisher(finisher: Callable[[], str]) -> None:
    """`finisher()` runs once, in public, after every seeder and story (e.g. computing summaries
    of what they wrote); it returns one line saying what it did."""
    if finisher not in DEMO_FINISHERS:
        DEMO_FINISHERS.append(finisher)
