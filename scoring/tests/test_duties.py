"""Scoring's duties (scoring/duties.py): due dates across month ends, New Year and a term's last weeks; done
and not done; who is reminded; a scan end to end (twice → once); a fixed number of queries on a small and a
3× school; and no member's name in any notification of these duties."""

import datetime as dt
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_scopes import scopes_disabled

from duties import registry, services
from duties.models import Notification
from duties.registry import Context
from duties.selectors import todo_for
from members.models import Role, User
from members.tests.factories import (
    AcademicStandingFactory,
    MembershipFactory,
    PersonFactory,
    RoleAssignmentFactory,
    UserFactory,
)
from orgs.models import PositionCategory
from orgs.tenancy import tenant_scope
from orgs.tests.factories import (
    DepartmentFactory,
    OrganisationFactory,
    PolicyValueFactory,
    PositionFactory,
    TenantFactory,
    TermFactory,
)
from scoring import duties
from scoring.models import Approver, Award, AwardStatus, MemberScore, Rulebook, Sanction, SanctionStatus
from scoring.tests.factories import (
    AwardFactory,
    DiscretionaryEntryFactory,
    DiscretionaryVoteFactory,
    MemberScoreFactory,
    RuleFactory,
    SanctionFactory,
)

SH = ZoneInfo("Asia/Shanghai")
#: Monday 2027-01-18, noon: the term (7 Sep 2026 – Sunday 17 Jan 2027) has just ended; every duty has an item.
NOW = dt.datetime(2027, 1, 18, 12, 0, tzinfo=SH)
SCORING = ("scoring.discretionary_decide", "scoring.sanction_decide", "scoring.sanction_file",
           "scoring.award_propose", "scoring.award_confirm")
#: Names given to the members the sensitive items are about: no notification may carry them.
SECRET_NAMES = ("王敏感", "李处分", "张加分")


def _at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SH)


def _ctx(tenant, now=NOW, *, back=31, ahead=3) -> Context:
    return Context(tenant=tenant, now=now, since=now - dt.timedelta(days=back), until=now + dt.timedelta(days=ahead))


def _items(duty_key, ctx):
    return list(registry.REGISTRY[duty_key].collect(ctx))


# --- due dates (pure) ---


@pytest.mark.parametrize(("entered", "due"), [
    (_at(2026, 11, 27, 9, 0), _at(2026, 12, 4, 23, 59, 59)),  # across a month's end
    (_at(2026, 12, 28, 10, 0), _at(2027, 1, 4, 23, 59, 59)),  # across New Year
    (dt.datetime(2026, 12, 31, 17, 0, tzinfo=dt.UTC), _at(2027, 1, 8, 23, 59, 59)),  # already 1 Jan in Shanghai
    (_at(2027, 2, 25, 8, 0), _at(2027, 3, 4, 23, 59, 59)),  # February (28 days)
])
def test_an_entry_week_is_due_the_policy_days_after_its_first_row(entered, due):
    groups = duties.weekly_groups([(1, "联盟", entered, True, 7)], days=7)
    ((key, group),) = groups.items()
    assert group["due_at"] == due
    assert key == (1, duties.calendar.monday_of(duties.calendar.local_date(entered)))


def test_a_week_gathers_its_rows_and_is_due_after_its_first():
    rows = [(1, "联盟", _at(2026, 12, 30, 9), True, 1), (1, "联盟", _at(2026, 12, 28, 9), False, 2),
            (1, "联盟", _at(2027, 1, 3, 22), True, 3), (1, "联盟", _at(2027, 1, 4, 8), True, 4),
            (2, "学生会", _at(2026, 12, 29, 9), True, 5)]
    groups = duties.weekly_groups(rows, days=7)
    assert sorted(groups) == [(1, dt.date(2026, 12, 28)), (1, dt.date(2027, 1, 4)), (2, dt.date(2026, 12, 28))]
    week = groups[(1, dt.date(2026, 12, 28))]
    assert (week["pending"], week["all"], week["due_at"]) == ([1, 3], 3, _at(2027, 1, 4, 23, 59, 59))


