"""Demo records of the peer-support alliance at ``hut`` (seed_demo): five weeks of department meetings, two
plenaries with their discipline and minutes, duty shifts, an activity with its report and proposals, tasks in
every state, and a pending leave request of ``hut_officer`` — all written through the services, so the points
ledger fills exactly as it would in use. It leaves real duties (attendance/duties.py) on the to-do: a task due
in two days that ``hut_officer`` has not submitted, that leave request for a plenary in two days, and last
month's attendance not complete (one row of a duty shift never recorded) for ``hut_office``. Deterministic (a
fixed random seed); it runs once: a school whose alliance already has sessions is left as it is.

Dates count back and forward from ``now``, inside the term running today: the demo's calendar
(``members/demo/terms.py``) makes that term begin at least ``HISTORY`` (five weeks) before today and end at least
three weeks after it."""

import datetime as dt
import io
import random
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile
from django_scopes import scopes_disabled

from attendance import services
from attendance.models import Attendance, Audience, Meeting, MeetingKind, Status, TaskAssignment
from members.demo.terms import HISTORY, month_name
from members.models import Membership, User
from orgs.calendar import local_date, school_tz
from orgs.demo import demo_seeder
from orgs.models import Department, Organisation, OrganisationKind, Tenant, Term
from orgs.tenancy import tenant_scope

GRADES = ("excellent", "good", "good", "average", "poor")


class _As:
    """A member acting for themselves (the services check ``user.person_id``)."""

    def __init__(self, person_id):
        self.person_id = person_id


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), school_tz())


def _mark_session(meeting, rng, office):
    """Everyone present, then the exceptions a real session has; recorded just after it ended."""
    when = meeting.ends_at + dt.timedelta(minutes=10)
    services.attendance_all_present(meeting=meeting, user=office, now=when)
    marks = []
    for person_id in Attendance.objects.filter(meeting=meeting).values_list("person_id", flat=True):
        roll = rng.random()
        if roll < 0.10:
            marks.append({"person": person_id, "status": Status.LATE, "late_minutes": rng.choice([3, 5, 8, 12])})
        elif roll < 0.15:
            marks.append({"person": person_id, "status": Status.LEAVE})
        elif roll < 0.18:
            marks.append({"person": person_id, "status": Status.ABSENT})
        elif roll < 0.20:
            marks.append({"person": person_id, "status": Status.EARLY_LEAVE})
    services.attendance_mark(meeting=meeting, marks=marks, user=office, now=when)


def _minutes(meeting, rng, office):
    taken = rng.random() > 0.15
    services.minutes_record(meeting=meeting, taken=taken, grade=rng.choice(GRADES) if taken else "",
                            content="一、上周工作回顾\n二、本周任务分工\n三、其他事项" if taken else "",
                            user=office, now=meeting.ends_at + dt.timedelta(hours=1))


@demo_seeder
def seed_alliance_records(*, now: dt.datetime) -> None:
    with scopes_disabled():
        tenant = Tenant.objects.filter(slug="hut").first()
        office = User.objects.filter(username="hut_office").first()
        officer = User.objects.filter(username="hut_officer").first()
    if tenant is None or office is None:
        return
    with tenant_scope(tenant):
        today = local_date(now)
        term = Term.objects.filter(start__lte=today, end__gte=today).first()
        alliance = Organisation.objects.filter(kind=OrganisationKind.ALLIANCE).order_by("pk").first()
        if term is None or alliance is None or Meeting.objects.filter(organisation=alliance).exists():
            return
        _seed(alliance=alliance, term=term, office=office, officer=officer, now=now, rng=random.Random(2026))


