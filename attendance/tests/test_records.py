"""Minutes (AT-4), plenary discipline (SC-8) and activities (AT-6): the services' rules and bad inputs, and the
selectors the pages and the member's own page read."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from attendance import selectors, services
from attendance.models import (
    ActivityCoordination,
    ActivityPerformance,
    ActivityProposal,
    ActivityReport,
    Attendance,
    Audience,
    MeetingKind,
    Minutes,
    PlenaryDisruption,
    PlenaryOrder,
    Status,
)
from attendance.signals import facts_changed
from attendance.tests.factories import SHANGHAI
from members.models import Role
from members.tests.factories import MembershipFactory, PersonFactory, RoleAssignmentFactory, UserFactory
from orgs.models import PolicyValue
from orgs.tenancy import tenant_scope
from orgs.tests.factories import DepartmentFactory, OrganisationFactory, TenantFactory, TermFactory

START = dt.datetime(2026, 11, 20, 19, 0, tzinfo=SHANGHAI)
END = START + dt.timedelta(minutes=90)
NOW = END + dt.timedelta(days=1)  # the day after: everything has started
BEFORE = START - dt.timedelta(days=1)


class Alliance:
    """An organisation with two departments (four and two members), its office, a member who left before
    November and an outsider."""

    def __init__(self):
        self.tenant = t = TenantFactory()
        self.term = TermFactory(tenant=t, start=dt.date(2026, 8, 31), end=dt.date(2027, 1, 17))
        self.org = OrganisationFactory(tenant=t, name="朋辈互助联盟")
        self.publicity = DepartmentFactory(tenant=t, organisation=self.org, name="宣传部")
        self.office_dept = DepartmentFactory(tenant=t, organisation=self.org, name="办公室")
        self.members = [
            MembershipFactory(tenant=t, organisation=self.org, department=dept, term=self.term,
                              start=dt.date(2026, 9, 1)).person
            for dept in [self.publicity] * 4 + [self.office_dept] * 2
        ]
        self.left = MembershipFactory(tenant=t, organisation=self.org, department=self.publicity, term=self.term,
                                      start=dt.date(2026, 9, 1), end=dt.date(2026, 10, 31)).person
        self.outsider = PersonFactory(tenant=t, name="王外人")
        self.office = UserFactory(tenant=t, person=self.members[-1])
        RoleAssignmentFactory(tenant=t, user=self.office, role=Role.OFFICE, organisation=self.org)
        self.other_org = OrganisationFactory(tenant=t, name="另一个组织")
        self.other_dept = DepartmentFactory(tenant=t, organisation=self.other_org, name="外联部")


@pytest.fixture
def alliance(db):
    alliance = Alliance()
    with tenant_scope(alliance.tenant):
        yield alliance


def session(a, kind=MeetingKind.PLENARY, **kwargs):
    defaults = dict(organisation=a.org, kind=kind, title="全体会议" if kind == MeetingKind.PLENARY else "义卖活动",
                    stars=3, starts_at=START, ends_at=END, audience=Audience.ORGANISATION, user=a.office,
                    now=timezone.now())
    return services.meeting_create(**{**defaults, **kwargs})


@pytest.fixture
def plenary(alliance):
    return session(alliance, minutes_taker=alliance.members[0])


@pytest.fixture
def activity(alliance):
    """An activity for the publicity department's four members."""
    return session(alliance, MeetingKind.ACTIVITY, audience=Audience.DEPARTMENT, department=alliance.publicity)


def refused(call, message, **kwargs):
    with pytest.raises(ValidationError) as error:
        call(**kwargs)
    assert message in error.value.messages, error.value.messages


def cancel(meeting):
    services.meeting_cancel(meeting=meeting, reason="下雨", now=BEFORE)


# --- minutes (AT-4) ---


