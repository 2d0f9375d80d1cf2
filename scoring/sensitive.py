"""Scoring's sensitive records (members/sensitive.py, found by its discover()): the people with a sanction of the
alliance (SC-11), whatever its state — submitted, decided, filed or revoked."""

from members.models import Person
from members.sensitive import register_sensitive_people
from scoring.models import Sanction


@register_sensitive_people
def _sanctioned(tenant_ids):
    return Person.objects.filter(tenant_id__in=tenant_ids, pk__in=Sanction.objects.filter(
        tenant_id__in=tenant_ids, person__isnull=False).values("person_id"))
