"""Demo stories: tenant apps register a function that fills one demo brand with a story (tenants
imports no other app); `seed_demo` runs each in the brand's schema. Every story is idempotent."""

from collections.abc import Callable

_STORIES: dict[str, tuple[str, Callable[[], str]]] = {}


def register_demo_story(name: str, *, brand_slug: str, story: Callable[[], str]) -> None:
    """Run `story()` in `brand_slug`'s schema on every `seed_demo` (from AppConfig.ready). It
    returns one line saying what it did."""
    _STORIES[name] = (brand_slug, story)


def demo_stories() -> list[tuple[str, str, Callable[[], str]]]:
    return [(name, slug, story) for name, (slug, story) in sorted(_STORIES.items())]