def test_minutes_are_recorded_once_and_updated(alliance, plenary):
    a = alliance
    services.minutes_record(meeting=plenary, taken=True, user=a.office, now=NOW, content="一、本周工作安排")
    minutes = Minutes.objects.get()
    assert (minutes.taker, minutes.taken, minutes.grade) == (a.members[0], True, "")
    assert minutes.content == "一、本周工作安排"
    # graded later; the taker is the session's minutes-taker when recorded
    services.meeting_update(meeting=plenary, title=plenary.title, stars=3, starts_at=START, ends_at=END, place="",
                            minutes_taker=a.members[1], now=NOW)
    services.minutes_record(meeting=plenary, taken=True, grade="excellent", user=a.office, now=NOW + dt.timedelta(1),
                            content="一、本周工作安排")
    minutes = Minutes.objects.get()
    assert (minutes.taker, minutes.grade, minutes.recorded_at) == (a.members[1], "excellent", NOW + dt.timedelta(1))
    services.minutes_record(meeting=plenary, taken=False, user=a.office, now=NOW)
    assert Minutes.objects.get().taken is False and Minutes.objects.count() == 1
    assert selectors.meeting_minutes(meeting=plenary).taken is False


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"taken": False, "grade": "good"}, "未做记录时不能评定。"),
    ({"taken": False, "content": "记录"}, "未做记录时不能填写记录内容。"),
    ({"taken": True, "grade": "splendid"}, "未知的评定。"),
    ({"taken": True, "now": START - dt.timedelta(minutes=1)}, "会议尚未开始，不能登记会议记录。"),
])
def test_bad_minutes_are_refused(alliance, plenary, kwargs, message):
    refused(services.minutes_record, message, meeting=plenary, user=alliance.office, **{"now": NOW, **kwargs})
    assert not Minutes.objects.exists()


def test_minutes_need_a_taker_an_open_meeting_and_a_meeting(alliance, plenary):
    a = alliance
    untaken = session(a)
    refused(services.minutes_record, "本次会议没有指定会议记录人，请先在“修改会议”中指定。", meeting=untaken,
            taken=True, user=a.office, now=NOW)
    duty = session(a, MeetingKind.DUTY, minutes_taker=a.members[0])
    refused(services.minutes_record, "值班和活动不做会议记录。", meeting=duty, taken=True, user=a.office, now=NOW)
    cancel(plenary)
    refused(services.minutes_record, "全体会议已取消，不能登记。", meeting=plenary, taken=True, user=a.office,
            now=NOW)
    assert not Minutes.objects.exists()


# --- plenary discipline (SC-8) ---


def test_a_departments_order_is_set_changed_and_cleared(alliance, plenary):
    a = alliance
    row = services.plenary_order_set(meeting=plenary, department=a.publicity, order="noisy", user=a.office, now=NOW)
    assert row.order == "noisy" and row.recorded_by == a.office
    services.plenary_order_set(meeting=plenary, department=a.publicity, order="orderly", user=a.office, now=NOW)
    services.plenary_order_set(meeting=plenary, department=a.office_dept, order="ordinary", user=a.office, now=NOW)
    assert dict(PlenaryOrder.objects.values_list("department__name", "order")) == {"宣传部": "orderly",
                                                                                   "办公室": "ordinary"}
    assert services.plenary_order_set(meeting=plenary, department=a.publicity, order=None, user=a.office,
                                      now=NOW) is None
    assert list(PlenaryOrder.objects.values_list("department__name", flat=True)) == ["办公室"]


@pytest.mark.parametrize(("change", "message"), [
    ({"order": "silent"}, "未知的会场纪律评定。"),
    ({"department": "other"}, "该部门不属于本组织。"),
    ({"now": START - dt.timedelta(minutes=5)}, "会议尚未开始，不能记录会场纪律。"),
])
def test_bad_orders_are_refused(alliance, plenary, change, message):
    a = alliance
    kwargs = {"meeting": plenary, "department": a.publicity, "order": "noisy", "user": a.office, "now": NOW, **change}
    if change.get("department") == "other":
        kwargs["department"] = a.other_dept
    refused(services.plenary_order_set, message, **kwargs)
    assert not PlenaryOrder.objects.exists()


