"""The pages of minutes (AT-4), plenary discipline (SC-8) and activities (AT-6): who sees and who records
(the office of the organisation; read-only for a department head, the presidium and the school's admin; 404
for an officer, another organisation's office and another school), what each form does and refuses, a
constant number of queries, and the member's own activities."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from attendance import services
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
)
from members.tests.factories import MembershipFactory, PersonFactory
from members.tests.school import school_fixture  # noqa: F401 - the "school" fixture
from orgs.calendar import local_date
from orgs.tenancy import tenant_scope
from orgs.tests.factories import DepartmentFactory
from tests.personas import login_as, personas

#: GET of a page: the office records, a department head and the school's admin read, the others see nothing.
SEES = {"office": 200, "head": 200, "admin": 200, "officer": 404, "other_office": 404, "other_school": 404}
#: POST of a write: the office only; who sees the page without recording gets a 403.
WRITES = {"office": 302, "head": 403, "admin": 403, "officer": 404, "other_office": 404, "other_school": 404}


def _session(school, kind=MeetingKind.PLENARY, *, starts_in=dt.timedelta(hours=-1), **extra):
    start = timezone.now() + starts_in
    extra.setdefault("audience", Audience.ORGANISATION)
    extra.setdefault("now", timezone.now())
    with tenant_scope(school.tenant):
        return services.meeting_create(
            organisation=school.org, kind=kind, title="全体会议" if kind == MeetingKind.PLENARY else "义卖活动",
            stars=3, starts_at=start, ends_at=start + dt.timedelta(hours=2), user=school.office, **extra,
        )


@pytest.fixture
def plenary(school):
    return _session(school, minutes_taker=school.student_x)


@pytest.fixture
def activity(school):
    """An activity of the whole organisation run by ``dept`` (so its head may see it)."""
    return _session(school, MeetingKind.ACTIVITY, department=school.dept)


def _url(name, meeting, **kwargs):
    return reverse(f"attendance:{name}", kwargs={"meeting_id": meeting.pk, **kwargs})


def _count(school, model):
    with tenant_scope(school.tenant):
        return model.objects.count()


def _html(response):
    return response.content.decode()


# --- the minutes box on the session's page (AT-4) ---


def test_the_office_records_minutes_on_the_sessions_page(client, school, plenary):
    client.force_login(school.office)
    url = _url("meeting_detail", plenary)
    html = _html(client.get(url))
    assert 'id="minutes"' in html and _url("minutes_record", plenary) in html and "未登记" in html
    response = client.post(_url("minutes_record", plenary), {"taken": "1", "grade": "good", "content": "一、招新"},
                           follow=True)
    html = _html(response)
    assert "已登记会议记录。" in html and "一、招新" in html and "更新会议记录" in html
    with tenant_scope(school.tenant):
        minutes = Minutes.objects.get()
    assert (minutes.taker_id, minutes.taken, minutes.grade) == (school.student_x.pk, True, "good")
    html = _html(client.post(_url("minutes_record", plenary), {"taken": "0", "grade": "good"}, follow=True))
    assert "未做记录时不能评定。" in html
    html = _html(client.post(_url("minutes_record", plenary), {"grade": "good"}, follow=True))
    assert "请选择是否已做记录。" in html
    with tenant_scope(school.tenant):
        assert Minutes.objects.get().taken is True


def test_minutes_by_persona(client, school, plenary, other_office):
    users = personas(school, names=SEES, other_office=other_office)
    for persona, status in WRITES.items():
        login_as(client, users[persona])
        assert client.post(_url("minutes_record", plenary), {"taken": "0"}).status_code == status, persona
        if SEES[persona] == 200 and persona != "office":
            html = _html(client.get(_url("meeting_detail", plenary)))
            assert 'id="minutes"' in html and 'id="minutes-form"' not in html, persona
    with tenant_scope(school.tenant):
        assert Minutes.objects.get().taken is False  # the office's one


def test_the_minutes_box_says_what_is_missing(client, school):
    client.force_login(school.office)
    future = _session(school, starts_in=dt.timedelta(days=1), minutes_taker=school.student_x)
    html = _html(client.get(_url("meeting_detail", future)))
    assert "会议开始后才能登记会议记录。" in html and 'id="minutes-form"' not in html
    html = _html(client.post(_url("minutes_record", future), {"taken": "1"}, follow=True))
    assert "会议尚未开始，不能登记会议记录。" in html
    untaken = _session(school)
    assert "请先在“修改会议”中指定" in _html(client.get(_url("meeting_detail", untaken)))
    html = _html(client.get(_url("meeting_detail", _session(school, MeetingKind.ACTIVITY))))
    assert 'id="minutes"' not in html and 'id="open-activity"' in html


# --- the discipline page (SC-8) ---


def test_the_discipline_page_by_persona(client, school, plenary, other_office):
    url = _url("plenary_discipline", plenary)
    users = personas(school, names=SEES, other_office=other_office)
    for persona, status in SEES.items():
        login_as(client, users[persona])
        response = client.get(url)
        assert response.status_code == status, persona
        if status == 200:
            html = _html(response)
            assert "各部门会场纪律" in html and school.dept.name in html
            assert (_url("plenary_order", plenary) in html) == (persona == "office"), persona
            assert ("只读：由本组织办公室记录。" in html) == (persona != "office"), persona
    client.logout()
    assert client.get(url).status_code in (302, 404)


def test_discipline_writes_by_persona(client, school, plenary, other_office):
    posts = [
        ("plenary_order", {"department": school.dept.pk, "order": "noisy"}),
        ("plenary_disruption_add", {"person": school.student_x.pk, "note": "大声喧哗"}),
        ("plenary_disruption_remove", {"person": school.student_x.pk}),
    ]
    users = personas(school, names=SEES, other_office=other_office)
    for persona, status in WRITES.items():
        if persona == "office":
            continue
        login_as(client, users[persona])
        for name, data in posts:
            assert client.post(_url(name, plenary), data).status_code == status, (persona, name)
            assert client.get(_url(name, plenary)).status_code == 405, (persona, name)
    assert _count(school, PlenaryOrder) == _count(school, PlenaryDisruption) == 0
    client.force_login(school.office)
    for name, data in posts:
        response = client.post(_url(name, plenary), data)
        assert response.status_code == 302 and response["Location"].startswith(_url("plenary_discipline", plenary))
    assert _count(school, PlenaryOrder) == 1 and _count(school, PlenaryDisruption) == 0


def test_the_office_records_discipline(client, school, plenary):
    client.force_login(school.office)
    with tenant_scope(school.tenant):
        publicity = DepartmentFactory(tenant=school.tenant, organisation=school.org, name="宣传部")
    order, add, remove = (_url(n, plenary) for n in ("plenary_order", "plenary_disruption_add",
                                                     "plenary_disruption_remove"))
    html = _html(client.post(order, {"department": publicity.pk, "order": "noisy"}, follow=True))
    assert "已保存部门会场纪律。" in html and "混乱吵闹" in html
    client.post(order, {"department": school.dept.pk, "order": "orderly"})
    client.post(order, {"department": publicity.pk, "order": ""})
    with tenant_scope(school.tenant):
        assert dict(PlenaryOrder.objects.values_list("department_id", "order")) == {school.dept.pk: "orderly"}
    html = _html(client.post(add, {"person": school.officer.person_id, "note": "接打电话"}, follow=True))
    assert "已记录严重扰乱会场的人员。" in html and "接打电话" in html
    html = _html(client.post(add, {"person": school.officer.person_id, "note": "又一次"}, follow=True))
    assert "已经记录过此人严重扰乱会场。" in html
    html = _html(client.post(remove, {"person": school.officer.person_id}, follow=True))
    assert "已删除这条记录。" in html and "接打电话" not in html
    html = _html(client.post(remove, {"person": school.officer.person_id}, follow=True))
    assert "没有此人严重扰乱会场的记录。" in html
    assert _count(school, PlenaryDisruption) == 0


@pytest.mark.parametrize(("name", "data", "message"), [
    ("plenary_order", {"department": "other", "order": "noisy"}, "该部门不属于本组织。"),
    ("plenary_order", {"department": "dept", "order": "loud"}, "未知的会场纪律评定。"),
    ("plenary_order", {"order": "noisy"}, "请选择部门。"),
    ("plenary_disruption_add", {"person": "y"}, "此人不是本次会议的应到人员。"),
    ("plenary_disruption_add", {"person": "0"}, "请选择人员。"),
    ("plenary_disruption_add", {"person": "x", "note": "吵" * 201}, "200"),
    ("plenary_disruption_remove", {}, "请选择人员。"),
])
def test_bad_discipline_posts_say_why_and_change_nothing(client, school, plenary, other_office, name, data,
                                                         message):
    values = {"other": school.other.dept.pk, "dept": school.dept.pk, "y": school.student_y.pk,
              "x": school.student_x.pk, "0": 0}
    with tenant_scope(school.tenant):
        other_org_dept = DepartmentFactory(tenant=school.tenant, name="外联部")
    values["other"] = other_org_dept.pk
    data = {k: values.get(v, v) for k, v in data.items()}
    client.force_login(school.office)
    html = _html(client.post(_url(name, plenary), data, follow=True))
    assert message in html
    assert _count(school, PlenaryOrder) == _count(school, PlenaryDisruption) == 0


def test_discipline_waits_for_the_plenary_to_start(client, school):
    future = _session(school, starts_in=dt.timedelta(days=1))
    client.force_login(school.office)
    html = _html(client.get(_url("plenary_discipline", future)))
    assert "会议开始后才能记录会场纪律。" in html and _url("plenary_order", future) not in html
    html = _html(client.post(_url("plenary_order", future), {"department": school.dept.pk, "order": "noisy"},
                             follow=True))
    assert "会议尚未开始，不能记录会场纪律。" in html and _count(school, PlenaryOrder) == 0


def test_a_page_of_the_wrong_kind_goes_back_to_the_session(client, school, plenary, activity):
    client.force_login(school.office)
    response = client.get(_url("plenary_discipline", activity), follow=True)
    assert response.redirect_chain[-1][0] == _url("meeting_detail", activity)
    assert "只有全体会议记录会场纪律。" in _html(response)
    response = client.get(_url("activity_record", plenary), follow=True)
    assert response.redirect_chain[-1][0] == _url("meeting_detail", plenary) and "这不是一次活动。" in _html(response)
    html = _html(client.post(_url("activity_participant_add", plenary), {"person": school.student_y.pk},
                             follow=True))
    assert "这不是一次活动。" in html
    html = _html(client.get(_url("meeting_detail", plenary)))
    assert 'id="open-discipline"' in html and 'id="open-activity"' not in html


# --- the activity page (AT-6) ---


def test_the_activity_page_by_persona(client, school, activity, other_office):
    url = _url("activity_record", activity)
    users = personas(school, names=SEES, other_office=other_office)
    for persona, status in SEES.items():
        login_as(client, users[persona])
        response = client.get(url)
        assert response.status_code == status, persona
        if status == 200:
            html = _html(response)
            assert "活动评定" in html and school.student_x.name in html
            assert (_url("activity_performance", activity) in html) == (persona == "office"), persona
            assert ('name="overall_grade"' in html) == (persona == "office"), persona
    # an activity of the whole organisation with no department: not a department head's
    client.force_login(school.head)
    assert client.get(_url("activity_record", _session(school, MeetingKind.ACTIVITY))).status_code == 404


def _proposal(school, activity):
    with tenant_scope(school.tenant):
        return services.activity_proposal_add(meeting=activity, person=school.student_x, title="义卖",
                                              user=school.office, now=timezone.now())


def test_activity_writes_by_persona(client, school, activity, other_office):
    proposal = _proposal(school, activity)
    with tenant_scope(school.tenant):
        newcomer = PersonFactory(tenant=school.tenant, name="赵新人")
        MembershipFactory(tenant=school.tenant, person=newcomer, organisation=school.org, department=school.dept,
                          position=school.officer_post, term=school.term, start=school.term.start)
    posts = [
        ("activity_record", {}, {"overall_grade": "good", "summary": "顺利"}),
        ("activity_coordination", {}, {"department": school.dept.pk, "grade": "good"}),
        ("activity_performance", {}, {"person": [school.student_x.pk], f"outstanding_{school.student_x.pk}": "on"}),
        ("activity_participant_add", {}, {"person": newcomer.pk}),
        ("activity_proposal_add", {}, {"person": school.officer.person_id, "title": "海报"}),
        ("activity_proposal_update", {"activityproposal_id": proposal.pk}, {"novel": "on"}),
        ("activity_proposal_remove", {"activityproposal_id": proposal.pk}, {}),
    ]
    models = (ActivityReport, ActivityCoordination, ActivityPerformance, ActivityProposal)
    users = personas(school, names=SEES, other_office=other_office)
    for persona, status in WRITES.items():
        if persona == "office":
            continue
        login_as(client, users[persona])
        for name, kwargs, data in posts:
            assert client.post(_url(name, activity, **kwargs), data).status_code == status, (persona, name)
    assert [_count(school, m) for m in models] == [0, 0, 0, 1] and _count(school, Attendance) == 3
    client.force_login(school.office)
    for name, kwargs, data in posts:
        response = client.post(_url(name, activity, **kwargs), data)
        assert response.status_code == 302 and response["Location"].startswith(_url("activity_record", activity))
    assert [_count(school, m) for m in models] == [1, 1, 1, 1] and _count(school, Attendance) == 4
    with tenant_scope(school.tenant):
        assert ActivityProposal.objects.get().title == "海报"


def test_a_proposal_of_another_activity_is_a_404(client, school, activity):
    other = _session(school, MeetingKind.ACTIVITY)
    proposal = _proposal(school, other)
    client.force_login(school.office)
    for name in ("activity_proposal_update", "activity_proposal_remove"):
        url = _url(name, activity, activityproposal_id=proposal.pk)
        assert client.post(url, {"novel": "on"}).status_code == 404
        assert client.get(url).status_code == 405
    with tenant_scope(school.tenant):
        assert ActivityProposal.objects.get().novel is False


def test_the_office_records_an_activity(client, school, activity):
    client.force_login(school.office)
    url = _url("activity_record", activity)
    today = local_date(timezone.now())
    html = _html(client.post(url, {"overall_grade": "excellent", "summary": "募得 800 元",
                                   "items_returned_on": today.isoformat()}, follow=True))
    assert "已保存活动评定。" in html and "募得 800 元" in html and "按时" in html and "未完成" in html
    tomorrow = (today + dt.timedelta(days=1)).isoformat()
    response = client.post(url, {"overall_grade": "good", "summary": "改过的总结", "materials_collected_on": tomorrow})
    html = _html(response)
    assert response.status_code == 200 and "资料收集日期不能晚于今天。" in html and "改过的总结" in html
    with tenant_scope(school.tenant):
        report = ActivityReport.objects.get()
        assert (report.overall_grade, report.items_returned_on) == ("excellent", today)
    html = _html(client.post(url, {"items_returned_on": "yesterday"}))
    assert "输入一个有效的日期。" in html

    people = [school.student_x.pk, school.officer.person_id, school.head.person_id]
    html = _html(client.post(_url("activity_performance", activity), {
        "person": people, f"outstanding_{people[0]}": "on", f"concise_{people[1]}": "on",
        f"note_{people[1]}": "总结写得好", f"note_{people[2]}": ""}, follow=True))
    assert "已保存参与人员的表现。" in html and "总结写得好" in html
    with tenant_scope(school.tenant):
        rows = {p.person_id: p for p in ActivityPerformance.objects.all()}
    assert set(rows) == set(people[:2]) and rows[people[0]].outstanding and rows[people[1]].concise_summary
    html = _html(client.post(_url("activity_performance", activity), {"person": [school.student_y.pk]},
                             follow=True))
    assert "此人不是本次活动的参与人员。" in html

    html = _html(client.post(_url("activity_proposal_add", activity), {"person": school.student_y.pk,
                                                                         "title": "义卖"}, follow=True))
    assert "提出人须为本组织在活动当天的成员。" in html
    html = _html(client.post(_url("activity_proposal_add", activity), {"person": school.officer.person_id,
                                                                         "title": ""}, follow=True))
    assert "请填写方案或构想。" in html
    html = _html(client.post(_url("activity_proposal_add", activity), {
        "person": school.officer.person_id, "title": "校园寻宝", "adopted": "on"}, follow=True))
    assert "已添加方案或构想。" in html and "校园寻宝" in html
    with tenant_scope(school.tenant):
        proposal = ActivityProposal.objects.get()
    assert proposal.adopted and not proposal.novel
    client.post(_url("activity_proposal_update", activity, activityproposal_id=proposal.pk), {"novel": "on"})
    proposal.refresh_from_db()
    assert proposal.novel and not proposal.adopted

    html = _html(client.post(_url("activity_participant_add", activity), {"person": school.student_x.pk},
                             follow=True))
    assert "此人已经是本次活动的参与人员。" in html
    html = _html(client.post(_url("activity_participant_add", activity), {"person": school.student_y.pk},
                             follow=True))
    assert "参与人员须为本组织在活动当天的成员。" in html


def test_coordination_through_the_page(client, school, activity):
    client.force_login(school.office)
    url = _url("activity_coordination", activity)
    html = _html(client.post(url, {"department": school.dept.pk, "grade": "chaotic"}, follow=True))
    assert "已保存部门配合评定。" in html and "配合乱差" in html
    html = _html(client.post(url, {"department": school.dept.pk, "grade": "awful"}, follow=True))
    assert "未知的配合评定。" in html
    client.post(url, {"department": school.dept.pk, "grade": ""})
    assert _count(school, ActivityCoordination) == 0


def test_before_the_activity_only_proposals_and_participants(client, school):
    future = _session(school, MeetingKind.ACTIVITY, starts_in=dt.timedelta(days=2))
    client.force_login(school.office)
    html = _html(client.get(_url("activity_record", future)))
    assert "活动尚未开始" in html and 'name="overall_grade"' not in html
    assert _url("activity_performance", future) not in html and _url("activity_proposal_add", future) in html
    html = _html(client.post(_url("activity_record", future), {"overall_grade": "good"}))
    assert "活动尚未开始，不能登记活动评定。" in html and _count(school, ActivityReport) == 0
    html = _html(client.post(_url("activity_proposal_add", future), {
        "person": school.officer.person_id, "title": "提前的方案", "adopted": "on"}, follow=True))
    assert "已添加方案或构想。" in html


def test_a_cancelled_activity_is_read_only(client, school, activity):
    with tenant_scope(school.tenant):
        services.meeting_cancel(meeting=activity, reason="下雨", now=timezone.now())
    client.force_login(school.office)
    html = _html(client.get(_url("activity_record", activity)))
    assert "活动已取消：下雨" in html and 'name="overall_grade"' not in html
    html = _html(client.post(_url("activity_coordination", activity), {"department": school.dept.pk,
                                                                       "grade": "good"}, follow=True))
    assert "活动已取消，不能登记。" in html


# --- a constant number of queries ---


def _crowd(school, n):
    """``n`` new members of ``dept``."""
    people = []
    with tenant_scope(school.tenant):
        for i in range(n):
            person = PersonFactory(tenant=school.tenant, name=f"成员{n}-{i}")
            MembershipFactory(tenant=school.tenant, person=person, organisation=school.org, department=school.dept,
                              position=school.officer_post, term=school.term, start=school.term.start)
            people.append(person)
    return people


def _discipline_of(school, n):
    people = _crowd(school, n)
    meeting = _session(school, audience=Audience.CHOSEN, chosen=people)
    now = timezone.now()
    with tenant_scope(school.tenant):
        services.plenary_order_set(meeting=meeting, department=school.dept, order="noisy", user=school.office,
                                   now=now)
        for person in people[: n - 1]:
            services.plenary_disruption_add(meeting=meeting, person=person, note="吵", user=school.office, now=now)
    return _url("plenary_discipline", meeting)


def _activity_of(school, n):
    people = _crowd(school, n)
    meeting = _session(school, MeetingKind.ACTIVITY, audience=Audience.CHOSEN, chosen=people, department=school.dept)
    now = timezone.now()
    with tenant_scope(school.tenant):
        services.activity_report_save(meeting=meeting, overall_grade="good", user=school.office, now=now)
        services.activity_coordination_set(meeting=meeting, department=school.dept, grade="good", user=school.office,
                                           now=now)
        services.activity_performance_save(meeting=meeting, user=school.office, now=now, entries=[
            {"person": p.pk, "outstanding": True, "note": "好"} for p in people])
        for person in people:
            services.activity_proposal_add(meeting=meeting, person=person, title="方案", user=school.office, now=now)
    return _url("activity_record", meeting)


@pytest.mark.parametrize("build", [_discipline_of, _activity_of], ids=["discipline", "activity"])
@pytest.mark.parametrize("persona", ["office", "head"])
def test_the_pages_run_a_constant_number_of_queries(client, school, django_assert_num_queries, build, persona):
    client.force_login(getattr(school, persona))
    few, many = build(school, 3), build(school, 20)
    client.get(few)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(few).status_code == 200
    with django_assert_num_queries(len(queries)):
        response = client.get(many)
    assert response.status_code == 200 and "成员20-18" in _html(response)


# --- the member's own page ---


def test_my_activities_on_my_page(client, school, activity):
    now = timezone.now()
    with tenant_scope(school.tenant):
        services.activity_performance_save(meeting=activity, user=school.office, now=now, entries=[
            {"person": school.officer.person_id, "outstanding": True, "note": "布置场地"}])
        services.activity_proposal_add(meeting=activity, person=school.officer.person, title="跳蚤市场", novel=True,
                                       user=school.office, now=now)
    client.force_login(school.officer)
    response = client.get(reverse("attendance:my_attendance"))
    html = _html(response)
    assert response.status_code == 200 and "我的活动" in html
    assert "义卖活动" in html and "布置场地" in html and "跳蚤市场" in html and "新颖可行" in html
    [mine] = response.context["activities"]
    assert mine.meeting.pk == activity.pk and mine.performance.outstanding
    client.force_login(school.counsellor)  # in no organisation
    assert "还没有你参与的活动。" in _html(client.get(reverse("attendance:my_attendance")))
