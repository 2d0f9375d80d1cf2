"""No sensitive name in a notification (DESIGN.md "Data that must not leak"; docs/architecture.md): the check the
test suite runs after every test that used the database (the root conftest.py), over every notification it left.
A duty's text names the duty, the period, the organisation or a task — never the student of a sanction, a
disciplinary record, a failed course or (later) a crisis case. Who counts is ``members.sensitive``'s registry,
which each app extends in its ``sensitive.py``."""

from dataclasses import dataclass

from django_scopes import scopes_disabled

from duties.models import Notification
from members.sensitive import name_pattern, sensitive_names


@dataclass(frozen=True)
class Leak:
    notification: int
    name: str
    text: str


def notification_leaks() -> list[Leak]:
    """Every notification of every school whose title or body contains the name of a person of its school who
    holds a sensitive record. No notification: one cheap query and nothing else."""
    with scopes_disabled():
        if not Notification.objects.exists():
            return []
        rows = list(Notification.objects.values_list("pk", "tenant_id", "title", "body"))
        names = sensitive_names(tenant_ids={tenant_id for _pk, tenant_id, _title, _body in rows})
    patterns = {tenant_id: name_pattern(found) for tenant_id, found in names.items()}
    leaks = []
    for pk, tenant_id, title, body in rows:
        pattern = patterns.get(tenant_id)
        text = f"{title}\n{body}"
        match = pattern.search(text) if pattern else None
        if match:
            leaks.append(Leak(pk, match.group(0), text))
    return leaks