def test_discipline_is_for_open_plenaries_only(alliance, plenary, activity):
    a = alliance
    for call, kwargs in ((services.plenary_order_set, {"department": a.publicity, "order": "noisy"}),
                         (services.plenary_disruption_add, {"person": a.members[0]})):
        refused(call, "只有全体会议记录会场纪律。", meeting=activity, user=a.office, now=NOW, **kwargs)
    refused(services.plenary_disruption_remove, "只有全体会议记录会场纪律。", meeting=activity, person=a.members[0],
            now=NOW)
    cancel(plenary)
    refused(services.plenary_order_set, "全体会议已取消，不能登记。", meeting=plenary, department=a.publicity,
            order="noisy", user=a.office, now=NOW)
    refused(services.plenary_disruption_add, "全体会议已取消，不能登记。", meeting=plenary, person=a.members[0],
            user=a.office, now=NOW)


def test_a_disruptive_attendee_is_added_once_and_removed_once(alliance, plenary):
    a = alliance
    row = services.plenary_disruption_add(meeting=plenary, person=a.members[1], note=" 大声接打电话 ", user=a.office,
                                          now=NOW)
    assert row.note == "大声接打电话"
    refused(services.plenary_disruption_add, "已经记录过此人严重扰乱会场。", meeting=plenary, person=a.members[1],
            note="又一次", user=a.office, now=NOW)
    assert list(PlenaryDisruption.objects.values_list("note", flat=True)) == ["大声接打电话"]
    services.plenary_disruption_remove(meeting=plenary, person=a.members[1], now=NOW)
    assert not PlenaryDisruption.objects.exists()
    refused(services.plenary_disruption_remove, "没有此人严重扰乱会场的记录。", meeting=plenary, person=a.members[1],
            now=NOW)


@pytest.mark.parametrize(("change", "message"), [
    ({"person": "outsider"}, "此人不是本次会议的应到人员。"),
    ({"note": "很" * 201}, "不能超过 200 个字。"),
    ({"now": START - dt.timedelta(minutes=1)}, "会议尚未开始，不能记录会场纪律。"),
])
def test_bad_disruptions_are_refused(alliance, plenary, change, message):
    a = alliance
    kwargs = {"meeting": plenary, "person": a.members[0], "user": a.office, "now": NOW, **change}
    if change.get("person") == "outsider":
        kwargs["person"] = a.outsider
    refused(services.plenary_disruption_add, message, **kwargs)
    assert not PlenaryDisruption.objects.exists()


# --- activities (AT-6): the report and the hand-back ---


def test_the_activity_report_is_saved_once_and_updated(alliance, activity):
    a = alliance
    services.activity_report_save(meeting=activity, overall_grade="good", summary=" 募得 1200 元 ", user=a.office,
                                  now=NOW, items_returned_on=dt.date(2026, 11, 21))
    services.activity_report_save(meeting=activity, overall_grade="excellent", summary="募得 1200 元", user=a.office,
                                  now=NOW, items_returned_on=dt.date(2026, 11, 20),
                                  materials_collected_on=dt.date(2026, 11, 21))
    report = ActivityReport.objects.get()
    assert (report.overall_grade, report.summary, report.items_returned_on, report.materials_collected_on) == (
        "excellent", "募得 1200 元", dt.date(2026, 11, 20), dt.date(2026, 11, 21))


@pytest.mark.parametrize(("change", "message"), [
    ({"items_returned_on": dt.date(2026, 11, 19)}, "物品归还日期不能早于活动日期。"),
    ({"materials_collected_on": dt.date(2026, 11, 22)}, "资料收集日期不能晚于今天。"),
    ({"overall_grade": "superb"}, "未知的评定。"),
    ({"now": START - dt.timedelta(hours=1), "items_returned_on": None}, "活动尚未开始，不能登记活动评定。"),
])
def test_bad_activity_reports_are_refused(alliance, activity, change, message):
    kwargs = {"meeting": activity, "overall_grade": "good", "user": alliance.office, "now": NOW,
              "items_returned_on": dt.date(2026, 11, 21), **change}
    refused(services.activity_report_save, message, **kwargs)
    assert not ActivityReport.objects.exists()


def test_both_bad_dates_are_named_at_once(alliance, activity):
    with pytest.raises(ValidationError) as error:
        services.activity_report_save(meeting=activity, user=alliance.office, now=NOW,
                                      items_returned_on=dt.date(2026, 1, 1), materials_collected_on=dt.date(2027, 1, 1))
    assert set(error.value.message_dict) == {"items_returned_on", "materials_collected_on"}


