"""Demo scoring records of hut's alliance (seed_demo, after attendance's): incidents of members and departments,
discretionary entries in every state, and one sanction taken through the office and the president — through
the services, so the ledger and the ladder follow. Runs once: a school with incidents already is left alone.

It leaves work waiting on the duties' to-do lists (scoring/duties.py): positive entries for the president
(hut_president) to approve, a department warning submitted for the president to decide, and a confirmed warning
for the office (hut_office) to file. Some of these acts are dated five days back (``AGO``; what proposed the
sanctions a day before that) so that, with the default policy of seven days, they are due within the reminder
lead and show on the home page's to-do at once rather than four days later. The submitted sanction is topped up
on its own (once) for a demo seeded before it existed."""

import datetime as dt

from django_scopes import scopes_disabled

from members.demo.terms import month_name
from members.models import Person, User
from members.selectors import organisation_posts
from orgs.calendar import local_date
from orgs.demo import demo_seeder
from orgs.models import Department, Organisation, OrganisationKind, Tenant, Term
from orgs.tenancy import tenant_scope
from scoring import services
from scoring.models import Incident, Sanction, SanctionStatus

#: How far back the demo dates the acts that leave work waiting (see the module's note).
AGO = dt.timedelta(days=5)


@demo_seeder
def seed_scoring_records(*, now: dt.datetime) -> None:
    with scopes_disabled():
        tenant = Tenant.objects.filter(slug="hut").first()
        office = User.objects.filter(username="hut_office").first()
        president = User.objects.filter(username="hut_president").first()
    if tenant is None or office is None or president is None:
        return
    with tenant_scope(tenant):
        services.ledger_sync_pending(tenant=tenant, now=now)  # the demo's marks, before its worker starts
        today = local_date(now)
        term = Term.objects.filter(start__lte=today, end__gte=today).first()
        alliance = Organisation.objects.filter(kind=OrganisationKind.ALLIANCE).order_by("pk").first()
        if term is None or alliance is None:
            return
        if not Incident.objects.filter(organisation=alliance).exists():
            _records(alliance=alliance, term=term, office=office, president=president, now=now)
        _submitted_for_the_president(alliance=alliance, term=term, office=office, now=now)


def _records(*, alliance, term, office, president, now: dt.datetime) -> None:
    today = local_date(now)
    ids = sorted({p[0] for p in organisation_posts(organisation_id=alliance.pk, start=today, end=today)})
    if len(ids) < 8:
        return
    people = Person.objects.in_bulk(ids)
    departments = list(Department.objects.filter(organisation=alliance).order_by("order", "pk"))

    def day(n):
        return max(term.start, today - dt.timedelta(days=n))

    def incident(kind, n, note, at=now, **target):
        services.incident_record(organisation=alliance, kind=kind, on=day(n), note=note, user=office, now=at,
                                **target)

    def enter(kind, points, n, reason, at=now, **target):
        return services.discretionary_enter(organisation=alliance, kind=kind, points=points, reason=reason,
                                           on=day(n), user=office, now=at, **target)

    earlier = now - AGO - dt.timedelta(days=1)
    incident("rectification", 9, "宣传栏整改意见一周内未落实", at=earlier, person=people[ids[0]])
    incident("disobedience", 6, "拒绝周三值班安排，未说明理由", person=people[ids[1]])
    incident("proposal_late", 20, "元旦晚会方案迟交四天", at=earlier, department=departments[1])
    incident("proposal_late", 12, "心理委员培训方案迟交两天", at=earlier, department=departments[1])
    # entered five days ago, waiting for the president: due within the reminder lead
    enter("helping", 6, 8, "协助外联部布置迎新晚会会场，连续两晚", at=now - AGO, person=people[ids[2]])
    enter("outstanding_activity", 8, 5, "心理健康月游园会策划和现场组织表现突出", at=now - AGO,
          person=people[ids[3]])
    last_month = month_name(today.replace(day=1) - dt.timedelta(days=1))
    enter("outstanding_department", 3, 2, f"{last_month}部门工作考评第一", department=departments[2])
    enter("major_error", -4, 4, "活动报名表遗失，二十名同学需重新报名", person=people[ids[4]])
    approved = enter("adopted_proposal", 5, 10, "值班表线上化的建议被采纳", person=people[ids[5]])
    services.discretionary_decide(entry=approved, approve=True, note="建议很好", user=president, now=now)
    refused = enter("helping", 5, 7, "帮助其他部门搬运物资", person=people[ids[6]])
    services.discretionary_decide(entry=refused, approve=False, note="属本职工作", user=president, now=now)
    # the warning the rectification incident proposed: reviewed, submitted and confirmed five days ago, for
    # the office to file
    warning = Sanction.objects.filter(organisation=alliance, term=term, person=people[ids[0]],
                                      status=SanctionStatus.PROPOSED).first()
    if warning is not None:
        services.sanction_submit(sanction=warning, user=office, now=now - AGO)
        services.sanction_decide(sanction=warning, confirm=True, reason="整改意见逾期未落实，情况属实",
                                 user=president, now=now - AGO)


def _submitted_for_the_president(*, alliance, term, office, now: dt.datetime) -> None:
    """The department warning the late proposals proposed, reviewed and submitted by the office: a decision
    waiting for the president. Once: nothing is done when a department sanction of the term has ever been
    submitted (or none is proposed)."""
    sanctions = Sanction.objects.filter(organisation=alliance, term=term, department__isnull=False)
    if sanctions.filter(submitted_at__isnull=False).exists():
        return
    proposal = sanctions.filter(status=SanctionStatus.PROPOSED).order_by("pk").first()
    if proposal is not None:
        submitted = max(now - AGO, proposal.proposed_at)
        services.sanction_submit(sanction=proposal, user=office, now=submitted)