@pytest.mark.parametrize(("end", "weeks", "opens"), [
    (dt.date(2027, 1, 17), 2, dt.date(2027, 1, 4)),  # ends on a Sunday: two full weeks
    (dt.date(2027, 1, 20), 2, dt.date(2027, 1, 11)),  # ends on a Wednesday: that partial week is the last
    (dt.date(2027, 1, 17), 1, dt.date(2027, 1, 11)),
    (dt.date(2027, 1, 20), 1, dt.date(2027, 1, 18)),
    (dt.date(2026, 9, 20), 4, dt.date(2026, 9, 7)),  # a two-week term: week 1
])
def test_the_award_window_is_the_terms_last_teaching_weeks(end, weeks, opens):
    assert duties.award_window_opens(dt.date(2026, 9, 7), end, weeks) == opens


# --- a school: n alliance organisations, each with a president, an office, a head, members and open items ---


def _organisation(tenant, term, i):
    org = OrganisationFactory(tenant=tenant, name=f"朋辈互助联盟{i}")
    presidium = DepartmentFactory(tenant=tenant, organisation=org, name="主席团", is_presidium=True)
    publicity = DepartmentFactory(tenant=tenant, organisation=org, name="宣传部")
    officer_post = PositionFactory(tenant=tenant, organisation=org, name="干事")
    cadre_post = PositionFactory(tenant=tenant, organisation=org, name="部长", category=PositionCategory.CADRE)
    people = SimpleNamespace(org=org, presidium=presidium, publicity=publicity)
    for role, name, scope in ((Role.PRESIDENT, "president", {"organisation": org}),
                              (Role.OFFICE, "office", {"organisation": org}),
                              (Role.DEPARTMENT_HEAD, "head", {"department": publicity})):
        user = UserFactory(tenant=tenant, username=f"{name}{i}")
        RoleAssignmentFactory(tenant=tenant, user=user, role=role, **scope)
        setattr(people, name, user)
    MembershipFactory(tenant=tenant, person=people.president.person, organisation=org, department=presidium,
                      position=cadre_post, term=term, start=term.start)
    MembershipFactory(tenant=tenant, person=people.head.person, organisation=org, department=publicity,
                      position=cadre_post, term=term, start=term.start)
    members = [PersonFactory(tenant=tenant, name=f"{name}{i}") for name in SECRET_NAMES]
    for person in members:
        MembershipFactory(tenant=tenant, person=person, organisation=org, department=publicity,
                          position=officer_post, term=term, start=term.start)
        MemberScoreFactory(tenant=tenant, organisation=org, term=term, person=person, lates=0)
    people.members = members
    rulebook = Rulebook.objects.filter(organisation=org).order_by("-version").first()
    rule = RuleFactory(tenant=tenant, rulebook=rulebook, code="SC-9", clause="第六条 二 1", label="帮助其他部门",
                       fact="discretionary", outcome="helping", kinds=[], points=5, position=999)
    # two positive entries of the week of 4 January (due the 17th), one already approved
    people.entry = DiscretionaryEntryFactory(tenant=tenant, rule=rule, term=term, person=members[2],
                                             entered_by=people.office, entered_at=_at(2027, 1, 10, 9))
    DiscretionaryEntryFactory(tenant=tenant, rule=rule, term=term, person=members[1], entered_by=people.office,
                              entered_at=_at(2027, 1, 5, 9), approval="approved")
    people.submitted = SanctionFactory(tenant=tenant, organisation=org, term=term, person=members[0],
                                       status=SanctionStatus.SUBMITTED, submitted_at=_at(2027, 1, 9, 15))
    people.confirmed = SanctionFactory(tenant=tenant, organisation=org, term=term, person=members[1],
                                       status=SanctionStatus.CONFIRMED, submitted_at=_at(2026, 12, 28, 9),
                                       decided_at=_at(2026, 12, 30, 9), decided_by=people.president)
    return people


