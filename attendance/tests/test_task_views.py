"""The task pages (AT-5): every view by persona — the office of the task's organisation, another role (department
head, presidium, the school's admin, an officer), another organisation's office and another school — the
member's 答收到 and submission with real files, the download, and a constant number of queries."""

import datetime as dt
from urllib.parse import quote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from attendance import services
from attendance.models import Audience, Grade, Task, TaskAssignment, TaskAttachment
from attendance.tests.task_world import assignment_of, make_task, sample, set_max_mb, upload
from members.tests.factories import MembershipFactory, PersonFactory, UserFactory
from members.tests.school import school_fixture  # noqa: F401 - the "school" fixture
from orgs.tenancy import tenant_scope
from tests.personas import as_, personas, statuses


@pytest.fixture
def task(school, more):
    """A task of the whole organisation: student_x, the officer and the head (办公室) and 王外部 (宣传部)."""
    return make_task(school, now=timezone.now(), description="每人提交一份总结")


def _url(name, **kwargs):
    return reverse(f"attendance:{name}", kwargs=kwargs)


def _submitted(school, task, user, *, files=(), note="", now=None):
    """``user``'s assignment of ``task``, submitted through the service."""
    assignment = assignment_of(school, task, user)
    with tenant_scope(school.tenant):
        services.task_submit(assignment=assignment, user=user, now=now or timezone.now(), note=note,
                             files=list(files))
    return assignment_of(school, task, user)


# --- the task list ---


def test_the_task_list_by_persona(client, school, more, task):
    url = _url("task_list")
    assert statuses(client, url, personas(school, more), "get") == {
        "office": 200, "head": 200, "president": 200, "admin": 200, "officer": 403, "other_office": 200,
        "other_school": 200,
    }
    for user, seen in ((school.office, [task.pk]), (school.head, [task.pk]), (more.other_office, []),
                       (school.other_admin, [])):
        assert [t.pk for t in as_(client, user).get(url).context["page"]] == seen, user
    html = as_(client, school.office).get(url).content.decode()
    assert "布置任务" in html and task.title in html
    assert "布置任务" not in as_(client, school.head).get(url).content.decode()


def test_the_task_list_filters_open_and_closed(client, school, more, task):
    closed = make_task(school, now=timezone.now(), title="已取消的任务")
    with tenant_scope(school.tenant):
        services.task_cancel(task=closed, reason="取消", now=timezone.now())
    client = as_(client, school.office)
    url = _url("task_list")
    assert [t.pk for t in client.get(url, {"state": "open"}).context["page"]] == [task.pk]
    assert [t.pk for t in client.get(url, {"state": "closed"}).context["page"]] == [closed.pk]
    assert len(client.get(url, {"organisation": more.other_org.pk}).context["page"]) == 0
    assert len(client.get(url).context["page"]) == 2


def test_the_task_list_runs_a_constant_number_of_queries(client, school, more, django_assert_num_queries):
    client = as_(client, school.office)
    url = _url("task_list")

    def add(n):
        for i in range(n):
            make_task(school, now=timezone.now(), title=f"任务{i}")

    add(3)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert len(client.get(url).context["page"]) == 3
    add(17)
    with django_assert_num_queries(len(few)):
        assert len(client.get(url).context["page"]) == 20


# --- assigning ---


def _form(school, **extra):
    deadline = timezone.localtime() + dt.timedelta(days=2)
    data = {"organisation": school.org.pk, "title": "整理会议记录", "description": "按模板", "audience": "department",
            "department": school.dept.pk, "deadline": deadline.strftime("%Y-%m-%dT22:00")}
    return {**data, **extra}


def test_the_office_assigns_a_task(client, school, more):
    client = as_(client, school.office)
    url = _url("task_create")
    assert client.get(url).status_code == 200
    response = client.post(url, _form(school))
    with tenant_scope(school.tenant):
        task = Task.objects.get()
        assert {a.person_id for a in task.assignments.all()} == {school.student_x.pk, school.officer.person_id,
                                                                 school.head.person_id}
    assert response.status_code == 302 and response["Location"] == _url("task_detail", task_id=task.pk)
    assert "已布置任务：整理会议记录，共 3 人。" in client.get(response["Location"]).content.decode()


