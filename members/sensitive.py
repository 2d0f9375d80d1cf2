"""Who holds a sensitive record (DESIGN.md "Data that must not leak"; docs/architecture.md): a registry the apps
fill, so that a check can make sure such a person's name never shows where it does not belong. Today the test
suite reads every notification text it produced against it (duties/sensitive.py, the root conftest.py).

An app declares its sensitive records in its own ``sensitive.py`` (found by ``discover()``, like
``benchmarks.py`` and ``duties.py``) with ``register_sensitive_people(source)``: ``source(tenant_ids)`` returns
a ``QuerySet`` of the ``Person`` rows of those schools who hold such a record. The registry lives here, beside
the people, so every app above — scoring's sanctions, later the psych network's cases and screenings — can add
to it, and a reader (duties) only reads it.

This module registers members' own: a disciplinary record, an academic standing with a failed course, and a
political status in the party's development (activist, development object, probationary member: the stages a
branch's duties will be about). Every person has *a* political status; naming a league member reveals nothing,
so the others are not registered.
"""

import re
from collections import defaultdict
from collections.abc import Callable, Iterable

from django.db.models import QuerySet
from django.utils.module_loading import autodiscover_modules

from members.models import AcademicStanding, DisciplinaryRecord, Person, PoliticalStatus

Source = Callable[[Iterable[int]], QuerySet]

SOURCES: list[Source] = []
_discovered = False


def register_sensitive_people(source: Source) -> Source:
    """Add ``source(tenant_ids) -> QuerySet[Person]``: the people of those schools holding a sensitive record.
    Usable as a decorator; registering the same function twice adds it once."""
    if source not in SOURCES:
        SOURCES.append(source)
    return source


def discover() -> None:
    """Import every installed app's ``sensitive.py`` (each registers its sources) once."""
    global _discovered
    if not _discovered:
        autodiscover_modules("sensitive")
        _discovered = True


def sensitive_names(*, tenant_ids: Iterable[int]) -> dict[int, set[str]]:
    """{tenant id: names of the people holding a sensitive record there}, one query per registered source. The
    caller opens the scope (or disables scopes) that covers those schools."""
    discover()
    ids = sorted(set(tenant_ids))
    found: dict[int, set[str]] = defaultdict(set)
    if not ids:
        return found
    for source in SOURCES:
        for tenant_id, name in source(ids).values_list("tenant_id", "name").distinct():
            if name:
                found[tenant_id].add(name)
    return found


def name_pattern(names: Iterable[str]) -> re.Pattern | None:
    """One pattern finding any of ``names`` in a text (the longest first). A name ending in a digit (the test
    factories' 学生1) does not match inside a longer number (学生12). Names of one character are left out: in
    Chinese text they would match everywhere."""
    parts = [re.escape(n) + (r"(?!\d)" if n[-1].isdigit() else "")
             for n in sorted({n.strip() for n in names if len(n.strip()) > 1}, key=len, reverse=True)]
    return re.compile("|".join(parts)) if parts else None


@register_sensitive_people
def _disciplined(tenant_ids):
    return Person.objects.filter(tenant_id__in=tenant_ids, pk__in=DisciplinaryRecord.objects.filter(
        tenant_id__in=tenant_ids).values("person_id"))


@register_sensitive_people
def _failing(tenant_ids):
    return Person.objects.filter(tenant_id__in=tenant_ids, pk__in=AcademicStanding.objects.filter(
        tenant_id__in=tenant_ids, failed_courses__gt=0).values("person_id"))


@register_sensitive_people
def _in_party_development(tenant_ids):
    return Person.objects.filter(tenant_id__in=tenant_ids, political_status__in=(
        PoliticalStatus.ACTIVIST, PoliticalStatus.DEVELOPMENT, PoliticalStatus.PROBATIONARY))