def test_activity_services_refuse_other_kinds_and_cancelled_activities(alliance, plenary, activity):
    a = alliance
    calls = [
        (services.activity_report_save, {"user": a.office, "now": NOW}),
        (services.activity_coordination_set, {"department": a.publicity, "grade": "good", "user": a.office,
                                              "now": NOW}),
        (services.activity_performance_save, {"entries": [], "user": a.office, "now": NOW}),
        (services.activity_proposal_add, {"person": a.members[0], "title": "义卖", "user": a.office, "now": NOW}),
        (services.activity_participant_add, {"person": a.members[4], "now": NOW}),
    ]
    for call, kwargs in calls:
        refused(call, "这不是一次活动。", meeting=plenary, **kwargs)
    cancel(activity)
    for call, kwargs in calls:
        refused(call, "活动已取消，不能登记。", meeting=activity, **kwargs)


def test_the_hand_back_is_on_time_late_or_pending(alliance, activity):
    deadline = selectors.handback_deadline(activity)
    assert deadline == dt.date(2026, 11, 27)  # the end date and 7 days (the default policy)
    today = dt.date(2026, 11, 25)
    assert selectors.handback(dt.date(2026, 11, 27), deadline=deadline, today=today).state == "on_time"
    late = selectors.handback(dt.date(2026, 11, 28), deadline=deadline, today=today)
    assert (late.state, str(late.label)) == ("late", "逾期")
    pending = selectors.handback(None, deadline=deadline, today=today)
    assert (pending.state, pending.overdue, str(pending.label)) == ("pending", False, "未完成")
    assert selectors.handback(None, deadline=deadline, today=dt.date(2026, 11, 28)).overdue is True


def test_the_hand_back_deadline_is_the_schools_policy_from_the_end_date(alliance):
    PolicyValue.objects.create(tenant=alliance.tenant, key="attendance.activity_handback_days", value=3,
                               effective_from=dt.date(2026, 9, 1))
    overnight = session(alliance, MeetingKind.ACTIVITY, ends_at=START + dt.timedelta(hours=28))  # to 23:00 the next day
    assert selectors.handback_deadline(overnight) == dt.date(2026, 11, 21) + dt.timedelta(days=3)


# --- coordination and performance ---


def test_a_departments_coordination_is_set_and_cleared(alliance, activity):
    a = alliance
    services.activity_coordination_set(meeting=activity, department=a.publicity, grade="chaotic", user=a.office,
                                       now=NOW)
    services.activity_coordination_set(meeting=activity, department=a.publicity, grade="good", user=a.office, now=NOW)
    assert list(ActivityCoordination.objects.values_list("grade", flat=True)) == ["good"]
    services.activity_coordination_set(meeting=activity, department=a.publicity, grade="", user=a.office, now=NOW)
    assert not ActivityCoordination.objects.exists()
    refused(services.activity_coordination_set, "该部门不属于本组织。", meeting=activity, department=a.other_dept,
            grade="good", user=a.office, now=NOW)
    refused(services.activity_coordination_set, "未知的配合评定。", meeting=activity, department=a.publicity,
            grade="fine", user=a.office, now=NOW)
    refused(services.activity_coordination_set, "活动尚未开始，不能评定部门配合。", meeting=activity,
            department=a.publicity, grade="good", user=a.office, now=START - dt.timedelta(minutes=1))
    assert not ActivityCoordination.objects.exists()