def test_a_task_for_chosen_people_from_the_form(client, school, more):
    response = as_(client, school.office).post(_url("task_create"), _form(
        school, audience="chosen", department="", chosen=[school.student_x.pk, more.outsider.pk]))
    assert response.status_code == 302
    with tenant_scope(school.tenant):
        assert TaskAssignment.objects.count() == 2


@pytest.mark.parametrize(("extra", "message"), [
    ({"deadline": "2001-01-01T22:00"}, "截止时间必须晚于现在。"),
    ({"department": ""}, "布置给一个部门时须选择部门。"),
    ({"audience": "chosen", "department": ""}, "请选择布置对象。"),
])
def test_a_bad_task_form_says_why(client, school, more, extra, message):
    response = as_(client, school.office).post(_url("task_create"), _form(school, **extra))
    assert response.status_code == 200 and message in response.content.decode()
    with tenant_scope(school.tenant):
        assert not Task.objects.exists()


def test_another_organisations_department_is_not_offered(client, school, more):
    response = as_(client, school.office).post(_url("task_create"), _form(school, department=more.other_dept.pk))
    assert response.status_code == 200 and "department" in response.context["form"].errors
    response = as_(client, school.office).post(_url("task_create"), _form(school, organisation=more.other_org.pk))
    assert "organisation" in response.context["form"].errors
    with tenant_scope(school.tenant):
        assert not Task.objects.exists()


def test_only_an_office_assigns_tasks(client, school, more):
    assert statuses(client, _url("task_create"), personas(school, more), "get") == {
        "office": 200, "head": 403, "president": 403, "admin": 403, "officer": 403, "other_office": 200,
        "other_school": 403,
    }
    as_(client, school.head).post(_url("task_create"), _form(school))
    with tenant_scope(school.tenant):
        assert not Task.objects.exists()


# --- the task page ---


def test_the_task_page_by_persona(client, school, more, task):
    url = _url("task_detail", task_id=task.pk)
    assert statuses(client, url, personas(school, more), "get") == {
        "office": 200, "head": 200, "president": 200, "admin": 200, "officer": 404, "other_office": 404,
        "other_school": 404,
    }
    client.logout()
    assert client.get(url).status_code in (302, 404)


def test_the_office_sees_every_assignee_with_times_files_and_grade_controls(client, school, more, task):
    with tenant_scope(school.tenant):
        services.task_acknowledge(assignment=assignment_of(school, task, school.head), user=school.head,
                                  now=timezone.now())
    late = task.deadline + dt.timedelta(hours=1)
    _submitted(school, task, school.officer, note="已完成", files=[upload("总结.docx")])
    _submitted(school, task, UserFactory(tenant=school.tenant, person=more.outsider), now=late)
    response = as_(client, school.office).get(_url("task_detail", task_id=task.pk))
    html = response.content.decode()
    rows = {row.person.name: row for row in response.context["rows"]}
    assert set(rows) == {school.student_x.name, school.officer.person.name, school.head.person.name, "王外部"}
    assert response.context["counts"] == {"assigned": 4, "acknowledged": 3, "submitted": 2, "late": 1, "graded": 0}
    attachment = rows[school.officer.person.name].attachments.all()[0]
    assert _url("task_attachment", taskattachment_id=attachment.pk) in html and "总结.docx" in html
    assert html.count("data-grade-form") == 2  # submitted rows only
    assert "逾期" in html and "未答收到" in html and "已完成" in html and "每人提交一份总结" in html
    assert 'id="edit-task"' in html and "取消任务" in html and "js/tasks.js" in html


