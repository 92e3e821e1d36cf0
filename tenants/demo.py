"""Demo story hooks: each app registers a function that fills one demo brand's schema with its
part of the story; `seed_demo` calls them inside each demo brand (tenants imports no other app)."""

from collections.abc import Callable

DEMO_SEEDERS: list[Callable] = []


def register_demo_seeder(seeder: Callable) -> None:
    """`seeder(*, brand, users)` runs inside the brand's schema; `users` maps demo emails to users.
    It must be idempotent: a second run adds nothing."""
    if seeder not in DEMO_SEEDERS:
        DEMO_SEEDERS.append(seeder)