def _school(n):
    tenant = TenantFactory(modules=["alliance"])
    with tenant_scope(tenant):
        term = TermFactory(tenant=tenant, start=dt.date(2026, 9, 7), end=dt.date(2027, 1, 17))
        admin = UserFactory(tenant=tenant, username="admin")
        RoleAssignmentFactory(tenant=tenant, user=admin, role=Role.TENANT_ADMIN)
        orgs = [_organisation(tenant, term, i) for i in range(n)]
    return SimpleNamespace(tenant=tenant, term=term, admin=admin, orgs=orgs, org=orgs[0])


@pytest.fixture
def school(db):
    world = _school(1)
    with tenant_scope(world.tenant):
        yield world


# --- who, what, by when; done and not done ---


def test_positive_entries_waiting_make_one_item_per_organisation_and_week(school):
    o = school.org
    (item,) = _items("scoring.discretionary_decide", _ctx(school.tenant))
    assert (item.subject, item.period) == (f"organisation:{o.org.pk}", "week:2027-01-04")
    assert item.due_at == _at(2027, 1, 12, 23, 59, 59)  # seven days after the week's first entry (the 5th)
    assert (item.responsible, item.above) == ({o.president.pk}, {o.office.pk})
    assert (item.text, item.done) == ("1 条加分待审批 · 朋辈互助联盟0", False)
    assert item.url == f"/scoring/entries/organisations/{o.org.pk}/approvals/"
    o.entry.approval = "refused"
    o.entry.save()
    (item,) = _items("scoring.discretionary_decide", _ctx(school.tenant))
    assert item.done and item.text == "2 条加分待审批 · 朋辈互助联盟0"  # (done: the text counts the week's)


def test_under_the_presidium_rule_only_who_has_not_said_is_responsible(school):
    o = school.org
    second = UserFactory(tenant=school.tenant, username="second_president")
    RoleAssignmentFactory(tenant=school.tenant, user=second, role=Role.PRESIDENT, organisation=o.org)
    (item,) = _items("scoring.discretionary_decide", _ctx(school.tenant))
    assert item.responsible == {o.president.pk, second.pk}  # the president's rule: every holder may decide
    rulebook = Rulebook.objects.filter(organisation=o.org).order_by("-version").first()
    rulebook.settings = {**rulebook.settings, "discretionary_approval": Approver.PRESIDIUM}
    rulebook.save()
    DiscretionaryVoteFactory(tenant=school.tenant, entry=o.entry, user=o.president, agree=True)
    (item,) = _items("scoring.discretionary_decide", _ctx(school.tenant))
    assert item.responsible == {second.pk}


def test_a_submitted_sanction_waits_for_the_president_and_a_confirmed_one_for_the_office(school):
    o = school.org
    earlier, decide = sorted(_items("scoring.sanction_decide", _ctx(school.tenant)), key=lambda i: i.period)
    assert (earlier.period, earlier.done) == ("week:2026-12-28", True)  # the confirmed one: decided, counted
    assert (decide.period, decide.due_at) == ("week:2027-01-04", _at(2027, 1, 16, 23, 59, 59))
    assert (decide.responsible, decide.above, decide.done) == ({o.president.pk}, {school.admin.pk}, False)
    assert decide.text == "1 项处分等待决定 · 朋辈互助联盟0"
    (file,) = _items("scoring.sanction_file", _ctx(school.tenant))
    assert (file.period, file.due_at) == ("week:2026-12-28", _at(2027, 1, 6, 23, 59, 59))  # across New Year
    assert (file.responsible, file.above, file.done) == ({o.office.pk}, {o.president.pk}, False)
    assert file.text == "1 项处分等待备案 · 朋辈互助联盟0"
    o.submitted.status, o.submitted.decided_at = SanctionStatus.CONFIRMED, _at(2027, 1, 15, 9)
    o.submitted.save()
    o.confirmed.status, o.confirmed.filed_number = SanctionStatus.FILED, "2027-01"
    o.confirmed.save()
    assert all(i.done for i in _items("scoring.sanction_decide", _ctx(school.tenant)))
    # the first now filed (done); the newly confirmed one is due on the 22nd: beyond the window until then
    assert [i.done for i in _items("scoring.sanction_file", _ctx(school.tenant))] == [True]
    later = _items("scoring.sanction_file", _ctx(school.tenant, _at(2027, 1, 20, 9)))
    assert sorted((i.period, i.done) for i in later) == [("week:2026-12-28", True), ("week:2027-01-11", False)]