def test_performance_is_saved_in_bulk_and_only_what_changed(alliance, activity):
    a = alliance
    people = a.members[:4]
    entries = [{"person": people[0].pk, "outstanding": True, "concise_summary": False, "note": "主持"},
               {"person": people[1].pk, "outstanding": False, "concise_summary": True, "note": ""},
               {"person": people[2].pk, "outstanding": False, "concise_summary": False, "note": ""},
               {"person": people[3].pk, "outstanding": False, "concise_summary": False, "note": " "}]
    assert services.activity_performance_save(meeting=activity, entries=entries, user=a.office, now=NOW) == 2
    assert dict(ActivityPerformance.objects.values_list("person_id", "outstanding")) == {people[0].pk: True,
                                                                                         people[1].pk: False}
    entries[0]["note"], entries[2]["outstanding"] = "主持，控场好", True
    assert services.activity_performance_save(meeting=activity, entries=entries, user=a.office, now=NOW) == 2
    entries[0]["outstanding"] = False  # unticked: the row stays, with nothing outstanding
    assert services.activity_performance_save(meeting=activity, entries=entries, user=a.office, now=NOW) == 1
    rows = {p.person_id: p for p in ActivityPerformance.objects.all()}
    assert (rows[people[0].pk].outstanding, rows[people[0].pk].note) == (False, "主持，控场好")
    assert rows[people[2].pk].outstanding and len(rows) == 3
    assert services.activity_performance_save(meeting=activity, entries=entries, user=a.office, now=NOW) == 0


def test_performance_writes_a_constant_number_of_queries(alliance):
    a = alliance

    def writes(n):
        people = []
        for i in range(n):
            people.append(MembershipFactory(tenant=a.tenant, organisation=a.org, department=a.publicity,
                                            term=a.term, start=dt.date(2026, 9, 1), person__name=f"成员{n}-{i}").person)
        meeting = session(a, MeetingKind.ACTIVITY, audience=Audience.CHOSEN, chosen=people)
        half = n // 2
        services.activity_performance_save(meeting=meeting, user=a.office, now=NOW, entries=[
            {"person": p.pk, "outstanding": True} for p in people[:half]])
        with CaptureQueriesContext(connection) as queries:
            services.activity_performance_save(meeting=meeting, user=a.office, now=NOW, entries=[
                {"person": p.pk, "concise_summary": True} for p in people])
        assert ActivityPerformance.objects.filter(meeting=meeting, concise_summary=True).count() == n
        return len(queries)

    assert writes(4) == writes(40)


@pytest.mark.parametrize(("entries", "message"), [
    ([{"person": "outsider", "outstanding": True}], "此人不是本次活动的参与人员。"),
    ([{"person": 0, "outstanding": True}, {"person": 0, "note": "x"}], "同一人员出现了两次。"),
    ([{"person": 0, "note": "好" * 201}], "不能超过 200 个字。"),
])
def test_bad_performance_saves_nothing(alliance, activity, entries, message):
    a = alliance
    pk = {"outsider": a.outsider.pk, 0: a.members[0].pk}
    entries = [{"person": a.members[1].pk, "outstanding": True}] + [{**e, "person": pk[e["person"]]} for e in entries]
    refused(services.activity_performance_save, message, meeting=activity, entries=entries, user=a.office, now=NOW)
    assert not ActivityPerformance.objects.exists()


def test_performance_before_the_activity_is_refused(alliance, activity):
    refused(services.activity_performance_save, "活动尚未开始，不能记录表现。", meeting=activity,
            entries=[{"person": alliance.members[0].pk, "outstanding": True}], user=alliance.office, now=BEFORE)


# --- proposals and participants ---


def test_proposals_are_added_updated_and_removed(alliance, activity):
    a = alliance
    # before the activity (an idea adopted before it), and by a member who is not a participant
    proposal = services.activity_proposal_add(meeting=activity, person=a.members[4], title=" 宿舍楼下设点 ",
                                              adopted=True, user=a.office, now=BEFORE)
    assert (proposal.title, proposal.novel, proposal.adopted) == ("宿舍楼下设点", False, True)
    services.activity_proposal_update(proposal=proposal, novel=True, adopted=False, user=a.office, now=NOW)
    proposal.refresh_from_db()
    assert (proposal.novel, proposal.adopted, proposal.recorded_at) == (True, False, NOW)
    services.activity_proposal_remove(proposal=proposal, now=NOW)
    assert not ActivityProposal.objects.exists()


@pytest.mark.parametrize(("who", "title", "message"), [
    ("outsider", "义卖", "提出人须为本组织在活动当天的成员。"),
    ("left", "义卖", "提出人须为本组织在活动当天的成员。"),
    ("member", "  ", "请填写方案或构想。"),
    ("member", "案" * 201, "不能超过 200 个字。"),
])
def test_bad_proposals_are_refused(alliance, activity, who, title, message):
    a = alliance
    person = {"outsider": a.outsider, "left": a.left, "member": a.members[0]}[who]
    refused(services.activity_proposal_add, message, meeting=activity, person=person, title=title, user=a.office,
            now=NOW)
    assert not ActivityProposal.objects.exists()


