"""Reads of the ladder and sanctions (SC-10, SC-11, SC-14): a member's counts against the ladder, and the
sanctions of a term.
"""


from django.db.models import Q

from members.selectors import organisation_posts
from scoring.models import (
    Sanction,
    SanctionStatus,
)

OPEN_STATUSES = (SanctionStatus.PROPOSED, SanctionStatus.SUBMITTED, SanctionStatus.CONFIRMED,
                 SanctionStatus.FILED)


def sanctions(*, organisation, term, departments: set[int] | None = None, person=None):
    """The term's sanctions of the organisation, members' and departments', newest first; limited to some
    departments' members (a department head) or to one person."""
    rows = Sanction.objects.filter(organisation=organisation, term=term).select_related(
        "person", "department", "submitted_by__person", "decided_by__person", "filed_by__person",
        "revoked_by__person")
    if person is not None:
        rows = rows.filter(person=person)
    elif departments is not None:
        members = [pid for pid, dept, _c, _s, _e in organisation_posts(
            organisation_id=organisation.pk, start=term.start, end=term.end) if dept in departments]
        rows = rows.filter(Q(person_id__in=members) | Q(department_id__in=departments))
    return rows.order_by("-proposed_at", "-pk")