def test_a_dismissed_sanction_is_nothing_to_file(school):
    school.org.confirmed.status = SanctionStatus.DISMISSED
    school.org.confirmed.save()
    assert _items("scoring.sanction_file", _ctx(school.tenant)) == []


def test_award_lists_are_proposed_by_each_head_and_confirmed_by_the_office(school):
    o = school.org
    items = {i.subject: i for i in _items("scoring.award_propose", _ctx(school.tenant))}
    assert set(items) == {f"department:{o.presidium.pk}", f"department:{o.publicity.pk}"}
    publicity, presidium = items[f"department:{o.publicity.pk}"], items[f"department:{o.presidium.pk}"]
    assert (publicity.responsible, publicity.above) == ({o.head.pk}, {o.president.pk})
    assert presidium.responsible == {o.president.pk}  # the presidium's lists: the president's
    assert publicity.due_at == _at(2027, 1, 17, 23, 59, 59) and publicity.period == f"term:{school.term.pk}"
    assert publicity.text == f"宣传部评优名单待推荐 · 朋辈互助联盟0 {school.term.name}"
    (confirm,) = _items("scoring.award_confirm", _ctx(school.tenant))
    assert confirm.due_at == _at(2027, 1, 20, 23, 59, 59)  # three days after the term's end
    assert (confirm.responsible, confirm.above, confirm.done) == ({o.office.pk}, {o.president.pk}, False)
    # the head proposes the officers' list: the cadres' (the head) still waits
    AwardFactory(tenant=school.tenant, organisation=o.org, term=school.term, department=o.publicity,
                 person=o.members[0], proposed_by=o.head)
    assert not {i.subject: i for i in _items("scoring.award_propose", _ctx(school.tenant))}[
        f"department:{o.publicity.pk}"].done
    AwardFactory(tenant=school.tenant, organisation=o.org, term=school.term, department=o.publicity,
                 category="cadre", person=o.head.person, proposed_by=o.head)
    AwardFactory(tenant=school.tenant, organisation=o.org, term=school.term, department=o.presidium,
                 category="cadre", person=o.president.person, proposed_by=o.president)
    assert all(i.done for i in _items("scoring.award_propose", _ctx(school.tenant)))
    assert not _items("scoring.award_confirm", _ctx(school.tenant))[0].done
    Award.objects.update(status=AwardStatus.CONFIRMED)
    assert _items("scoring.award_confirm", _ctx(school.tenant))[0].done


def test_a_department_with_nobody_eligible_has_no_list_to_propose(school):
    o = school.org
    MemberScore.objects.filter(person__in=o.members).update(lates=2, absences=1)  # 3: excluded (SC-12)
    AcademicStandingFactory(tenant=school.tenant, person=o.head.person, term=school.term, failed_courses=1)
    subjects = {i.subject for i in _items("scoring.award_propose", _ctx(school.tenant))}
    assert subjects == {f"department:{o.presidium.pk}"}


def test_award_items_appear_only_once_the_window_opens(school):
    # a context looking a month ahead (as a duties table might): nothing before Monday 4 January
    before = _ctx(school.tenant, _at(2027, 1, 3, 23, 0), ahead=30)
    assert _items("scoring.award_propose", before) == [] and _items("scoring.award_confirm", before) == []
    opened = _ctx(school.tenant, _at(2027, 1, 4, 0, 30), ahead=30)
    assert len(_items("scoring.award_propose", opened)) == 2 and len(_items("scoring.award_confirm", opened)) == 1
    # a policy of one week moves the opening to the 11th
    PolicyValueFactory(tenant=school.tenant, key="scoring.award_window_weeks", value=1,
                       effective_from=dt.date(2026, 9, 1))
    assert _items("scoring.award_propose", _ctx(school.tenant, _at(2027, 1, 10, 12), ahead=30)) == []
    assert len(_items("scoring.award_propose", _ctx(school.tenant, _at(2027, 1, 11, 12), ahead=30))) == 2