def test_a_department_head_reads_only_their_department(client, school, more, task):
    _submitted(school, task, school.officer)
    response = as_(client, school.head).get(_url("task_detail", task_id=task.pk))
    html = response.content.decode()
    assert {row.person.name for row in response.context["rows"]} == {
        school.student_x.name, school.officer.person.name, school.head.person.name}
    assert "王外部" not in html and "只显示你所在部门的成员" in html
    assert "data-grade-form" not in html and 'id="edit-task"' not in html and "取消任务" not in html
    response = as_(client, more.president).get(_url("task_detail", task_id=task.pk))
    assert len(response.context["rows"]) == 4 and "data-grade-form" not in response.content.decode()


def test_the_task_page_runs_a_constant_number_of_queries(client, school, more, django_assert_num_queries):
    def page_of(n):
        with tenant_scope(school.tenant):
            people = []
            for i in range(n):
                person = PersonFactory(tenant=school.tenant, name=f"成员{n}-{i}")
                MembershipFactory(tenant=school.tenant, person=person, organisation=school.org,
                                  department=school.dept, position=school.officer_post, term=school.term,
                                  start=school.term.start)
                people.append(person)
        task = make_task(school, now=timezone.now(), audience=Audience.CHOSEN, chosen=people)
        for person in people:
            _submitted(school, task, UserFactory(tenant=school.tenant, person=person),
                       files=[upload("a.txt"), upload("b.txt")])
        with tenant_scope(school.tenant):
            for row in TaskAssignment.objects.filter(task=task):
                services.task_grade(assignment=row, grade=Grade.GOOD, user=school.office, now=timezone.now())
        return _url("task_detail", task_id=task.pk)

    for user in (school.office, school.head):
        client = as_(client, user)
        small, large = page_of(3), page_of(20)
        client.get(small)
        with CaptureQueriesContext(connection) as few:
            assert len(client.get(small).context["rows"]) == 3
        with django_assert_num_queries(len(few)):
            assert len(client.get(large).context["rows"]) == 20


# --- editing and cancelling ---


def _edit(task, **changes):
    deadline = timezone.localtime(task.deadline) + dt.timedelta(days=1)
    return {"title": "整理会议记录（延期）", "description": "按模板", "deadline": f"{deadline:%Y-%m-%dT%H:%M}",
            **changes}


def test_the_edit_page_by_persona(client, school, more, task):
    url = _url("task_edit", task_id=task.pk)
    assert statuses(client, url, personas(school, more), "get") == {
        "office": 200, "head": 403, "president": 403, "admin": 403, "officer": 404, "other_office": 404,
        "other_school": 404,
    }
    for user in (school.head, more.other_office, school.other_admin):
        assert as_(client, user).post(url, _edit(task)).status_code in (403, 404)
    with tenant_scope(school.tenant):
        assert Task.objects.get().title == task.title


def test_the_office_extends_the_deadline(client, school, more, task):
    response = as_(client, school.office).post(_url("task_edit", task_id=task.pk), _edit(task))
    assert response.status_code == 302
    with tenant_scope(school.tenant):
        saved = Task.objects.get()
    extended = (task.deadline + dt.timedelta(days=1)).replace(second=0, microsecond=0)  # the form's minutes
    assert saved.title == "整理会议记录（延期）" and saved.deadline == extended


def test_a_deadline_moved_into_the_past_is_refused(client, school, more, task):
    response = as_(client, school.office).post(_url("task_edit", task_id=task.pk),
                                               _edit(task, deadline="2001-01-01T22:00"))
    assert response.status_code == 200 and "新的截止时间必须晚于现在。" in response.content.decode()
    with tenant_scope(school.tenant):
        assert Task.objects.get().deadline == task.deadline


