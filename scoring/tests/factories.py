"""Factories for rulebooks and the ledger. Every sub-factory shares its parent's tenant."""

import datetime as dt

import factory
from django.db.models import Max
from django_scopes import scopes_disabled

from attendance.tests.factories import SHANGHAI
from members.tests.factories import PersonFactory, UserFactory
from orgs.tests.factories import SAME_TENANT, DepartmentFactory, OrganisationFactory, TenantFactory, TermFactory
from scoring.defaults import default_rules, default_settings
from scoring.models import (
    Award,
    DiscretionaryEntry,
    DiscretionaryVote,
    Incident,
    LedgerEntry,
    MemberScore,
    Rule,
    Rulebook,
    Sanction,
    TermRulebook,
    TermSync,
)

CREATED = dt.datetime(2026, 9, 1, 9, 0, tzinfo=SHANGHAI)


def _next_version(organisation) -> int:
    with scopes_disabled():
        return (Rulebook.objects.filter(organisation=organisation).aggregate(v=Max("version"))["v"] or 0) + 1


class RulebookFactory(factory.django.DjangoModelFactory):
    """A complete rulebook (SPEC's default rules), as every stored rulebook is: the engine refuses gaps."""

    class Meta:
        model = Rulebook
        skip_postgeneration_save = True

    tenant = factory.SubFactory(TenantFactory)
    organisation = factory.SubFactory(OrganisationFactory, tenant=SAME_TENANT)
    version = factory.LazyAttribute(lambda o: _next_version(o.organisation))  # after the one made on creation
    settings = factory.LazyFunction(default_settings)
    created_at = CREATED

    @factory.post_generation
    def rules(self, create, extracted, **kwargs):
        if create and extracted is not False:
            Rule.objects.bulk_create([Rule(tenant_id=self.tenant_id, rulebook=self, **row) for row in default_rules()])


class RuleFactory(factory.django.DjangoModelFactory):
    """A rule that takes the place of the rulebook's rule for the same cells, so the rulebook stays complete."""

    class Meta:
        model = Rule

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        Rule.objects.filter(rulebook=kwargs["rulebook"], fact=kwargs["fact"], outcome=kwargs["outcome"],
                            kinds=kwargs["kinds"]).delete()
        return super()._create(model_class, *args, **kwargs)

    tenant = factory.SubFactory(TenantFactory)
    rulebook = factory.SubFactory(RulebookFactory, tenant=SAME_TENANT)
    code = "SC-1"
    clause = "第五条 1(1)"
    label = "部门例会迟到"
    fact = "mark"
    outcome = "late"
    kinds = ["department"]
    points = -1


class TermRulebookFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TermRulebook

    tenant = factory.SubFactory(TenantFactory)
    organisation = factory.SubFactory(OrganisationFactory, tenant=SAME_TENANT)
    term = factory.SubFactory(TermFactory, tenant=SAME_TENANT)
    rulebook = factory.SubFactory(RulebookFactory, tenant=SAME_TENANT,
                                  organisation=factory.SelfAttribute("..organisation"))
    bound_at = CREATED


class LedgerEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LedgerEntry

    tenant = factory.SubFactory(TenantFactory)
    rule = factory.SubFactory(RuleFactory, tenant=SAME_TENANT)
    organisation = factory.SelfAttribute("rule.rulebook.organisation")
    term = factory.SubFactory(TermFactory, tenant=SAME_TENANT)
    person = factory.SubFactory(PersonFactory, tenant=SAME_TENANT)
    fact_type = "attendance"
    fact_key = "1"
    points = -1
    on = dt.date(2026, 11, 20)


class MemberScoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MemberScore

    tenant = factory.SubFactory(TenantFactory)
    organisation = factory.SubFactory(OrganisationFactory, tenant=SAME_TENANT)
    term = factory.SubFactory(TermFactory, tenant=SAME_TENANT)
    person = factory.SubFactory(PersonFactory, tenant=SAME_TENANT)
    points = -2
    entries = 1
    lates = 1


class TermSyncFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TermSync

    tenant = factory.SubFactory(TenantFactory)
    organisation = factory.SubFactory(OrganisationFactory, tenant=SAME_TENANT)
    term = factory.SubFactory(TermFactory, tenant=SAME_TENANT)
    requested = 1


class IncidentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Incident

    tenant = factory.SubFactory(TenantFactory)
    organisation = factory.SubFactory(OrganisationFactory, tenant=SAME_TENANT)
    kind = "rectification"
    person = factory.SubFactory(PersonFactory, tenant=SAME_TENANT)
    on = dt.date(2026, 11, 18)
    note = "整改不到位"
    recorded_by = factory.SubFactory(UserFactory, tenant=SAME_TENANT)
    recorded_at = CREATED


class DiscretionaryEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DiscretionaryEntry

    tenant = factory.SubFactory(TenantFactory)
    rule = factory.SubFactory(RuleFactory, tenant=SAME_TENANT, code="SC-9", clause="第六条 二 1", label="帮助其他部门",
                              fact="discretionary", outcome="helping", kinds=[], points=0, points_min=5,
                              points_max=10)
    organisation = factory.SelfAttribute("rule.rulebook.organisation")
    term = factory.SubFactory(TermFactory, tenant=SAME_TENANT)
    person = factory.SubFactory(PersonFactory, tenant=SAME_TENANT)
    points = 5
    reason = "协助宣传部布置会场"
    on = dt.date(2026, 11, 18)
    entered_by = factory.SubFactory(UserFactory, tenant=SAME_TENANT)
    entered_at = CREATED
    approval = "pending"


class DiscretionaryVoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DiscretionaryVote

    tenant = factory.SubFactory(TenantFactory)
    entry = factory.SubFactory(DiscretionaryEntryFactory, tenant=SAME_TENANT)
    user = factory.SubFactory(UserFactory, tenant=SAME_TENANT)
    agree = True
    at = CREATED


class SanctionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sanction

    tenant = factory.SubFactory(TenantFactory)
    organisation = factory.SubFactory(OrganisationFactory, tenant=SAME_TENANT)
    term = factory.SubFactory(TermFactory, tenant=SAME_TENANT)
    person = factory.SubFactory(PersonFactory, tenant=SAME_TENANT)
    level = "warning"
    basis = factory.LazyFunction(lambda: {"counts": {"lates": 3}, "reasons": [["lates", 3, 3]]})
    proposed_at = CREATED


class AwardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Award

    tenant = factory.SubFactory(TenantFactory)
    organisation = factory.SubFactory(OrganisationFactory, tenant=SAME_TENANT)
    term = factory.SubFactory(TermFactory, tenant=SAME_TENANT)
    department = factory.SubFactory(DepartmentFactory, tenant=SAME_TENANT,
                                    organisation=factory.SelfAttribute("..organisation"))
    category = "officer"
    person = factory.SubFactory(PersonFactory, tenant=SAME_TENANT)
    score = 82
    proposed_by = factory.SubFactory(UserFactory, tenant=SAME_TENANT)
    proposed_at = CREATED
