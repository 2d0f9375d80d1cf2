"""Benchmarks of attendance (issue: meetings and attendance): the recording page of a plenary and saving its
marks, on the synthetic university's peer-support alliance (300 members at --size full).

* attendance page: the office's GET of the page once everyone is marked present and ten are late (server
  time through the whole middleware stack, median of repeated requests, with its query count and its size),
  beside a **bare view of the same rows**: a Django view function and a minimal template over one query (name,
  number, status, late minutes), asked through the same test Client, logged in as the same user, so the same
  middleware runs (session, authentication, the tenant scope, the module switch of the ``attendance``
  namespace, CSP). Mounted by a urlconf of this module only (``urlpatterns`` below, ``override_settings`` in
  the measuring process); the two are requested alternately in one process. The same for a session of 1,000
  expected attendees (their rows created directly; 100 at --size small).
* the sign-in sheet PDF of the session (WeasyPrint, CJK font embedded).
* saving every mark: ``attendance_mark`` of every expected attendee (each a change, kept in the history),
  beside "one UPDATE of the same rows".
"""

import datetime as dt
import statistics
import time
from importlib import import_module

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.management import call_command
from django.db import connection
from django.http import HttpResponse
from django.template import engines
from django.test import Client, override_settings
from django.urls import include, path, reverse
from django.utils import timezone

from attendance import exports, services
from attendance.models import Attendance, Audience, Meeting, MeetingKind, Status
from members.models import Person, Role, RoleAssignment, User
from orgs.bench import SIZES, Context, Result, benchmark, measure
from orgs.models import Organisation, OrganisationKind, Tenant
from orgs.tenancy import tenant_scope

REPEAT = 7
#: Requests of the page and of the bare view, alternately (fewer at --size small, which CI runs).
PAGE_REPEAT = {"full": 15, "small": 5}
#: The large session's expected attendees (at --size small a tenth: CI only keeps the code path alive).
LARGE = {"full": 1000, "small": 100}

# --- the bare view: the least a Django page of these rows does ---

_BARE = engines["django"].from_string(
    "<!doctype html><html lang=\"zh-hans\"><head><meta charset=\"utf-8\"><title>{{ meeting_id }}</title></head>"
    "<body><ol>{% for name, number, status, late in rows %}<li data-status=\"{{ status }}\">{{ name }} {{ number }} "
    "{{ status }}{% if late is not None %} {{ late }}{% endif %}</li>{% endfor %}</ol></body></html>"
)


@login_required
def bare_view(request, meeting_id):
    rows = Attendance.objects.filter(meeting_id=meeting_id).order_by("person__number").values_list(
        "person__name", "person__number", "status", "late_minutes")
    return HttpResponse(_BARE.render({"rows": rows, "meeting_id": meeting_id}))


#: Used only as ROOT_URLCONF while the pages are measured: the project's URLs and the bare view, under the
#: "attendance" namespace too, so the tenant middleware checks the module switch as it does for the real page
#: (the project's own "attendance" URLs come first and keep their names).
urlpatterns = [
    *import_module(settings.ROOT_URLCONF).urlpatterns,  # the project's URLconf, read as Django reads it
    path("bench/", include(([path("attendance-bare/<int:meeting_id>/", bare_view, name="bench_bare")],
                            "attendance"))),
]


def _median_seconds(fn, repeat=REPEAT):
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _plenary(alliance, office, title):
    Meeting.objects.filter(organisation=alliance, title=title).delete()
    starts = timezone.now() - dt.timedelta(hours=2)
    return services.meeting_create(
        organisation=alliance, kind=MeetingKind.PLENARY, title=title, stars=3, starts_at=starts,
        ends_at=starts + dt.timedelta(hours=1), audience=Audience.ORGANISATION, user=office, now=timezone.now(),
    )


def _mark_as_reloaded(meeting, office):
    """The state the office reloads the page in: everyone present, then ten exceptions (history included)."""
    services.attendance_all_present(meeting=meeting, user=office, now=timezone.now())
    people = list(Attendance.objects.filter(meeting=meeting).order_by("pk").values_list("person_id", flat=True)[:10])
    services.attendance_mark(meeting=meeting, user=office, now=timezone.now(), marks=[
        {"person": pk, "status": Status.LATE, "late_minutes": 5} for pk in people])