def test_a_proposal_of_a_cancelled_activity_is_frozen(alliance, activity):
    a = alliance
    proposal = services.activity_proposal_add(meeting=activity, person=a.members[0], title="义卖", user=a.office,
                                              now=BEFORE)
    cancel(activity)
    refused(services.activity_proposal_update, "活动已取消，不能登记。", proposal=proposal, novel=True, adopted=True,
            user=a.office, now=NOW)
    refused(services.activity_proposal_remove, "活动已取消，不能登记。", proposal=proposal, now=NOW)
    assert ActivityProposal.objects.get().novel is False


def test_a_member_who_was_not_expected_is_added_as_a_participant(alliance, activity):
    a = alliance
    row = services.activity_participant_add(meeting=activity, person=a.members[4], now=NOW)
    assert (row.person, row.status) == (a.members[4], Status.UNMARKED)
    assert Attendance.objects.filter(meeting=activity).count() == 5
    for person in (a.members[4], a.members[0]):
        refused(services.activity_participant_add, "此人已经是本次活动的参与人员。", meeting=activity, person=person,
                now=NOW)
    for person in (a.outsider, a.left):
        refused(services.activity_participant_add, "参与人员须为本组织在活动当天的成员。", meeting=activity,
                person=person, now=NOW)
    assert Attendance.objects.filter(meeting=activity).count() == 5


# --- selectors ---


def test_the_discipline_page_lists_every_department_and_hides_other_departments_people(alliance, plenary):
    a = alliance
    services.plenary_order_set(meeting=plenary, department=a.office_dept, order="noisy", user=a.office, now=NOW)
    for person in (a.members[0], a.members[5]):
        services.plenary_disruption_add(meeting=plenary, person=person, user=a.office, now=NOW)
    page = selectors.discipline_page(user=a.office, meeting=plenary)
    assert [(m.department.name, m.value) for m in page.departments] == [("办公室", "noisy"), ("宣传部", "")]
    assert {d.person_id for d in page.disruptions} == {a.members[0].pk, a.members[5].pk}
    assert {p.pk for p in page.candidates} == {p.pk for p in a.members[1:5]}
    head = UserFactory(tenant=a.tenant)
    RoleAssignmentFactory(tenant=a.tenant, user=head, role=Role.DEPARTMENT_HEAD, department=a.publicity)
    page = selectors.discipline_page(user=head, meeting=plenary)
    assert [d.person_id for d in page.disruptions] == [a.members[0].pk] and page.candidates == []
    assert len(page.departments) == 2


def test_the_activity_page_joins_performance_and_offers_members(alliance, activity):
    a = alliance
    services.activity_performance_save(meeting=activity, user=a.office, now=NOW, entries=[
        {"person": a.members[0].pk, "outstanding": True}])
    services.activity_proposal_add(meeting=activity, person=a.members[5], title="义卖", user=a.office, now=NOW)
    page = selectors.activity_page(user=a.office, meeting=activity, today=dt.date(2026, 11, 30))
    assert page.report is None and page.items.state == "pending" and page.items.overdue
    performance = {row.person_id: row.performance for row in page.participants}
    assert performance[a.members[0].pk].outstanding and performance[a.members[1].pk] is None
    assert [p.title for p in page.proposals] == ["义卖"]
    assert {p.pk for p in page.members} == {p.pk for p in a.members}
    assert {p.pk for p in page.addable} == {a.members[4].pk, a.members[5].pk}
    viewer = UserFactory(tenant=a.tenant)
    RoleAssignmentFactory(tenant=a.tenant, user=viewer, role=Role.DEPARTMENT_HEAD, department=a.office_dept)
    page = selectors.activity_page(user=viewer, meeting=activity, today=dt.date(2026, 11, 30))
    assert page.participants == [] and [p.person_id for p in page.proposals] == [a.members[5].pk]
    assert page.members == [] and page.addable == []