def _seed(*, alliance, term, office, officer, now, rng):
    today = local_date(now)
    departments = {d.name: d for d in Department.objects.filter(organisation=alliance)}
    members = list(Membership.objects.filter(organisation=alliance, end__isnull=True).select_related("person")
                   .order_by("person__number"))
    by_department = {}
    for m in members:
        by_department.setdefault(m.department_id, []).append(m.person)
    first_week = max(term.start, today - HISTORY)
    first_tuesday = first_week + dt.timedelta(days=(1 - first_week.weekday()) % 7)

    # Weekly department meetings of two departments from five weeks ago to the end of the term.
    for name, hour in (("宣传部", 19), ("活动部", 20)):
        department = departments.get(name)
        if department is None or not by_department.get(department.pk):
            continue
        start = _at(first_tuesday, hour)
        services.meeting_series_create(
            organisation=alliance, department=department, term=term, title=f"{name}例会", stars=2, starts_at=start,
            ends_at=start + dt.timedelta(hours=1), user=office, now=now, place="学生活动中心 2 楼",
            minutes_taker=by_department[department.pk][-1])
    for meeting in Meeting.objects.filter(organisation=alliance, ends_at__lt=now).order_by("starts_at"):
        _mark_session(meeting, rng, office)
        _minutes(meeting, rng, office)

    # Two plenaries: order per department, one disruption, minutes.
    minutes_taker = members[1].person if len(members) > 1 else None
    for days_ago in (26, 3):
        start = _at(today - dt.timedelta(days=days_ago), 19)
        if start.date() < term.start:
            continue
        plenary = services.meeting_create(
            organisation=alliance, kind=MeetingKind.PLENARY, title=_plenary_title(term, start), stars=4,
            starts_at=start, ends_at=start + dt.timedelta(hours=2), place="逸夫楼报告厅",
            audience=Audience.ORGANISATION, user=office, minutes_taker=minutes_taker, now=now)
        _mark_session(plenary, rng, office)
        after = plenary.ends_at + dt.timedelta(minutes=20)
        for i, department in enumerate(departments.values()):
            order = ("orderly", "orderly", "ordinary", "noisy")[(i + days_ago) % 4]
            services.plenary_order_set(meeting=plenary, department=department, order=order, user=office, now=after)
        noisy = members[(days_ago * 7) % len(members)].person
        services.plenary_disruption_add(meeting=plenary, person=noisy, note="会议中多次大声接打电话", user=office,
                                        now=after)
        _minutes(plenary, rng, office)

    # A duty shift yesterday evening for three members of the office.
    duty_people = by_department.get(departments["办公室"].pk, [])[:3] if "办公室" in departments else []
    if duty_people:
        start = _at(today - dt.timedelta(days=1), 18)
        duty = services.meeting_create(
            organisation=alliance, kind=MeetingKind.DUTY, title="心理咨询室值班", stars=2, starts_at=start,
            ends_at=start + dt.timedelta(hours=2), place="心理健康教育中心 105", audience=Audience.CHOSEN,
            chosen=duty_people, user=office, now=now)
        _mark_session(duty, rng, office)
        _unfinished_month(alliance=alliance, department=departments["办公室"], duty_people=duty_people, office=office,
                          now=now, today=today)

    _activity(alliance=alliance, departments=departments, by_department=by_department, office=office,
              officer=officer, now=now, today=today, rng=rng)
    _tasks(alliance=alliance, departments=departments, office=office, officer=officer, now=now)

    # A plenary in two days, for which hut_officer has asked for leave: the office's to-do shows it due soon.
    start = _at(today + dt.timedelta(days=2), 19)
    title = _plenary_title(term, start)
    if Meeting.objects.filter(organisation=alliance, title=title).exists():  # the one three days ago, same week
        title = f"第{term.teaching_week(local_date(start))}周临时全体会议"
    upcoming = services.meeting_create(
        organisation=alliance, kind=MeetingKind.PLENARY, title=title, stars=4, starts_at=start,
        ends_at=start + dt.timedelta(hours=2), place="逸夫楼报告厅", audience=Audience.ORGANISATION, user=office,
        minutes_taker=minutes_taker, now=now)
    row = Attendance.objects.filter(meeting=upcoming, person_id=officer.person_id).first() if officer else None
    if row is not None:
        services.leave_request_create(attendance=row, reason="当晚有专业课实验", user=officer, now=now)


def _unfinished_month(*, alliance, department, duty_people, office, now, today):
    """The office department's noon duty shift on the last day of last month, one row never recorded: last
    month's attendance is not complete, so the office has an overdue duty (attendance.monthly_sheet) on its
    to-do and the president sees it below them. (The day lies in the term: it begins at least five weeks before
    today.)"""
    start = _at(today.replace(day=1) - dt.timedelta(days=1), 12)
    shift = services.meeting_create(
        organisation=alliance, kind=MeetingKind.DUTY, title="心理咨询室午间值班", stars=2, starts_at=start,
        ends_at=start + dt.timedelta(minutes=90), place="心理健康教育中心 105", audience=Audience.CHOSEN,
        department=department, chosen=duty_people, user=office, now=now)
    marked = list(Attendance.objects.filter(meeting=shift).order_by("person_id").values_list("person_id", flat=True))
    if len(marked) > 1:
        services.attendance_mark(meeting=shift, marks=[{"person": pk, "status": Status.PRESENT} for pk in marked[:-1]],
                                 user=office, now=shift.ends_at + dt.timedelta(minutes=10))


def _plenary_title(term, start):
    """Named by the teaching week: three plenaries within a month would repeat a month's name."""
    return f"第{term.teaching_week(local_date(start))}周全体会议"