def _prepare(slug: str, students: int, large_size: int | None = None):
    """The school (seeded once), its office user, the 300-person plenary and the large session, both marked as
    the office reloads them. Also used by scoring/benchmarks.py. ``large_size`` defaults to the size's."""
    if large_size is None:
        large_size = LARGE["full"] if students >= SIZES["full"] else LARGE["small"]
    if not Tenant.objects.filter(slug=slug).exists():
        call_command("seed_university", tenant=slug, students=students, quiet=True)
    tenant = Tenant.objects.get(slug=slug)
    with tenant_scope(tenant):
        alliance = Organisation.objects.get(kind=OrganisationKind.ALLIANCE)
        office, _created = User.objects.get_or_create(username=f"{slug}_office", defaults={"tenant": tenant})
        RoleAssignment.objects.get_or_create(tenant=tenant, user=office, role=Role.OFFICE, organisation=alliance,
                                             defaults={"start": dt.date(2020, 1, 1)})
        meeting = _plenary(alliance, office, "基准：全体会议")
        _mark_as_reloaded(meeting, office)
        # a session of large_size expected attendees: the organisation's, then other people of the school, added
        # as rows directly (no audience of the synthetic university is that large)
        large = _plenary(alliance, office, "基准：千人会议")
        expected = set(Attendance.objects.filter(meeting=large).values_list("person_id", flat=True))
        more = Person.objects.exclude(pk__in=expected).order_by("pk").values_list("pk", flat=True)
        Attendance.objects.bulk_create([Attendance(tenant=tenant, meeting=large, person_id=pk)
                                        for pk in more[:max(0, large_size - len(expected))]])
        _mark_as_reloaded(large, office)
    return tenant, office, meeting, large


def _client(office_id) -> Client:
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.get(pk=office_id))
    return client


def _first_get(client, url) -> dict:
    """A warm GET of ``url`` (templates, the session), then one counted: its queries and its bytes."""
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    executed = []  # counted by a wrapper: the request's reset_queries would empty CaptureQueriesContext's log

    def count(execute, sql, params, many, context):
        executed.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        client.get(url)
    return {"queries": len(executed), "bytes": len(response.content)}


def _get(url, office_id) -> dict:
    """The office's GET of ``url``: median seconds, queries and bytes (scoring/benchmarks.py uses it too)."""
    client = _client(office_id)
    found = _first_get(client, url)
    return {**found, "median": _median_seconds(lambda: client.get(url))}


def _pages(office_id, meeting_id, repeat):
    """The office's GET of the page and of the bare view of the same rows, timed alternately in one process
    (so a change of the machine's load lands on both), after a warm request of each: median seconds, the
    queries of one request and its bytes."""
    with override_settings(ROOT_URLCONF=__name__):
        client = _client(office_id)
        urls = {"page": reverse("attendance:meeting_detail", kwargs={"meeting_id": meeting_id}),
                "bare": f"/bench/attendance-bare/{meeting_id}/"}
        found = {key: {**_first_get(client, url), "times": []} for key, url in urls.items()}
        for _ in range(repeat):
            for key, url in urls.items():
                started = time.perf_counter()
                client.get(url)
                found[key]["times"].append(time.perf_counter() - started)
    for value in found.values():
        value["median"] = statistics.median(value.pop("times"))
    return found


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


def _page_result(name, timing, rows, goal):
    page, bare = timing.value["page"], timing.value["bare"]
    return Result(name, page["median"], timing.peak_mb, rows,
                  baseline="bare view of the same rows (view + minimal template, one query)",
                  baseline_seconds=bare["median"], goal=goal, notes={
                      "queries": page["queries"], "KB": round(page["bytes"] / 1024),
                      "bare queries": bare["queries"], "bare KB": round(bare["bytes"] / 1024)})


@benchmark("attendance")
def run(ctx: Context) -> list[Result]:
    slug = f"bench_{ctx.students}"
    ctx.log(f"attendance: a plenary of the synthetic university's alliance, and a session of {LARGE[ctx.size]:,}")
    tenant, office, meeting, large = _prepare(slug, ctx.students, LARGE[ctx.size])
    with tenant_scope(tenant):
        expected = Attendance.objects.filter(meeting=meeting).count()
        expected_large = Attendance.objects.filter(meeting=large).count()
    pages = {key: measure(lambda session=session: _pages(office.pk, session.pk, PAGE_REPEAT[ctx.size]))
             for key, session in (("plenary", meeting), ("large", large))}
    pdf = measure(lambda: _pdf(tenant.pk, meeting.pk))
    save = measure(lambda: _save_all(tenant.pk, office.pk, meeting.pk))
    save_base = measure(lambda: _save_baseline(tenant.pk, meeting.pk))
    with tenant_scope(tenant):
        Meeting.objects.filter(pk__in=[meeting.pk, large.pk]).delete()
    return [
        _page_result(f"attendance page ({expected} people)", pages["plenary"], expected,
                     goal="300 people ≤ 3× the bare view, < 150 KB; constant queries"),
        _page_result(f"attendance page ({expected_large} people)", pages["large"], expected_large,
                     goal="1,000 people < 200 ms on PostgreSQL; the same queries"),
        Result(f"save every mark ({expected})", save.value["median"], save.peak_mb, expected,
               baseline="one UPDATE of the same rows", baseline_seconds=save_base.value["median"],
               goal="300 marks < 300 ms"),
        Result(f"sign-in sheet PDF ({expected})", pdf.value["seconds"], pdf.peak_mb, expected,
               goal="300 people < 3 s", notes={"bytes": pdf.value["bytes"]}),
    ]
