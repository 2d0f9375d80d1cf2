"""Incidents (SC-11, SC-14) and discretionary entries (SC-9) through their services: what counts when, the
ladder's proposals at once, every bad input refused with nothing changed."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from members.tests.school import school_fixture  # noqa: F401 - the "school" fixture
from orgs.calendar import local_date
from orgs.tenancy import tenant_scope
from scoring import selectors, services
from scoring.defaults import default_rules
from scoring.models import (
    ApprovalStatus,
    DiscretionaryEntry,
    Incident,
    LedgerEntry,
    Rule,
    Rulebook,
    Sanction,
    TermRulebook,
)
from scoring.services import entries
from scoring.tests.entry_world import _by_presidium


def _now():
    return timezone.now()


def _today():
    return local_date(timezone.now())


def _points(school, person_id):
    return sum(LedgerEntry.objects.filter(organisation=school.org, term=school.term, person_id=person_id)
               .values_list("points", flat=True))


def _record(school, **kwargs):
    values = {"organisation": school.org, "kind": "rectification", "on": _today(), "note": "宣传栏未按要求整改",
              "user": school.office, "now": _now(), **kwargs}
    return entries.incident_record(**values)


def _enter(school, **kwargs):
    values = {"organisation": school.org, "kind": "helping", "points": 6, "reason": "协助宣传部布置会场",
              "on": _today(), "user": school.office, "now": _now(), "person": school.officer.person, **kwargs}
    return entries.discretionary_enter(**values)


def _refused(call, message):
    with pytest.raises(ValidationError) as error:
        call()
    assert message in " ".join(error.value.messages), error.value.messages


# --- incidents ---


def test_a_member_incident_proposes_a_sanction_at_once(cast):
    school = cast.school
    with tenant_scope(school.tenant):
        incident = _record(school, person=school.officer.person)
        assert (incident.person_id, incident.department_id, incident.recorded_by) == (
            school.officer.person_id, None, school.office)
        sanction = Sanction.objects.get(person=school.officer.person)
        assert sanction.level == "warning"  # rectification not made, once: a warning (SC-11)
        assert sanction.basis["reasons"] == [["incident:rectification", 1, 1]]
        assert not LedgerEntry.objects.exists()  # incidents carry no points of their own


def test_a_department_incident_proposes_a_department_warning_on_the_second_late_proposal(cast):
    school = cast.school
    with tenant_scope(school.tenant):
        _record(school, kind="proposal_late", department=school.dept, note="活动方案迟交三天")
        assert not Sanction.objects.exists()  # twice makes a warning (SC-14)
        _record(school, kind="proposal_late", department=school.dept, note="又一次迟交")
        sanction = Sanction.objects.get()
        assert (sanction.department, sanction.person, sanction.level) == (school.dept, None, "warning")


@pytest.mark.parametrize(("kind", "target", "message"), [
    ("major_error", "department", "“重大失误”是个人的违纪事项，请选择成员。"),
    ("misconduct", "department", "是个人的违纪事项"),
    ("meeting_not_held", "person", "“例会未按时召开”是部门的违纪事项，请选择部门。"),
    ("activity_failed", "person", "是部门的违纪事项"),
])
def test_an_incident_of_the_wrong_target_is_refused(cast, kind, target, message):
    school = cast.school
    with tenant_scope(school.tenant):
        who = {"person": school.officer.person} if target == "person" else {"department": school.dept}
        _refused(lambda: _record(school, kind=kind, **who), message)
        assert not Incident.objects.exists() and not Sanction.objects.exists()


def test_kinds_of_both_lists_go_to_either(cast):
    school = cast.school
    with tenant_scope(school.tenant):
        for kind in ("rectification", "perfunctory", "disobedience"):
            _record(school, kind=kind, person=school.officer.person)
            _record(school, kind=kind, department=school.dept)
        assert Incident.objects.count() == 6


@pytest.mark.parametrize(("change", "message"), [
    ({"on": "tomorrow"}, "日期不能晚于今天。"),
    ({"on": "before_term"}, "该日期不在任何学期内。"),
    ({"on": None}, "请填写日期。"),
    ({"note": "  "}, "请填写情况说明。"),
    ({"note": "长" * 201}, "不能超过 200 个字。"),
    ({"kind": "late"}, "请选择违纪事项的类型。"),
    ({"person": None}, "请选择一名成员或一个部门。"),
    ({"department": "dept"}, "成员和部门只能选一个。"),
    ({"person": "student_y"}, "李明轩在该日期不是本组织的成员。"),
    ({"person": "outsider"}, "赵外联在该日期不是本组织的成员。"),
    ({"person": None, "department": "other_dept"}, "该部门不属于本组织。"),
])
def test_a_bad_incident_is_refused_and_nothing_changes(cast, change, message):
    school = cast.school
    named = {"dept": school.dept, "other_dept": cast.other_dept, "student_y": school.student_y,
             "outsider": cast.outsider, "tomorrow": _today() + dt.timedelta(days=1),
             "before_term": school.term.start - dt.timedelta(days=1)}
    values = {"person": school.officer.person,
              **{k: named.get(v, v) if isinstance(v, str) else v for k, v in change.items()}}
    with tenant_scope(school.tenant):
        _refused(lambda: _record(school, **values), message)
        assert not Incident.objects.exists() and not Sanction.objects.exists()


def test_removing_an_incident_withdraws_the_basis_of_its_proposal(cast):
    school = cast.school
    with tenant_scope(school.tenant):
        incident = _record(school, person=school.officer.person)
        entries.incident_remove(incident=incident, user=school.office, now=_now())
        assert not Incident.objects.exists()
        sanction = Sanction.objects.get()  # never deleted: marked until the president dismisses it
        assert sanction.basis_withdrawn


# --- discretionary entries ---


def test_a_deduction_counts_at_once(cast):
    school = cast.school
    with tenant_scope(school.tenant):
        entry = _enter(school, kind="major_error", points=-6, reason="活动物资清点出错")
        assert entry.approval == "" and entry.counts()
        ledger = LedgerEntry.objects.select_related("rule").get()
        assert (ledger.person_id, ledger.points, ledger.fact_type, ledger.fact_key, ledger.rule.clause) == (
            school.officer.person_id, -6, "discretionary", str(entry.pk), "第七条 细则 5")


def test_a_positive_entry_counts_only_once_the_president_approves(cast):
    school = cast.school
    with tenant_scope(school.tenant):
        entry = _enter(school, points=7)
        assert entry.approval == ApprovalStatus.PENDING
        assert _points(school, school.officer.person_id) == 0
        decided = entries.discretionary_decide(entry=entry, approve=True, note="同意", user=cast.president,
                                               now=_now())
        assert (decided.approval, decided.decided_by, decided.decision_note) == ("approved", cast.president, "同意")
        assert _points(school, school.officer.person_id) == 7


def test_a_refused_entry_never_counts(cast):
    school = cast.school
    with tenant_scope(school.tenant):
        entry = _enter(school, points=5)
        entries.discretionary_decide(entry=entry, approve=False, user=cast.president, now=_now())
        entry.refresh_from_db()
        assert entry.approval == "refused" and not entry.counts()
        assert not LedgerEntry.objects.exists()


@pytest.mark.parametrize(("kind", "points", "message"), [
    ("helping", 11, "分值须在 +5 到 +10 之间。"),
    ("helping", 4, "分值须在 +5 到 +10 之间。"),
    ("helping", -5, "分值须在 +5 到 +10 之间。"),
    ("adopted_proposal", 2, "分值须在 +3 到 +10 之间。"),
    ("major_error", -11, "分值须在 -10 到 -2 之间。"),
    ("late_task", -1, "分值须在 -5 到 -2 之间。"),
    ("careless", 3, "分值须在 -5 到 -2 之间。"),
    ("helping", 0, "分值不能为 0。"),
    ("helping", None, "请填写分值。"),
])
def test_points_outside_the_rules_range_are_refused_and_nothing_changes(cast, kind, points, message):
    school = cast.school
    with tenant_scope(school.tenant):
        _refused(lambda: _enter(school, kind=kind, points=points), message)
        assert not DiscretionaryEntry.objects.exists() and not LedgerEntry.objects.exists()
        assert not TermRulebook.objects.exists()  # the binding made on the way rolled back too


@pytest.mark.parametrize(("change", "message"), [
    ({"reason": " "}, "请填写理由。"),
    ({"kind": "outstanding"}, "请选择酌情加减分的条目。"),
    ({"kind": "full"}, "请选择酌情加减分的条目。"),
    ({"department": "dept", "person": None}, "“帮助其他部门”加减给个人，请选择成员。"),
    ({"kind": "outstanding_department", "points": 3}, "“部门工作突出（每位成员）”加减给部门全体成员，请选择部门。"),
    ({"person": None}, "请选择一名成员或一个部门。"),
    ({"person": "student_y"}, "李明轩在该日期不是本组织的成员。"),
    ({"kind": "outstanding_department", "points": 3, "person": None, "department": "other_dept"},
     "该部门不属于本组织。"),
    ({"on": "tomorrow"}, "日期不能晚于今天。"),
    ({"on": "before_term"}, "该日期不在任何学期内。"),
])
def test_a_bad_entry_is_refused_and_nothing_changes(cast, change, message):
    school = cast.school
    named = {"dept": school.dept, "other_dept": cast.other_dept, "student_y": school.student_y,
             "tomorrow": _today() + dt.timedelta(days=1), "before_term": school.term.start - dt.timedelta(days=1)}
    values = {k: named.get(v, v) if isinstance(v, str) else v for k, v in change.items()}
    with tenant_scope(school.tenant):
        _refused(lambda: _enter(school, **values), message)
        assert not DiscretionaryEntry.objects.exists()


def test_only_the_organisations_president_approves_and_nothing_changes_otherwise(cast):
    school = cast.school
    with tenant_scope(school.tenant):
        entry = _enter(school)
        for user in (school.office, school.admin, school.head, school.officer, cast.other_president):
            _refused(lambda user=user: entries.discretionary_decide(entry=entry, approve=True, user=user,
                                                                    now=_now()),
                     "只有本组织的总部长可以审批。")
        entry.refresh_from_db()
        assert (entry.approval, entry.decided_by, entry.decided_at) == ("pending", None, None)
        assert not LedgerEntry.objects.exists()


def test_deciding_twice_is_refused(cast):
    school = cast.school
    with tenant_scope(school.tenant):
        entry = _enter(school)
        entries.discretionary_decide(entry=entry, approve=True, user=cast.president, now=_now())
        _refused(lambda: entries.discretionary_decide(entry=entry, approve=False, user=cast.president, now=_now()),
                 "这条加分已经批准过了。")
        refused = _enter(school, points=5)
        entries.discretionary_decide(entry=refused, approve=False, user=cast.president, now=_now())
        _refused(lambda: entries.discretionary_decide(entry=refused, approve=True, user=cast.president,
                                                      now=_now()), "已经审批过了（未批准）")
        deduction = _enter(school, kind="late_task", points=-3)
        _refused(lambda: entries.discretionary_decide(entry=deduction, approve=True, user=cast.president,
                                                      now=_now()), "扣分即时生效，不需要审批。")
        assert _points(school, school.officer.person_id) == 6 - 3
        entry.refresh_from_db()
        assert entry.approval == "approved"


def test_a_department_entry_reaches_every_member_of_the_department_once_approved(cast):
    school = cast.school
    with tenant_scope(school.tenant):
        entry = _enter(school, kind="outstanding_department", points=4, person=None, department=school.dept)
        assert not LedgerEntry.objects.exists()
        entries.discretionary_decide(entry=entry, approve=True, user=cast.president, now=_now())
        reached = dict(LedgerEntry.objects.values_list("person_id", "points"))
        assert reached == {school.officer.person_id: 4, school.head.person_id: 4, school.student_x.pk: 4}
        assert cast.writer.pk not in reached  # another department's officer


def test_careless_work_also_proposes_a_warning(cast):
    school = cast.school
    with tenant_scope(school.tenant):
        _enter(school, kind="careless", points=-2, reason="材料错字多")
        sanction = Sanction.objects.get(person=school.officer.person)
        assert sanction.level == "warning" and ["careless", 1, 1] in sanction.basis["reasons"]


def test_the_office_removes_what_is_not_approved(cast):
    school = cast.school
    with tenant_scope(school.tenant):
        deduction = _enter(school, kind="late_task", points=-3)
        pending = _enter(school, points=5)
        approved = _enter(school, points=8)
        entries.discretionary_decide(entry=approved, approve=True, user=cast.president, now=_now())
        assert _points(school, school.officer.person_id) == -3 + 8
        entries.discretionary_remove(entry=deduction, user=school.office, now=_now())
        entries.discretionary_remove(entry=pending, user=school.office, now=_now())
        assert _points(school, school.officer.person_id) == 8
        _refused(lambda: entries.discretionary_remove(entry=approved, user=school.office, now=_now()),
                 "已批准的加分不能删除，可由总部长撤销。")
        assert list(DiscretionaryEntry.objects.values_list("pk", flat=True)) == [approved.pk]


# --- the whole presidium's approval (SC-9, 第六条 注) and revoking an approved entry ---


def test_with_the_presidium_an_entry_counts_once_every_member_has_agreed(cast):
    school = cast.school
    with tenant_scope(school.tenant):
        vice = _by_presidium(school)
        entry = _enter(school, points=7)
        first = entries.discretionary_decide(entry=entry, approve=True, note="同意", user=cast.president, now=_now())
        assert (first.approval, first.decided_by) == ("pending", None)
        assert _points(school, school.officer.person_id) == 0
        _refused(lambda: entries.discretionary_decide(entry=entry, approve=True, user=cast.president, now=_now()),
                 "您已经对这条加分表过态了")
        last = entries.discretionary_decide(entry=entry, approve=True, user=vice, now=_now())
        assert (last.approval, last.decided_by) == ("approved", vice)
        assert _points(school, school.officer.person_id) == 7
        assert sorted(entry.votes.values_list("user__username", "agree")) == [
            ("alpha_president", True), ("alpha_vice", True)]


def test_with_the_presidium_one_refusal_refuses(cast):
    school = cast.school
    with tenant_scope(school.tenant):
        vice = _by_presidium(school)
        entry = _enter(school, points=6)
        entries.discretionary_decide(entry=entry, approve=True, user=cast.president, now=_now())
        refused = entries.discretionary_decide(entry=entry, approve=False, note="贡献不足", user=vice, now=_now())
        assert (refused.approval, refused.decided_by, refused.decision_note) == ("refused", vice, "贡献不足")
        assert not LedgerEntry.objects.exists()
        _refused(lambda: entries.discretionary_decide(entry=entry, approve=True, user=cast.president, now=_now()),
                 "已经审批过了（未批准）")


def test_with_the_presidium_only_its_members_have_a_say(cast):
    school = cast.school
    with tenant_scope(school.tenant):
        _by_presidium(school)
        entry = _enter(school)
        for user in (school.office, school.head, cast.other_president):
            _refused(lambda user=user: entries.discretionary_decide(entry=entry, approve=True, user=user,
                                                                    now=_now()), "只有本组织的主席团成员可以审批。")
        assert not entry.votes.exists()


def test_the_periodic_task_approves_what_every_remaining_member_agreed_to(cast):
    school = cast.school
    with tenant_scope(school.tenant):
        vice = _by_presidium(school)
        entry = _enter(school, points=5)
        entries.discretionary_decide(entry=entry, approve=True, user=cast.president, now=_now())
        assert entries.discretionary_settle(tenant=school.tenant, now=_now()) == 0  # the vice has not agreed
        vice.role_assignments.update(end=_today() - dt.timedelta(days=1))  # the vice leaves the presidium
        assert entries.discretionary_settle(tenant=school.tenant, now=_now()) == 1
        assert entries.discretionary_settle(tenant=school.tenant, now=_now()) == 0  # idempotent
        entry.refresh_from_db()
        assert (entry.approval, entry.decided_by) == ("approved", cast.president)
        assert _points(school, school.officer.person_id) == 5


def test_the_president_revokes_an_approved_entry_with_a_reason(cast):
    school = cast.school
    with tenant_scope(school.tenant):
        entry = _enter(school, points=8)
        entries.discretionary_decide(entry=entry, approve=True, user=cast.president, now=_now())
        assert _points(school, school.officer.person_id) == 8
        _refused(lambda: entries.discretionary_revoke(entry=entry, reason=" ", user=cast.president, now=_now()),
                 "请填写撤销理由。")
        for user in (school.office, school.admin, cast.other_president):
            _refused(lambda user=user: entries.discretionary_revoke(entry=entry, reason="重复录入", user=user,
                                                                    now=_now()), "只有本组织的总部长可以撤销")
        assert _points(school, school.officer.person_id) == 8
        revoked = entries.discretionary_revoke(entry=entry, reason="与另一条重复", user=cast.president, now=_now())
        assert (revoked.approval, revoked.revoked_by, revoked.revoke_reason) == ("revoked", cast.president,
                                                                                 "与另一条重复")
        assert not revoked.counts() and _points(school, school.officer.person_id) == 0
        _refused(lambda: entries.discretionary_revoke(entry=entry, reason="再撤", user=cast.president, now=_now()),
                 "这条加分已经撤销过了。")
        _refused(lambda: entries.discretionary_remove(entry=entry, user=school.office, now=_now()),
                 "已撤销的加分保留记录，不能删除。")
        _refused(lambda: entries.discretionary_decide(entry=entry, approve=True, user=cast.president, now=_now()),
                 "这条加分已被撤销。")
        assert DiscretionaryEntry.objects.filter(pk=entry.pk).exists()


def test_only_an_approved_entry_is_revoked(cast):
    school = cast.school
    with tenant_scope(school.tenant):
        pending = _enter(school, points=5)
        deduction = _enter(school, kind="late_task", points=-3)
        for entry in (pending, deduction):
            _refused(lambda entry=entry: entries.discretionary_revoke(entry=entry, reason="x", user=cast.president,
                                                                      now=_now()), "只有已批准的加分可以撤销")
        assert _points(school, school.officer.person_id) == -3


def test_an_entry_uses_the_version_the_term_is_bound_to(cast):
    school = cast.school
    now = _now()
    with tenant_scope(school.tenant):
        bound = services.term_rulebook_bind(organisation=school.org, term=school.term, now=now)
        newer = Rulebook.objects.create(tenant=school.tenant, organisation=school.org, version=bound.version + 1,
                                        settings=bound.settings, created_at=now)
        rows = default_rules()
        for row in rows:
            if row["outcome"] == "helping":
                row["points_max"] = 20
        Rule.objects.bulk_create([Rule(tenant=school.tenant, rulebook=newer, **row) for row in rows])
        _refused(lambda: _enter(school, points=15), "分值须在 +5 到 +10 之间。")
        entry = _enter(school, points=10)
        assert entry.rule.rulebook == bound


def test_the_members_ledger_explains_a_discretionary_entry(cast):
    school = cast.school
    with tenant_scope(school.tenant):
        _enter(school, kind="major_error", points=-4, reason="报名表遗失")
        entry = _enter(school, kind="outstanding_department", points=2, person=None, department=school.dept)
        entries.discretionary_decide(entry=entry, approve=True, user=cast.president, now=_now())
        total, explained = selectors.member_ledger(person=school.officer.person, organisation=school.org,
                                                   term=school.term)
        assert total == 70 - 4 + 2
        assert {e.fact for e in explained} == {"酌情加减分：报名表遗失", "酌情加减分（办公室）：协助宣传部布置会场"}