def test_the_office_cancels_a_task_with_a_reason(client, school, more, task):
    url = _url("task_cancel", task_id=task.pk)
    assert as_(client, school.office).get(url).status_code == 405
    for user, status in ((school.head, 403), (school.admin, 403), (school.officer, 404), (more.other_office, 404),
                         (school.other_admin, 404)):
        assert as_(client, user).post(url, {"reason": "x"}).status_code == status, user
    client = as_(client, school.office)
    assert "请填写取消原因。" in client.post(url, {"reason": " "}, follow=True).content.decode()
    html = client.post(url, {"reason": "活动改期"}, follow=True).content.decode()
    assert "任务已取消：活动改期" in html and "data-grade-form" not in html and 'id="edit-task"' not in html
    response = client.get(_url("task_edit", task_id=task.pk), follow=True)
    assert "任务已取消，不能修改。" in response.content.decode()


# --- grading ---


def _grade(client, assignment, grade, *, json=True):
    headers = {"HTTP_ACCEPT": "application/json"} if json else {}
    return client.post(_url("task_grade", taskassignment_id=assignment.pk), {"grade": grade}, **headers)


def test_the_office_grades_without_reloading(client, school, more, task):
    row = _submitted(school, task, school.officer)
    response = _grade(as_(client, school.office), row, "excellent")
    assert response.status_code == 200 and response.json() == {"grade": "excellent", "grade_label": "优"}
    response = _grade(client, row, "poor", json=False)
    assert response.status_code == 302 and response["Location"].endswith(f"#assignment-{row.pk}")
    assert assignment_of(school, task, school.officer).grade == Grade.POOR


def test_bad_grades_are_refused_in_chinese(client, school, more, task):
    client = as_(client, school.office)
    unsubmitted = assignment_of(school, task, school.student_x)
    response = _grade(client, unsubmitted, "good")
    assert response.status_code == 400 and response.json() == {"error": "尚未提交，不能评定。"}
    row = _submitted(school, task, school.officer)
    response = _grade(client, row, "perfect")
    assert response.status_code == 400 and response.json() == {"error": "未知的评定等级。"}
    assert "尚未提交，不能评定。" in client.post(_url("task_grade", taskassignment_id=unsubmitted.pk),
                                          {"grade": "good"}, follow=True).content.decode()
    assert assignment_of(school, task, school.officer).grade == ""


def test_grading_by_persona(client, school, more, task):
    row = _submitted(school, task, school.officer)
    url = _url("task_grade", taskassignment_id=row.pk)
    assert as_(client, school.office).get(url).status_code == 405
    # the office's form without JavaScript is redirected back to the task page
    assert statuses(client, url, personas(school, more), "post", {"grade": "good"}) == {
        "office": 302, "head": 403, "president": 403, "admin": 403, "officer": 403, "other_office": 404,
        "other_school": 404,
    }
    assert assignment_of(school, task, school.officer).grade == Grade.GOOD


def test_a_head_gets_404_for_another_departments_assignee(client, school, more, task):
    outsider = UserFactory(tenant=school.tenant, person=more.outsider)
    row = _submitted(school, task, outsider)
    assert _grade(as_(client, school.head), row, "good").status_code == 404
    assert _grade(as_(client, more.publicity_head), row, "good").status_code == 403


# --- the member's side: 答收到 and submission on their own page ---


def test_my_page_shows_my_open_tasks_with_the_forms(client, school, more, task):
    mine = assignment_of(school, task, school.officer)
    html = as_(client, school.officer).get(_url("my_attendance")).content.decode()
    assert "我的任务" in html and task.title in html and "每人提交一份总结" in html
    assert _url("task_acknowledge", taskassignment_id=mine.pk) in html
    assert 'enctype="multipart/form-data"' in html and _url("task_submit", taskassignment_id=mine.pk) in html
    assert "最多 5 个文件，每个不超过 10 MB" in html