def _activity(*, alliance, departments, by_department, office, officer, now, today, rng):
    department = departments.get("活动部")
    if department is None:
        return
    people = by_department.get(department.pk, []) + by_department.get(departments["宣传部"].pk, [])[:3]
    start = _at(today - dt.timedelta(days=9), 14)
    activity = services.meeting_create(
        organisation=alliance, kind=MeetingKind.ACTIVITY, title="“5·25”心理健康宣传义卖", stars=3, starts_at=start,
        ends_at=start + dt.timedelta(hours=4), place="一食堂门口", audience=Audience.CHOSEN, chosen=people,
        user=office, now=now)
    _mark_session(activity, rng, office)
    # the two whose performance is recorded below did take part
    services.attendance_mark(meeting=activity, marks=[{"person": p.pk, "status": Status.PRESENT}
                                                      for p in (people[0], people[-1])],
                             user=office, now=activity.ends_at + dt.timedelta(minutes=10))
    after = activity.ends_at + dt.timedelta(days=1)
    services.activity_report_save(meeting=activity, overall_grade="good",
                                  summary="共募得善款 1280 元，已转交心理健康教育中心。",
                                  items_returned_on=local_date(after), user=office, now=after)
    services.activity_coordination_set(meeting=activity, department=department, grade="good", user=office, now=after)
    services.activity_coordination_set(meeting=activity, department=departments["宣传部"], grade="ordinary",
                                       user=office, now=after)
    services.activity_performance_save(meeting=activity, user=office, now=after, entries=[
        {"person": people[0].pk, "outstanding": True, "concise_summary": False, "note": "负责现场统筹"},
        {"person": people[-1].pk, "outstanding": False, "concise_summary": True, "note": ""}])
    services.activity_proposal_add(meeting=activity, person=people[0], title="在宿舍楼下设置流动义卖点", novel=True,
                                   adopted=True, user=office, now=start - dt.timedelta(days=5))
    if officer is not None and officer.person_id:
        services.activity_proposal_add(meeting=activity, person=officer.person, title="制作义卖宣传短视频", novel=True,
                                       adopted=False, user=office, now=start - dt.timedelta(days=4))


def _tasks(*, alliance, departments, office, officer, now):
    def upload(name, size=2048):
        """An Office file of about ``size`` bytes: a zip archive, as .docx and .pptx are (the service checks that a
        file's content matches its extension)."""
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
            archive.writestr("[Content_Types].xml", "<Types/>")
            archive.writestr("docProps/app.xml", " " * max(size - 300, 0))
        return SimpleUploadedFile(name, buffer.getvalue())

    past = services.task_create(
        organisation=alliance, title=f"整理{month_name(local_date(now - dt.timedelta(weeks=2)))}各部门会议记录",
        description="每个部门整理本月例会记录，按模板提交。",
        deadline=now - dt.timedelta(days=1), audience=Audience.ORGANISATION, user=office,
        now=now - dt.timedelta(days=5))
    rows = list(TaskAssignment.objects.filter(task=past).select_related("task", "person").order_by("person__number"))
    for i, a in enumerate(rows):
        if i % 5 == 4:
            continue  # never submitted
        if i % 3 == 0:
            services.task_acknowledge(assignment=a, user=_As(a.person_id), now=now - dt.timedelta(days=4, hours=i % 7))
        if i % 4 == 3:
            continue  # acknowledged, or not, and never submitted
        when = now - dt.timedelta(days=2, minutes=i * 13) if i % 6 else now - dt.timedelta(hours=10)  # some late
        files = [upload(f"{a.person.name}-会议记录.docx", 20480 + i)] if i % 2 == 0 else []
        services.task_submit(assignment=a, user=_As(a.person_id), now=when, note="已按模板整理。", files=files)
    for i, a in enumerate(TaskAssignment.objects.filter(task=past, submitted_at__isnull=False).select_related("task")
                          .order_by("pk")):
        if i % 4 != 3:
            services.task_grade(assignment=a, grade=GRADES[i % 5], user=office, now=now - dt.timedelta(hours=2))
    department = departments.get("活动部")
    if department is not None:
        current = services.task_create(
            organisation=alliance, title="提交下周宣传活动方案", description="活动部每人提交一份方案构想（可附 PPT）。",
            deadline=now + dt.timedelta(days=2), audience=Audience.DEPARTMENT, department=department, user=office,
            now=now - dt.timedelta(hours=5))
        for i, a in enumerate(TaskAssignment.objects.filter(task=current).select_related("task").order_by("pk")):
            if officer is not None and a.person_id == officer.person_id:
                continue  # left for hut_officer to do in the demo
            if i % 2 == 0:
                services.task_acknowledge(assignment=a, user=_As(a.person_id), now=now - dt.timedelta(hours=4))
            if i % 3 == 0:
                services.task_submit(assignment=a, user=_As(a.person_id), now=now - dt.timedelta(hours=1),
                                     note="方案见附件", files=[upload("宣传活动方案.pptx", 300000)])
    services.task_create(organisation=alliance, title="统计本学期各部门物资借还情况",
                         deadline=now + dt.timedelta(days=5), audience=Audience.ORGANISATION, user=office,
                         now=now - dt.timedelta(hours=1))
