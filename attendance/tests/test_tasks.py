"""Tasks (日常任务, AT-5): assigning to an audience, 答收到, one submission with files (late kept, sizes and counts
checked against the school's policy), grading; and who sees which tasks, assignees and files (the selectors).

The clock is passed to the services as ``now``; the fixture school's memberships started at its term's start."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from attendance import selectors, services
from attendance.models import Audience, Grade, Task, TaskAssignment, TaskAttachment
from attendance.tests.task_world import DEADLINE, NOW, assignment_of, make_task, sample, set_max_mb, upload
from members.tests.factories import MembershipFactory, PersonFactory, UserFactory
from members.tests.school import school_fixture  # noqa: F401 - the "school" fixture
from orgs.tenancy import tenant_scope
from orgs.tests.factories import DepartmentFactory


def _people(school, task):
    with tenant_scope(school.tenant):
        return set(TaskAssignment.objects.filter(task=task).values_list("person_id", flat=True))


def _dept(school):
    return {school.student_x.pk, school.officer.person_id, school.head.person_id}


# --- assigning ---


def test_a_task_for_the_organisation_assigns_every_current_member(school, more):
    task = make_task(school, description="  每个部门一份  ")
    assert _people(school, task) == _dept(school) | {more.outsider.pk}  # not the former member
    assert (task.created_at, task.deadline, task.created_by, task.department) == (NOW, DEADLINE, school.office, None)
    assert task.description == "每个部门一份"


def test_a_department_task_assigns_its_department_only(school, more):
    task = make_task(school, audience=Audience.DEPARTMENT, department=more.publicity)
    assert _people(school, task) == {more.outsider.pk}
    assert task.department == more.publicity


def test_a_task_for_chosen_people(school, more):
    task = make_task(school, audience=Audience.CHOSEN, chosen=[school.student_x, more.outsider])
    assert _people(school, task) == {school.student_x.pk, more.outsider.pk}
    with pytest.raises(ValidationError, match="不是本组织的现任成员"):
        make_task(school, audience=Audience.CHOSEN, chosen=[school.student_x, school.student_y])


@pytest.mark.parametrize(("kwargs", "field", "message"), [
    ({"deadline": NOW}, "deadline", "截止时间必须晚于现在。"),
    ({"deadline": NOW - dt.timedelta(hours=1)}, "deadline", "截止时间必须晚于现在。"),
    ({"title": "  "}, "title", "请填写任务名称。"),
    ({"audience": Audience.DEPARTMENT}, "department", "布置给一个部门时须选择部门。"),
    ({"audience": Audience.CHOSEN}, "chosen", "请选择布置对象。"),
    ({"audience": "everyone"}, "audience", "未知的布置对象。"),
])
def test_a_bad_task_is_refused_and_nothing_is_created(school, kwargs, field, message):
    with pytest.raises(ValidationError) as error:
        make_task(school, **kwargs)
    assert error.value.message_dict[field] == [message]
    with tenant_scope(school.tenant):
        assert not Task.objects.exists() and not TaskAssignment.objects.exists()


def test_a_department_of_another_organisation_is_refused(school, more):
    with pytest.raises(ValidationError) as error:
        make_task(school, audience=Audience.DEPARTMENT, department=more.other_dept)
    assert error.value.message_dict["department"] == ["该部门不属于本组织。"]


def test_an_audience_without_current_members_is_refused(school, more):
    with tenant_scope(school.tenant):
        empty = DepartmentFactory(tenant=school.tenant, organisation=school.org, name="新部门")
    with pytest.raises(ValidationError, match="布置对象中没有现任成员"):
        make_task(school, audience=Audience.DEPARTMENT, department=empty)


# --- editing and cancelling ---


def test_the_office_extends_the_deadline_and_edits_after_it_passed(school):
    task = make_task(school)
    later = DEADLINE + dt.timedelta(days=3)
    with tenant_scope(school.tenant):
        services.task_update(task=task, title="整理会议记录（含附件）", description="新要求", deadline=later, now=NOW)
        task.refresh_from_db()
        assert (task.title, task.description, task.deadline) == ("整理会议记录（含附件）", "新要求", later)
        # after the deadline the title may still be corrected, the deadline kept
        services.task_update(task=task, title="整理会议记录", description="", deadline=later,
                             now=later + dt.timedelta(days=1))
        with pytest.raises(ValidationError, match="新的截止时间必须晚于现在"):
            services.task_update(task=task, title="x", description="", deadline=NOW + dt.timedelta(hours=1),
                                 now=NOW + dt.timedelta(hours=2))
        with pytest.raises(ValidationError, match="请填写任务名称"):
            services.task_update(task=task, title=" ", description="", deadline=later, now=NOW)
        task.refresh_from_db()
        assert (task.title, task.deadline) == ("整理会议记录", later)


def test_cancelling_needs_a_reason_and_happens_once(school):
    task = make_task(school)
    with tenant_scope(school.tenant):
        with pytest.raises(ValidationError, match="请填写取消原因"):
            services.task_cancel(task=task, reason=" ", now=NOW)
        services.task_cancel(task=task, reason="活动取消", now=NOW)
        task.refresh_from_db()
        assert (task.cancelled_at, task.cancel_reason) == (NOW, "活动取消")
        with pytest.raises(ValidationError, match="任务已经取消"):
            services.task_cancel(task=task, reason="again", now=NOW)
        with pytest.raises(ValidationError, match="任务已取消，不能修改"):
            services.task_update(task=task, title="x", description="", deadline=DEADLINE, now=NOW)


# --- 答收到 ---


def test_an_assignee_acknowledges_once(school):
    task = make_task(school)
    mine = assignment_of(school, task, school.officer)
    at = NOW + dt.timedelta(minutes=5)
    with tenant_scope(school.tenant):
        services.task_acknowledge(assignment=mine, user=school.officer, now=at)
        with pytest.raises(ValidationError, match="你已经答收到了"):
            services.task_acknowledge(assignment=mine, user=school.officer, now=at + dt.timedelta(hours=1))
        mine.refresh_from_db()
    assert mine.acknowledged_at == at


def test_only_ones_own_task_is_acknowledged(school):
    task = make_task(school)
    theirs = assignment_of(school, task, school.student_x)
    with tenant_scope(school.tenant):
        for user in (school.officer, school.office):
            with pytest.raises(ValidationError, match="只能对自己的任务答收到"):
                services.task_acknowledge(assignment=theirs, user=user, now=NOW)
        theirs.refresh_from_db()
    assert theirs.acknowledged_at is None


def test_a_cancelled_task_is_not_acknowledged_or_submitted(school):
    task = make_task(school)
    mine = assignment_of(school, task, school.officer)
    with tenant_scope(school.tenant):
        services.task_cancel(task=task, reason="取消", now=NOW)  # ``mine`` was read before: the services re-read
        with pytest.raises(ValidationError, match="任务已取消"):
            services.task_acknowledge(assignment=mine, user=school.officer, now=NOW)
        with pytest.raises(ValidationError, match="任务已取消，不能提交"):
            services.task_submit(assignment=mine, user=school.officer, now=NOW, files=[upload()])
        mine.refresh_from_db()
        assert (mine.acknowledged_at, mine.submitted_at) == (None, None)
        assert not TaskAttachment.objects.exists()


# --- submitting ---


def test_a_submission_keeps_its_time_note_and_files(school):
    task = make_task(school)
    mine = assignment_of(school, task, school.officer)
    at = NOW + dt.timedelta(hours=3)
    with tenant_scope(school.tenant):
        services.task_submit(assignment=mine, user=school.officer, now=at, note="  已整理完毕  ",
                             files=[upload("张三-会议记录.txt", b"abc"), upload("照片.jpg", b"\xff\xd8\xff")])
        mine.refresh_from_db()
        files = list(mine.attachments.order_by("pk"))
    assert (mine.submitted_at, mine.acknowledged_at, mine.note) == (at, at, "已整理完毕")  # also answers 答收到
    assert not mine.is_late()
    assert [(f.name, f.size, f.uploaded_at) for f in files] == [("张三-会议记录.txt", 3, at), ("照片.jpg", 3, at)]
    with files[0].file.open("rb") as stored:
        assert stored.read() == b"abc"
    # stored under a random name in the school's folder: the original name (a person's name) is not in the path
    assert files[0].file.name.startswith(f"tasks/{school.tenant.pk}/") and "张三" not in files[0].file.name


def test_a_submission_without_files_keeps_an_earlier_acknowledgement(school):
    task = make_task(school)
    mine = assignment_of(school, task, school.officer)
    with tenant_scope(school.tenant):
        services.task_acknowledge(assignment=mine, user=school.officer, now=NOW)
        services.task_submit(assignment=mine, user=school.officer, now=NOW + dt.timedelta(hours=1))
        mine.refresh_from_db()
    assert (mine.acknowledged_at, mine.submitted_at, mine.note) == (NOW, NOW + dt.timedelta(hours=1), "")


def test_a_second_submission_is_refused_and_changes_nothing(school):
    task = make_task(school)
    mine = assignment_of(school, task, school.officer)
    with tenant_scope(school.tenant):
        services.task_submit(assignment=mine, user=school.officer, now=NOW, note="第一次", files=[upload()])
        for stale in (mine, TaskAssignment.objects.select_related("task").get(pk=mine.pk)):
            with pytest.raises(ValidationError, match="已经提交过"):
                services.task_submit(assignment=stale, user=school.officer, now=NOW + dt.timedelta(hours=1),
                                     note="第二次", files=[upload("b.txt")])
        mine.refresh_from_db()
        assert (mine.submitted_at, mine.note) == (NOW, "第一次")
        assert TaskAttachment.objects.count() == 1


def test_a_submission_after_the_deadline_is_accepted_and_late(school):
    task = make_task(school)
    mine = assignment_of(school, task, school.officer)
    with tenant_scope(school.tenant):
        services.task_submit(assignment=mine, user=school.officer, now=DEADLINE + dt.timedelta(seconds=1))
        mine = TaskAssignment.objects.select_related("task").get(pk=mine.pk)
    assert mine.is_late()


def test_only_ones_own_task_is_submitted(school):
    task = make_task(school)
    theirs = assignment_of(school, task, school.student_x)
    with tenant_scope(school.tenant):
        with pytest.raises(ValidationError, match="只能提交自己的任务"):
            services.task_submit(assignment=theirs, user=school.officer, now=NOW, files=[upload()])
        theirs.refresh_from_db()
        assert theirs.submitted_at is None and not TaskAttachment.objects.exists()


@pytest.mark.parametrize(("files", "message"), [
    ([upload(f"{n}.txt") for n in range(6)], "最多上传 5 个文件。"),
    ([upload("空.txt", b"")], "文件“空.txt”是空的。"),
    ([upload("ok.txt"), upload("大.zip", b"x" * (1024 * 1024 + 1))], "文件“大.zip”超过 1 MB 的上限。"),
])
def test_bad_files_are_refused_and_nothing_is_saved(school, files, message):
    set_max_mb(school, 1)
    task = make_task(school)
    mine = assignment_of(school, task, school.officer)
    with tenant_scope(school.tenant):
        with pytest.raises(ValidationError) as error:
            services.task_submit(assignment=mine, user=school.officer, now=NOW, note="x", files=files)
        assert error.value.messages == [message]
        mine.refresh_from_db()
        assert (mine.submitted_at, mine.acknowledged_at, mine.note) == (None, None, "")
        assert not TaskAttachment.objects.exists()


def test_five_files_at_the_limit_are_accepted(school):
    set_max_mb(school, 1)
    task = make_task(school)
    mine = assignment_of(school, task, school.officer)
    with tenant_scope(school.tenant):
        services.task_submit(assignment=mine, user=school.officer, now=NOW,
                             files=[upload(f"{n}.pdf", sample("a.pdf").ljust(1024 * 1024, b"x"))
                                    for n in range(5)])
        assert TaskAttachment.objects.filter(assignment=mine).count() == 5


def test_a_long_file_name_is_shortened_keeping_its_extension(school):
    task = make_task(school)
    mine = assignment_of(school, task, school.officer)
    with tenant_scope(school.tenant):
        services.task_submit(assignment=mine, user=school.officer, now=NOW, files=[upload("长" * 250 + ".pdf")])
        name = TaskAttachment.objects.get().name
    assert len(name) == 200 and name.endswith(".pdf")


# --- grading ---


def test_the_office_grades_a_submission_and_may_regrade(school):
    task = make_task(school)
    mine = assignment_of(school, task, school.officer)
    with tenant_scope(school.tenant):
        with pytest.raises(ValidationError, match="尚未提交，不能评定"):
            services.task_grade(assignment=mine, grade=Grade.GOOD, user=school.office, now=NOW)
        services.task_submit(assignment=mine, user=school.officer, now=NOW)
        with pytest.raises(ValidationError, match="未知的评定等级"):
            services.task_grade(assignment=mine, grade="perfect", user=school.office, now=NOW)
        first = NOW + dt.timedelta(days=3)
        services.task_grade(assignment=mine, grade=Grade.GOOD, user=school.office, now=first)
        services.task_grade(assignment=mine, grade=Grade.GOOD, user=school.admin, now=first + dt.timedelta(hours=1))
        mine.refresh_from_db()
        assert (mine.grade, mine.graded_by, mine.graded_at) == (Grade.GOOD, school.office, first)  # no change
        services.task_grade(assignment=mine, grade=Grade.POOR, user=school.office, now=first + dt.timedelta(days=1))
        mine.refresh_from_db()
        assert (mine.grade, mine.graded_at) == (Grade.POOR, first + dt.timedelta(days=1))


def test_a_cancelled_tasks_submission_is_not_graded(school):
    task = make_task(school)
    mine = assignment_of(school, task, school.officer)
    with tenant_scope(school.tenant):
        services.task_submit(assignment=mine, user=school.officer, now=NOW)
        services.task_cancel(task=task, reason="取消", now=NOW)
        with pytest.raises(ValidationError, match="任务已取消，不能评定"):
            services.task_grade(assignment=mine, grade=Grade.GOOD, user=school.office, now=NOW)


# --- who sees what (selectors) ---


@pytest.fixture
def tasks(school, more):
    """One task of each audience in the organisation, and one of the other organisation."""
    whole = make_task(school, title="全体任务")
    office_dept = make_task(school, title="办公室任务", audience=Audience.DEPARTMENT, department=school.dept)
    publicity = make_task(school, title="宣传部任务", audience=Audience.DEPARTMENT, department=more.publicity)
    chosen_mine = make_task(school, title="指定（含办公室）", audience=Audience.CHOSEN,
                            chosen=[school.student_x, more.outsider])
    chosen_other = make_task(school, title="指定（仅宣传部）", audience=Audience.CHOSEN, chosen=[more.outsider])
    with tenant_scope(school.tenant):
        person = PersonFactory(tenant=school.tenant)
        MembershipFactory(tenant=school.tenant, person=person, organisation=more.other_org,
                          department=more.other_dept, position=school.officer_post, term=school.term,
                          start=school.term.start)
        foreign = services.task_create(organisation=more.other_org, title="另一个组织的任务",
                                       audience=Audience.ORGANISATION, deadline=DEADLINE, user=more.other_office,
                                       now=NOW)
    return SimpleNamespace(whole=whole, office_dept=office_dept, publicity=publicity, chosen_mine=chosen_mine,
                           chosen_other=chosen_other, foreign=foreign)


def _titles(school, user):
    with tenant_scope(school.tenant):
        return set(selectors.tasks_visible_to(user).values_list("title", flat=True))


def test_who_sees_which_tasks(school, more, tasks):
    ours = {"全体任务", "办公室任务", "宣传部任务", "指定（含办公室）", "指定（仅宣传部）"}
    assert _titles(school, school.office) == ours
    assert _titles(school, more.president) == ours
    assert _titles(school, school.admin) == ours | {"另一个组织的任务"}
    assert _titles(school, school.head) == {"全体任务", "办公室任务", "指定（含办公室）"}
    assert _titles(school, more.publicity_head) == {"全体任务", "宣传部任务", "指定（含办公室）", "指定（仅宣传部）"}
    assert _titles(school, more.other_office) == {"另一个组织的任务"}
    assert _titles(school, school.officer) == set()  # their own tasks are on their own page
    assert _titles(school, school.counsellor) == set()
    with tenant_scope(school.other.tenant):
        assert set(selectors.tasks_visible_to(school.other_admin)) == set()


def test_a_department_head_sees_only_their_departments_assignees(school, more, tasks):
    with tenant_scope(school.tenant):
        head_rows = {a.person_id for a in selectors.task_assignments(user=school.head, task=tasks.whole)}
        office_rows = list(selectors.task_assignments(user=school.office, task=tasks.whole))
        assert head_rows == _dept(school)
        assert {a.person_id for a in office_rows} == _dept(school) | {more.outsider.pk}
        assert {a.person.name: a.department_name for a in office_rows}["王外部"] == "宣传部"
        assert selectors.sees_all_assignees(school.office, tasks.whole)
        assert not selectors.sees_all_assignees(school.head, tasks.whole)
        assert selectors.can_manage_task(school.office, tasks.whole)
        assert not selectors.can_manage_task(more.president, tasks.whole)
        assert not selectors.can_manage_task(more.other_office, tasks.whole)


def test_the_task_list_counts_in_one_query(school, more, tasks, django_assert_num_queries):
    with tenant_scope(school.tenant):
        rows = {a.person_id: a for a in TaskAssignment.objects.filter(task=tasks.whole).select_related("task")}
        services.task_acknowledge(assignment=rows[school.officer.person_id], user=school.officer, now=NOW)
        services.task_submit(assignment=rows[school.student_x.pk], user=UserFactory(
            tenant=school.tenant, person=school.student_x), now=NOW)
        services.task_submit(assignment=rows[more.outsider.pk], user=UserFactory(
            tenant=school.tenant, person=more.outsider), now=DEADLINE + dt.timedelta(hours=1))
        services.task_grade(assignment=rows[more.outsider.pk], grade=Grade.AVERAGE, user=school.office, now=NOW)
        for user in (school.office, school.head):
            selectors.task_list(user=user, now=NOW).exists()  # the user's roles, loaded once per request
        with django_assert_num_queries(1):
            office = {t.title: t for t in selectors.task_list(user=school.office, now=NOW)}
        with django_assert_num_queries(1):
            head = {t.title: t for t in selectors.task_list(user=school.head, now=NOW)}
    counts = lambda t: (t.assigned, t.acknowledged, t.submitted, t.late, t.graded)  # noqa: E731
    assert counts(office["全体任务"]) == (4, 3, 2, 1, 1)
    assert counts(head["全体任务"]) == (3, 2, 1, 0, 0)  # the publicity member is not theirs
    assert counts(head["指定（含办公室）"]) == (1, 0, 0, 0, 0)


def test_the_task_list_filters(school, more, tasks):
    with tenant_scope(school.tenant):
        services.task_cancel(task=tasks.publicity, reason="取消", now=NOW)

        def titles(**filters):
            return {t.title for t in selectors.task_list(user=school.admin, now=NOW, **filters)}

        assert titles(organisation_id=more.other_org.pk) == {"另一个组织的任务"}
        assert titles(department_id=school.dept.pk) == {"办公室任务"}
        assert "宣传部任务" not in titles(state="open") and titles(state="closed") == {"宣传部任务"}
        later = DEADLINE + dt.timedelta(minutes=1)
        assert {t.title for t in selectors.task_list(user=school.admin, now=later, state="open")} == set()


def test_my_tasks_are_my_own(school, more, tasks):
    with tenant_scope(school.tenant):
        mine = {a.task.title for a in selectors.my_tasks(user=school.officer)}
        assert mine == {"全体任务", "办公室任务"}
        assert list(selectors.my_tasks(user=school.officer, since=DEADLINE.date() + dt.timedelta(days=2))) == []
        assert list(selectors.my_tasks(user=UserFactory(tenant=school.tenant, person=None))) == []


def test_who_may_download_a_file(school, more, tasks):
    with tenant_scope(school.tenant):
        mine = TaskAssignment.objects.select_related("task").get(task=tasks.whole, person_id=school.officer.person_id)
        services.task_submit(assignment=mine, user=school.officer, now=NOW, files=[upload()])
        attachment = TaskAttachment.objects.get()

        def may(user):
            return selectors.attachments_downloadable_by(user).filter(pk=attachment.pk).exists()

        for user in (school.officer, school.office, more.president, school.admin, school.head):
            assert may(user), user
        officer_two = UserFactory(tenant=school.tenant, person=school.student_x)  # same department, not theirs
        for user in (officer_two, more.publicity_head, more.other_office, school.counsellor):
            assert not may(user), user


# --- the facts' listeners (scoring) hear of every write that changes them ---


def test_every_change_of_a_tasks_facts_is_announced(school, more):
    from attendance.signals import facts_changed

    heard = []

    def listen(sender, *, organisation_id, on, now, **kwargs):
        heard.append((organisation_id, on, now))

    facts_changed.connect(listen, dispatch_uid="test_tasks.listen")
    try:
        task = make_task(school)
        mine = assignment_of(school, task, school.officer)
        due = timezone.localtime(DEADLINE).date()
        later = DEADLINE + dt.timedelta(days=40)
        with tenant_scope(school.tenant):
            services.task_acknowledge(assignment=mine, user=school.officer, now=NOW)
            services.task_submit(assignment=mine, user=school.officer, now=NOW)
            services.task_grade(assignment=mine, grade=Grade.GOOD, user=school.office, now=NOW)
            services.task_grade(assignment=mine, grade=Grade.GOOD, user=school.office, now=NOW)  # no change: silent
            services.task_update(task=task, title="新名称", description="", deadline=DEADLINE, now=NOW)  # silent
            services.task_update(task=task, title="新名称", description="", deadline=later, now=NOW)
            services.task_cancel(task=task, reason="取消", now=NOW)
    finally:
        facts_changed.disconnect(dispatch_uid="test_tasks.listen")
    new_due = timezone.localtime(later).date()
    # created, acknowledged, submitted, graded; the deadline moved (both dates' terms); cancelled
    assert heard == [(school.org.pk, day, NOW) for day in (due, due, due, due, due, new_due, new_due)]