def test_a_member_acknowledges_and_submits_with_files(client, school, more, task):
    mine = assignment_of(school, task, school.officer)
    client = as_(client, school.officer)
    response = client.post(_url("task_acknowledge", taskassignment_id=mine.pk), follow=True)
    assert "已答收到：" in response.content.decode()
    assert "你已经答收到了，无需重复。" in client.post(_url("task_acknowledge", taskassignment_id=mine.pk),
                                             follow=True).content.decode()
    acknowledged = assignment_of(school, task, school.officer).acknowledged_at
    response = client.post(_url("task_submit", taskassignment_id=mine.pk), {
        "note": "见附件", "files": [upload("会议记录.docx"), upload("签到表.pdf")]})
    assert response.status_code == 302 and response["Location"] == _url("my_attendance") + "#tasks"
    saved = assignment_of(school, task, school.officer)
    assert saved.submitted_at is not None and saved.note == "见附件" and saved.acknowledged_at == acknowledged
    with tenant_scope(school.tenant):
        assert sorted(saved.attachments.values_list("name", flat=True)) == ["会议记录.docx", "签到表.pdf"]
    html = client.get(_url("my_attendance")).content.decode()
    assert "已提交或已取消的任务" in html and "待评定" in html and "会议记录.docx" in html


def test_a_double_submit_is_refused_and_changes_nothing(client, school, more, task):
    mine = assignment_of(school, task, school.officer)
    client = as_(client, school.officer)
    client.post(_url("task_submit", taskassignment_id=mine.pk), {"note": "第一次", "files": [upload()]})
    first = assignment_of(school, task, school.officer)
    response = client.post(_url("task_submit", taskassignment_id=mine.pk),
                           {"note": "第二次", "files": [upload("again.txt")]}, follow=True)
    assert "已经提交过，不能重复提交。" in response.content.decode()
    again = assignment_of(school, task, school.officer)
    assert (again.submitted_at, again.note) == (first.submitted_at, "第一次")
    with tenant_scope(school.tenant):
        assert TaskAttachment.objects.count() == 1


def test_a_late_submission_is_accepted_and_flagged(client, school, more):
    past = make_task(school, now=timezone.now() - dt.timedelta(days=3),
                     deadline=timezone.now() - dt.timedelta(days=1))
    mine = assignment_of(school, past, school.officer)
    client = as_(client, school.officer)
    html = client.get(_url("my_attendance")).content.decode()
    assert "已过截止时间，仍可提交，记为逾期" in html
    response = client.post(_url("task_submit", taskassignment_id=mine.pk), {"note": "补交"}, follow=True)
    assert "已超过截止时间，记为逾期提交。" in response.content.decode()
    assert assignment_of(school, past, school.officer).is_late()


@pytest.mark.parametrize(("files", "message"), [
    (lambda: [upload("大.zip", b"x" * (1024 * 1024 + 1))], "文件“大.zip”超过 1 MB 的上限。"),
    (lambda: [upload("空.txt", b"")], "文件“空.txt”是空的。"),
    (lambda: [upload(f"{n}.txt") for n in range(6)], "最多上传 5 个文件。"),
])
def test_bad_uploads_are_refused_and_nothing_is_saved(client, school, more, task, files, message):
    set_max_mb(school, 1)
    mine = assignment_of(school, task, school.officer)
    response = as_(client, school.officer).post(_url("task_submit", taskassignment_id=mine.pk),
                                                {"note": "x", "files": files()}, follow=True)
    assert message in response.content.decode()
    assert assignment_of(school, task, school.officer).submitted_at is None
    with tenant_scope(school.tenant):
        assert not TaskAttachment.objects.exists()


def test_a_note_too_long_is_refused(client, school, more, task):
    mine = assignment_of(school, task, school.officer)
    response = as_(client, school.officer).post(_url("task_submit", taskassignment_id=mine.pk),
                                                {"note": "长" * 2001}, follow=True)
    assert "2000" in response.content.decode()
    assert assignment_of(school, task, school.officer).submitted_at is None


@pytest.mark.parametrize("action", ["task_acknowledge", "task_submit"])
def test_only_the_assignee_acts_on_an_assignment(client, school, more, task, action):
    mine = assignment_of(school, task, school.officer)
    url = _url(action, taskassignment_id=mine.pk)
    assert as_(client, school.officer).get(url).status_code == 405
    got = statuses(client, url, personas(school, more), "post", {"note": "x"})
    # the office, presidium, admin and the head see the assignment but may not act for the member: 403
    assert got == {"office": 403, "head": 403, "president": 403, "admin": 403, "officer": 302,
                        "other_office": 404, "other_school": 404}
    student = UserFactory(tenant=school.tenant, person=school.student_x)  # another assignee: not theirs to see
    assert as_(client, student).post(url).status_code == 404


