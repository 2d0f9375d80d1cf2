"""The alliance's demo records (attendance/demo_data.py): made through the services once, scored, never doubled."""

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_scopes import scopes_disabled

from attendance.models import Attendance, LeaveRequest, Meeting, MeetingKind, Minutes, Task
from orgs.calendar import local_date
from orgs.models import Organisation, OrganisationKind, Tenant, Term
from orgs.tenancy import tenant_scope
from scoring import engine, facts, services
from scoring.models import DiscretionaryEntry, Incident, LedgerEntry, Sanction, TermRulebook

pytestmark = pytest.mark.django_db


def test_seed_demo_records_the_alliance_once_and_scores_it():
    call_command("seed_demo", quiet=True, force_known_password=True)
    tenant = Tenant.objects.get(slug="hut")
    with tenant_scope(tenant):
        kinds = set(Meeting.objects.values_list("kind", flat=True))
        assert kinds == {MeetingKind.DEPARTMENT, MeetingKind.PLENARY, MeetingKind.DUTY, MeetingKind.ACTIVITY}
        assert Attendance.objects.exclude(status="unmarked").count() > 100
        assert Minutes.objects.exists() and Task.objects.count() == 3 and LeaveRequest.objects.count() == 1
        alliance = Organisation.objects.get(kind=OrganisationKind.ALLIANCE)
        today = local_date(timezone.now())
        term = Term.objects.get(start__lte=today, end__gte=today)
        stored = sorted(LedgerEntry.objects.filter(organisation=alliance, term=term).values_list(
            "person_id", "rule_id", "fact_type", "fact_key", "points"))
        assert len(stored) > 100
        rulebook = services.engine_rulebook(TermRulebook.objects.get(organisation=alliance, term=term).rulebook)
        now = timezone.now()
        computed = engine.compute(facts.load(organisation_id=alliance.pk, term=term), rulebook, as_of=now,
                                  today=local_date(now))
        assert stored == sorted(e[:5] for e in computed)  # the saves kept the ledger equal to the facts
        # scoring/demo_data.py: incidents, discretionary entries and a confirmed warning
        assert Incident.objects.count() == 4 and DiscretionaryEntry.objects.count() == 6
        assert Sanction.objects.filter(status="confirmed").count() == 1
        counts = (Meeting.objects.count(), Task.objects.count(), LedgerEntry.objects.count())
    call_command("seed_demo", quiet=True, force_known_password=True)
    with scopes_disabled():
        assert (Meeting.objects.filter(tenant=tenant).count(), Task.objects.filter(tenant=tenant).count(),
                LedgerEntry.objects.filter(tenant=tenant).count()) == counts
