"""Benchmarks of attendance (issue: meetings and attendance): the recording page of a plenary and saving its
marks, on the synthetic university's peer-support alliance (300 members at --size full).

* attendance page: the office's GET of the page once everyone is marked present and ten are late (server
  time through the whole middleware stack, median of repeated requests, with its query count), beside "one
  query fetching the same rows".
* the sign-in sheet PDF of the session (WeasyPrint, CJK font embedded).
* saving every mark: ``attendance_mark`` of every expected attendee (each a change, kept in the history),
  beside "one UPDATE of the same rows".
"""

import datetime as dt
import statistics
import time

from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from attendance import exports, services
from attendance.models import Attendance, Audience, Meeting, MeetingKind, Status
from members.models import Role, RoleAssignment, User
from orgs.bench import Context, Result, benchmark, measure
from orgs.models import Organisation, OrganisationKind, Tenant
from orgs.tenancy import tenant_scope

REPEAT = 7


def _median_seconds(fn, repeat=REPEAT):
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _prepare(slug: str, students: int):
    if not Tenant.objects.filter(slug=slug).exists():
        call_command("seed_university", tenant=slug, students=students, quiet=True)
    tenant = Tenant.objects.get(slug=slug)
    with tenant_scope(tenant):
        alliance = Organisation.objects.get(kind=OrganisationKind.ALLIANCE)
        office, _created = User.objects.get_or_create(username=f"{slug}_office", defaults={"tenant": tenant})
        RoleAssignment.objects.get_or_create(tenant=tenant, user=office, role=Role.OFFICE, organisation=alliance,
                                             defaults={"start": dt.date(2020, 1, 1)})
        Meeting.objects.filter(organisation=alliance, title="基准：全体会议").delete()
        starts = timezone.now() - dt.timedelta(hours=2)
        meeting = services.meeting_create(
            organisation=alliance, kind=MeetingKind.PLENARY, title="基准：全体会议", stars=3, starts_at=starts,
            ends_at=starts + dt.timedelta(hours=1), audience=Audience.ORGANISATION, user=office,
        )
        # the state the office reloads the page in: everyone present, then ten exceptions (history included)
        services.attendance_all_present(meeting=meeting, user=office, now=timezone.now())
        people = list(Attendance.objects.filter(meeting=meeting).values_list("person_id", flat=True)[:10])
        services.attendance_mark(meeting=meeting, user=office, now=timezone.now(), marks=[
            {"person": pk, "status": Status.LATE, "late_minutes": 5} for pk in people])
    return tenant, office, meeting


def _page(office_id, meeting_id):
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.get(pk=office_id))
    url = reverse("attendance:meeting_detail", kwargs={"meeting_id": meeting_id})
    assert client.get(url).status_code == 200  # warm: templates, the session
    executed = []  # counted by a wrapper: the request's reset_queries would empty CaptureQueriesContext's log

    def count(execute, sql, params, many, context):
        executed.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        client.get(url)
    return {"median": _median_seconds(lambda: client.get(url)), "queries": len(executed)}


def _page_baseline(tenant_id, meeting_id):
    def fetch():
        with tenant_scope(tenant_id):
            list(Attendance.objects.filter(meeting_id=meeting_id).values_list(
                "person__number", "person__name", "status", "late_minutes"))
    return {"median": _median_seconds(fetch)}


def _pdf(tenant_id, meeting_id):
    with tenant_scope(tenant_id):
        meeting = Meeting.objects.select_related("organisation", "tenant").get(pk=meeting_id)
        started = time.perf_counter()
        size = len(exports.signin_sheet_pdf(meeting=meeting, filled=False))
        return {"seconds": time.perf_counter() - started, "bytes": size}


def _save_all(tenant_id, office_id, meeting_id):
    office = User.objects.get(pk=office_id)
    with tenant_scope(tenant_id):
        meeting = Meeting.objects.get(pk=meeting_id)
        people = list(Attendance.objects.filter(meeting=meeting).values_list("person_id", flat=True))
        times = []
        for i in range(REPEAT):  # alternate so that every mark is a real change each round
            status = Status.ABSENT if i % 2 == 0 else Status.PRESENT
            marks = [{"person": pk, "status": status} for pk in people]
            started = time.perf_counter()
            services.attendance_mark(meeting=meeting, marks=marks, user=office, now=timezone.now())
            times.append(time.perf_counter() - started)
    return {"median": statistics.median(times), "rows": len(people)}


def _save_baseline(tenant_id, meeting_id):
    def update():
        with tenant_scope(tenant_id):
            Attendance.objects.filter(meeting_id=meeting_id).update(status=Status.LEAVE)
    return {"median": _median_seconds(update)}


@benchmark("attendance")
def run(ctx: Context) -> list[Result]:
    slug = f"bench_{ctx.students}"
    ctx.log("attendance: a plenary of the synthetic university's alliance")
    tenant, office, meeting = _prepare(slug, ctx.students)
    with tenant_scope(tenant):
        expected = Attendance.objects.filter(meeting=meeting).count()
    page = measure(lambda: _page(office.pk, meeting.pk))
    page_base = measure(lambda: _page_baseline(tenant.pk, meeting.pk))
    pdf = measure(lambda: _pdf(tenant.pk, meeting.pk))
    save = measure(lambda: _save_all(tenant.pk, office.pk, meeting.pk))
    save_base = measure(lambda: _save_baseline(tenant.pk, meeting.pk))
    with tenant_scope(tenant):
        Meeting.objects.filter(pk=meeting.pk).delete()
    return [
        Result(f"attendance page ({expected} people)", page.value["median"], page.peak_mb, expected,
               baseline="one query of the same rows", baseline_seconds=page_base.value["median"],
               goal="300 people < 150 ms on SQLite; constant queries", notes={"queries": page.value["queries"]}),
        Result(f"save every mark ({expected})", save.value["median"], save.peak_mb, expected,
               baseline="one UPDATE of the same rows", baseline_seconds=save_base.value["median"],
               goal="300 marks < 300 ms"),
        Result(f"sign-in sheet PDF ({expected})", pdf.value["seconds"], pdf.peak_mb, expected,
               goal="300 people < 3 s", notes={"bytes": pdf.value["bytes"]}),
    ]
