"""Demo data beyond the schools and accounts: each app that has some declares it in ``<app>/demo_data.py`` with
``@demo_seeder``; ``seed_demo`` runs them after the schools, in the order of INSTALLED_APPS. A seeder takes
``now`` and must be safe to run again (it leaves data it already made alone)."""

from collections.abc import Callable

SEEDERS: list[Callable] = []


def demo_seeder(func: Callable) -> Callable:
    if func not in SEEDERS:
        SEEDERS.append(func)
    return func