def test_the_policy_sets_the_days(school):
    PolicyValueFactory(tenant=school.tenant, key="scoring.sanction_decide_days", value=3,
                       effective_from=dt.date(2026, 12, 1))
    due = {i.period: i.due_at for i in _items("scoring.sanction_decide", _ctx(school.tenant))}
    assert due["week:2027-01-04"] == _at(2027, 1, 12, 23, 59, 59)


# --- the scan, end to end ---


@pytest.fixture
def only_scoring(monkeypatch):
    """The scan sees scoring's duties only (other apps' duties are tested by their apps)."""
    monkeypatch.setattr(registry, "REGISTRY", {k: v for k, v in registry.REGISTRY.items() if k in SCORING})


def test_a_scan_reminds_each_person_once_and_never_names_a_member(school, only_scoring):
    first = services.duties_scan(tenant=school.tenant, now=NOW)
    assert first.notified > 0
    again = services.duties_scan(tenant=school.tenant, now=NOW + dt.timedelta(minutes=5))
    assert (again.created, again.notified) == (0, 0)
    o = school.org
    got = {(n.user_id, n.duty, n.title) for n in Notification.objects.all()}
    assert (o.president.pk, "scoring.sanction_decide", "已逾期：决定处分") in got
    assert (school.admin.pk, "scoring.sanction_decide", "下属事项逾期：决定处分") in got
    assert (o.office.pk, "scoring.sanction_file", "已逾期：处分备案") in got
    assert (o.president.pk, "scoring.discretionary_decide", "已逾期：审批酌情加分") in got
    assert (o.head.pk, "scoring.award_propose", "已逾期：推荐评优名单") in got
    assert (o.office.pk, "scoring.award_confirm", "即将到期：确认评优名单") in got
    names = [p.name for p in o.members] + [o.head.person.name, o.president.person.name]
    for note in Notification.objects.all():
        assert not any(name in note.title or name in note.body for name in names), note.body
    # done meanwhile: never reminded again
    o.submitted.status = SanctionStatus.DISMISSED
    o.submitted.save()
    assert services.duties_scan(tenant=school.tenant, now=NOW + dt.timedelta(days=1)).notified == 0


# --- a fixed number of queries whatever the size of the school ---


@pytest.mark.parametrize("size", [1, 3])
@pytest.mark.parametrize(("duty", "queries"), [
    ("scoring.discretionary_decide", 5),  # policy, entries, two for the rulebooks' settings, holders
    ("scoring.sanction_decide", 3),  # policy, sanctions, holders
    ("scoring.sanction_file", 3),
    ("scoring.award_propose", 10),  # policy, terms, posts, scores, standings, settings (2), awards, departments,
    ("scoring.award_confirm", 10),  # holders (the policies are read in one query, orgs.selectors.policy_values)
])
def test_each_duty_reads_in_a_fixed_number_of_queries(db, django_assert_num_queries, size, duty, queries):
    world = _school(size)
    with tenant_scope(world.tenant):
        ctx = _ctx(world.tenant)
        with django_assert_num_queries(queries):
            items = _items(duty, ctx)
    assert len({i.subject for i in items}) >= size


# --- the demo leaves work waiting ---


def test_the_demo_leaves_the_president_and_the_office_work_on_their_to_do(db, only_scoring):
    call_command("seed_demo", quiet=True, force_known_password=True)
    with scopes_disabled():
        president = User.objects.get(username="hut_president")
        office = User.objects.get(username="hut_office")
    now = timezone.now()
    with tenant_scope(president.tenant):
        mine = todo_for(president, now=now)
        assert {g.duty.key for g in mine.due_soon + mine.overdue} >= {"scoring.discretionary_decide",
                                                                      "scoring.sanction_decide"}
        theirs = todo_for(office, now=now)
        assert "scoring.sanction_file" in {g.duty.key for g in theirs.due_soon + theirs.overdue}
        assert Sanction.objects.filter(status=SanctionStatus.SUBMITTED).count() == 1
    call_command("seed_demo", quiet=True, force_known_password=True)  # once: nothing more is submitted
    with scopes_disabled():
        assert Sanction.objects.filter(tenant=president.tenant, status=SanctionStatus.SUBMITTED).count() == 1