def test_a_cancelled_task_is_not_submitted_from_the_page(client, school, more, task):
    mine = assignment_of(school, task, school.officer)
    with tenant_scope(school.tenant):
        services.task_cancel(task=task, reason="取消", now=timezone.now())
    client = as_(client, school.officer)
    html = client.get(_url("my_attendance")).content.decode()
    assert _url("task_submit", taskassignment_id=mine.pk) not in html and "已取消" in html
    response = client.post(_url("task_submit", taskassignment_id=mine.pk), {"note": "x"}, follow=True)
    assert "任务已取消，不能提交。" in response.content.decode()


# --- the download ---


def test_the_download_by_persona(client, school, more, task):
    row = _submitted(school, task, school.officer, files=[upload("张晓雨 总结.docx")])
    with tenant_scope(school.tenant):
        attachment = TaskAttachment.objects.get(assignment=row)
    url = _url("task_attachment", taskattachment_id=attachment.pk)
    assert "总结" not in url and quote("总结") not in url
    got = statuses(client, url, personas(school, more), "get")
    assert got == {"office": 200, "head": 200, "president": 200, "admin": 200, "officer": 200,
                        "other_office": 404, "other_school": 404}
    student = UserFactory(tenant=school.tenant, person=school.student_x)  # same department, not theirs
    assert as_(client, student).get(url).status_code == 404
    assert as_(client, more.publicity_head).get(url).status_code == 404
    response = as_(client, school.officer).get(url)
    assert b"".join(response.streaming_content) == sample("张晓雨 总结.docx")
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Disposition"].startswith("attachment;")
    assert quote("张晓雨 总结.docx") in response["Content-Disposition"]
    client.logout()
    assert client.get(url).status_code in (302, 404)


def test_a_file_missing_from_storage_is_a_404(client, school, more, task):
    row = _submitted(school, task, school.officer, files=[upload()])
    with tenant_scope(school.tenant):
        attachment = TaskAttachment.objects.get(assignment=row)
        attachment.file.storage.delete(attachment.file.name)
    assert as_(client, school.office).get(_url("task_attachment", taskattachment_id=attachment.pk)).status_code == 404


# --- the menu and the module switch ---


def test_the_menu_links_the_task_list(client, school, more):
    link = f'href="{_url("task_list")}"'
    for user, shown in ((school.office, True), (school.head, True), (more.president, True), (school.admin, True),
                        (school.officer, False)):
        assert (link in as_(client, user).get(reverse("home")).content.decode()) is shown, user


def test_the_menu_marks_one_current_entry(client, school, more):
    menu = as_(client, school.office).get(_url("task_list")).context["menu"]
    assert [str(item["label"]) for item in menu if item["active"]] == ["日常任务"]  # not also 会议考勤 (/attendance/)
    menu = client.get(_url("meeting_list")).context["menu"]
    assert [str(item["label"]) for item in menu if item["active"]] == ["会议考勤"]


def test_alliance_off_hides_the_task_pages(client, school, more, task):
    row = _submitted(school, task, school.officer, files=[upload()])
    with tenant_scope(school.tenant):
        attachment = TaskAttachment.objects.get(assignment=row)
    school.tenant.modules = [m for m in school.tenant.modules if m != "alliance"]
    school.tenant.save()
    client = as_(client, school.office)
    for url in (_url("task_list"), _url("task_detail", task_id=task.pk),
                _url("task_attachment", taskattachment_id=attachment.pk)):
        assert client.get(url).status_code == 404, url
    assert _grade(client, row, "good").status_code == 404
    assert 'href="/attendance/' not in client.get(reverse("home")).content.decode()