def test_my_activities(alliance, activity):
    a = alliance
    me = UserFactory(tenant=a.tenant, person=a.members[0])
    other = session(a, MeetingKind.ACTIVITY, title="迎新晚会", audience=Audience.DEPARTMENT, department=a.office_dept,
                    starts_at=START + dt.timedelta(days=7), ends_at=END + dt.timedelta(days=7))
    old = session(a, MeetingKind.ACTIVITY, title="九月活动", starts_at=START - dt.timedelta(days=60),
                  ends_at=END - dt.timedelta(days=60))
    session(a)  # a plenary: not an activity
    services.activity_performance_save(meeting=activity, user=a.office, now=NOW, entries=[
        {"person": a.members[0].pk, "concise_summary": True, "note": "总结清楚"}])
    services.activity_proposal_add(meeting=activity, person=a.members[0], title="义卖", novel=True, user=a.office,
                                   now=NOW)
    services.activity_proposal_add(meeting=other, person=a.members[0], title="节目单", user=a.office, now=NOW)
    with CaptureQueriesContext(connection) as queries:
        mine = selectors.my_activities(user=me)
    assert len(queries) == 3
    assert [m.meeting.title for m in mine] == ["迎新晚会", "义卖活动", "九月活动"]
    assert mine[0].attendance is None and [p.title for p in mine[0].proposals] == ["节目单"]
    assert mine[1].attendance.meeting_id == activity.pk and mine[1].performance.note == "总结清楚"
    assert [p.title for p in mine[1].proposals] == ["义卖"] and mine[2].performance is None
    assert [m.meeting.pk for m in selectors.my_activities(user=me, since=dt.date(2026, 11, 1))] == [other.pk,
                                                                                                 activity.pk]
    assert old.pk not in [m.meeting.pk for m in selectors.my_activities(user=me, since=dt.date(2026, 11, 1))]
    assert selectors.my_activities(user=UserFactory(tenant=a.tenant, person=None)) == []


def test_every_write_tells_scoring_that_the_facts_changed(alliance, plenary, activity):
    """Inside the service's transaction (attendance/signals.py), once per write, with the session's date."""
    a = alliance
    heard = []

    def listener(sender, **kwargs):
        heard.append((kwargs["organisation_id"], kwargs["on"], kwargs["now"]))

    facts_changed.connect(listener)
    try:
        services.minutes_record(meeting=plenary, taken=True, user=a.office, now=NOW)
        services.plenary_order_set(meeting=plenary, department=a.publicity, order="noisy", user=a.office, now=NOW)
        services.plenary_order_set(meeting=plenary, department=a.publicity, order=None, user=a.office, now=NOW)
        services.plenary_disruption_add(meeting=plenary, person=a.members[0], user=a.office, now=NOW)
        services.plenary_disruption_remove(meeting=plenary, person=a.members[0], now=NOW)
        services.activity_report_save(meeting=activity, overall_grade="good", user=a.office, now=NOW)
        services.activity_coordination_set(meeting=activity, department=a.publicity, grade="good", user=a.office,
                                           now=NOW)
        services.activity_performance_save(meeting=activity, user=a.office, now=NOW, entries=[
            {"person": a.members[0].pk, "outstanding": True}])
        proposal = services.activity_proposal_add(meeting=activity, person=a.members[0], title="义卖", user=a.office,
                                                  now=NOW)
        services.activity_proposal_update(proposal=proposal, novel=True, adopted=False, user=a.office, now=NOW)
        services.activity_proposal_remove(proposal=proposal, now=NOW)
        services.activity_participant_add(meeting=activity, person=a.members[4], now=NOW)
        assert len(heard) == 12
        # nothing changed, nothing sent; a refused write sends nothing
        services.activity_performance_save(meeting=activity, user=a.office, now=NOW, entries=[
            {"person": a.members[0].pk, "outstanding": True}])
        with pytest.raises(ValidationError):
            services.plenary_disruption_remove(meeting=plenary, person=a.members[0], now=NOW)
    finally:
        facts_changed.disconnect(listener)
    assert set(heard) == {(a.org.pk, dt.date(2026, 11, 20), NOW)} and len(heard) == 12
