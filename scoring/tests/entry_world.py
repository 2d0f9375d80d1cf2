"""The fixture school's term asking the whole presidium to approve discretionary entries."""

from django.utils import timezone

from members.models import Role
from members.tests.factories import RoleAssignmentFactory, UserFactory
from scoring import services


def _by_presidium(school):
    """The term's rulebook asks the whole presidium; returns a second presidium member besides the president."""
    rulebook = services.term_rulebook_bind(organisation=school.org, term=school.term, now=timezone.now())
    rulebook.settings = {**rulebook.settings, "discretionary_approval": "presidium"}
    rulebook.save(update_fields=["settings"])
    second = UserFactory(tenant=school.tenant, username="alpha_vice")
    RoleAssignmentFactory(tenant=school.tenant, user=second, role=Role.PRESIDENT, organisation=school.org)
    return second
