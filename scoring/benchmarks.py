"""Benchmarks of scoring (issue: the rules engine): recomputing an organisation's term.

The synthetic university's peer-support alliance (300 members at --size full) with 100 plenaries in the
current term, every member expected at each (30 000 marks at full size: mostly present, some late, absent,
on leave), scored under the default rulebook.

* compute from scratch: load the term's facts and run the engine (what every sync does);
* sync, first: the same plus storing every entry (an empty ledger);
* sync, nothing changed: the steady state after a save that changed no points;
* beside "one SQL aggregate over the same marks" (count per person and status), the floor for reading them,
  timed alternately with computing from scratch in the same process: the ratio of the two medians is the
  figure, and alternating keeps a change of the machine's load from landing on one side only;
* a member's score page selector (``selectors.member_ladder``: one member's ladder counts, level and what is one
  step away), with its query count, beside one SQL aggregate of that member's marks, timed alternately;
* saving every mark of the term's last plenary (attendance_mark, whose save asks for the term's sync) and the
  sync task that follows it (``ledger_sync_requested``);
* the organisation's scores page (the office's GET through the whole middleware stack, with its query count and
  size) at the alliance's size and grown to 1,000 members (``LARGE``: people of the school added to the
  alliance and marked at the term's last ten plenaries, so every one of them has entries and counts), beside
  one query of the same rows (name, number, stored total).
"""

import datetime as dt
import statistics
import time

from django.db import connection
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from attendance import services as attendance
from attendance.benchmarks import _get, _prepare, _save_all
from attendance.models import Attendance, Audience, Meeting, MeetingKind, Status
from members.models import Membership, Person, User
from members.selectors import organisation_posts
from orgs.bench import Context, Result, benchmark, measure
from orgs.calendar import local_date
from orgs.models import Department, Organisation, OrganisationKind, Position, Term
from orgs.tenancy import tenant_scope
from scoring import engine, facts, selectors, services
from scoring.models import LedgerEntry, MemberScore, TermSync

SESSIONS = 100
TITLE = "基准：计分会议"
#: The organisation's size for the second scores page measurement (fewer when the school has fewer people).
LARGE = 1000
REPEAT = 9  # the aggregate baseline moves by a third between runs of 5


def _medians(*fns) -> list[float]:
    """Each function's median time over REPEAT rounds, the functions taking turns within a round (so a change of
    the machine's load lands on all of them alike)."""
    times = [[] for _ in fns]
    for _ in range(REPEAT):
        for fn, timed in zip(fns, times, strict=True):
            started = time.perf_counter()
            fn()
            timed.append(time.perf_counter() - started)
    return [statistics.median(timed) for timed in times]


def _term_with_sessions(tenant, office):
    """The current term (made if missing) with SESSIONS plenaries of every member, marked deterministically."""
    now = timezone.now()
    today = local_date(now)
    term = Term.objects.filter(start__lte=today, end__gte=today).first() or Term.objects.create(
        tenant=tenant, name="基准学期", start=today - dt.timedelta(days=120), end=today + dt.timedelta(days=30))
    alliance = Organisation.objects.get(kind=OrganisationKind.ALLIANCE)
    Meeting.objects.filter(organisation=alliance, title=TITLE).delete()
    first = max(dt.datetime.combine(term.start, dt.time(19), now.tzinfo), now - dt.timedelta(days=100))
    step = (now - first) / (SESSIONS + 1)
    statuses = [Status.PRESENT] * 12 + [Status.LATE, Status.ABSENT, Status.LEAVE, Status.EARLY_LEAVE]
    for i in range(SESSIONS):
        starts = first + step * i
        meeting = attendance.meeting_create(organisation=alliance, kind=MeetingKind.PLENARY, title=TITLE, stars=3,
                                            starts_at=starts, ends_at=starts + dt.timedelta(minutes=30),
                                            audience=Audience.ORGANISATION, user=office, now=timezone.now())
        rows = list(Attendance.objects.filter(meeting=meeting).values_list("pk", flat=True))
        by_status = {}
        for j, pk in enumerate(rows):
            by_status.setdefault(statuses[(i * 7 + j) % len(statuses)], []).append(pk)
        for status, pks in by_status.items():
            Attendance.objects.filter(pk__in=pks).update(status=status)
    return alliance, term


def _compute(tenant_id, organisation_id, term_id):
    """Compute from scratch and the SQL aggregate, alternately in one process (so both see the same machine
    load and the same warm caches): the median of each."""
    with tenant_scope(tenant_id):
        organisation, term = Organisation.objects.get(pk=organisation_id), Term.objects.get(pk=term_id)
        now = timezone.now()
        rulebook = services.engine_rulebook(services.term_rulebook_bind(organisation=organisation, term=term,
                                                                        now=now))
        sessions = Meeting.objects.filter(organisation_id=organisation_id, starts_at__date__gte=term.start,
                                          cancelled_at__isnull=True)

        def compute():
            return engine.compute(facts.load(organisation_id=organisation_id, term=term), rulebook, as_of=now,
                                  today=local_date(now))

        def aggregate():
            return list(Attendance.objects.filter(meeting__in=sessions).values("person_id", "status").annotate(
                n=Count("pk")))

        entries = compute()
        aggregate()
        computed, aggregated = _medians(compute, aggregate)
        return {"median": computed, "aggregate": aggregated, "entries": len(entries)}


def _sync(tenant_id, organisation_id, term_id, *, empty_first: bool):
    with tenant_scope(tenant_id):
        organisation, term = Organisation.objects.get(pk=organisation_id), Term.objects.get(pk=term_id)
        times = []
        for _ in range(REPEAT):
            if empty_first:
                LedgerEntry.objects.filter(organisation=organisation, term=term).delete()
            started = time.perf_counter()
            services.ledger_sync(organisation=organisation, term=term, now=timezone.now())
            times.append(time.perf_counter() - started)
        return {"median": statistics.median(times)}


def _member(tenant_id, organisation_id, term_id):
    """One member's ladder as their score page reads it, and one SQL aggregate of their marks (count per
    status), alternately in one process: the median of each, and the selector's query count."""
    with tenant_scope(tenant_id):
        organisation, term = Organisation.objects.get(pk=organisation_id), Term.objects.get(pk=term_id)
        person = Person.objects.get(pk=organisation_posts(organisation_id=organisation_id, start=term.start,
                                                          end=term.end)[0][0])
        sessions = Meeting.objects.filter(organisation_id=organisation_id, starts_at__date__gte=term.start,
                                          cancelled_at__isnull=True)

        def selector():
            return selectors.member_ladder(organisation=organisation, term=term, person=person)

        def aggregate():
            return list(Attendance.objects.filter(meeting__in=sessions, person=person).values("status").annotate(
                n=Count("pk")))

        executed = []

        def count(execute, sql, params, many, context):
            executed.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            row = selector()
        aggregate()
        selected, aggregated = _medians(selector, aggregate)
        return {"median": selected, "aggregate": aggregated, "queries": len(executed),
                "lates": row.counts.lates if row else 0}


def _sync_after_save(tenant_id, office_id, organisation_id, term_id, meeting_id):
    """What follows one office click: the save of one mark (its request's work: the row, its history, the
    term's change counted) and then the sync task the commit sends, each timed; REPEAT rounds, a real change
    each time."""
    office = User.objects.get(pk=office_id)
    with tenant_scope(tenant_id):
        organisation, term = Organisation.objects.get(pk=organisation_id), Term.objects.get(pk=term_id)
        meeting = Meeting.objects.get(pk=meeting_id)
        person = Attendance.objects.filter(meeting=meeting).values_list("person_id", flat=True).first()
        saves, syncs = [], []
        for i in range(REPEAT):
            status = Status.ABSENT if i % 2 == 0 else Status.PRESENT
            started = time.perf_counter()
            attendance.attendance_mark(meeting=meeting, marks=[{"person": person, "status": status}], user=office,
                                       now=timezone.now())
            saves.append(time.perf_counter() - started)
            started = time.perf_counter()
            assert services.ledger_sync_requested(organisation=organisation, term=term, now=timezone.now())
            syncs.append(time.perf_counter() - started)
        return {"save": statistics.median(saves), "sync": statistics.median(syncs)}


def _grow(tenant, alliance, term, office, size: int) -> tuple[int, list[int]]:
    """Add people of the school to the alliance until it has ``size`` members, each marked at the term's last ten
    plenaries (mostly present, some late or absent), and sync the term. Returns the members now and the ids of
    the memberships added (removed again at the end: the school is kept for the next run, whose other
    benchmarks expect the alliance's own size)."""
    members = {p for p, *_rest in organisation_posts(organisation_id=alliance.pk, start=term.start, end=term.end)}
    department = Department.objects.filter(organisation=alliance).order_by("pk").first()
    position = Position.objects.filter(organisation=alliance).order_by("pk").first()
    more = list(Person.objects.exclude(pk__in=members).order_by("pk").values_list("pk", flat=True)[
        :max(0, size - len(members))])
    added = Membership.objects.bulk_create([
        Membership(tenant=tenant, person_id=pk, organisation=alliance, department=department, position=position,
                   term=term, start=term.start) for pk in more])
    last = list(Meeting.objects.filter(organisation=alliance, title=TITLE).order_by("-starts_at")[:10])
    statuses = [Status.PRESENT] * 6 + [Status.LATE, Status.ABSENT]
    Attendance.objects.bulk_create([
        Attendance(tenant=tenant, meeting=meeting, person_id=pk, status=statuses[(i + j) % len(statuses)],
                   late_minutes=5 if statuses[(i + j) % len(statuses)] == Status.LATE else None)
        for i, meeting in enumerate(last) for j, pk in enumerate(more)], batch_size=2000)
    services.ledger_sync(organisation=alliance, term=term, now=timezone.now())
    return len(members) + len(more), [m.pk for m in added]


def _scores_baseline(tenant_id, organisation_id, term_id):
    def fetch():
        with tenant_scope(tenant_id):
            list(MemberScore.objects.filter(organisation_id=organisation_id, term_id=term_id).values_list(
                "person__name", "person__number", "points"))
    return {"median": _median(fetch)}


def _median(fn) -> float:
    return _medians(fn)[0]


def _scores_page(office_id, organisation_id, term_id):
    return _get(reverse("scoring:organisation_scores", kwargs={"organisation_id": organisation_id})
                + f"?term={term_id}", office_id)


@benchmark("scoring")
def run(ctx: Context) -> list[Result]:
    slug = f"bench_{ctx.students}"
    ctx.log(f"scoring: the alliance of the synthetic university, {SESSIONS} plenaries in the term")
    tenant, office, _meeting, _large = _prepare(slug, ctx.students)
    with tenant_scope(tenant):
        alliance, term = _term_with_sessions(tenant, office)
        marks = Attendance.objects.filter(meeting__organisation=alliance, meeting__title=TITLE).count()
    args = (tenant.pk, alliance.pk, term.pk)
    compute = measure(lambda: _compute(*args))
    first = measure(lambda: _sync(*args, empty_first=True))
    steady = measure(lambda: _sync(*args, empty_first=False))
    with tenant_scope(tenant):
        last = Meeting.objects.filter(organisation=alliance, title=TITLE).order_by("-starts_at").first()
    member = measure(lambda: _member(*args))
    save = measure(lambda: _save_all(tenant.pk, office.pk, last.pk))
    click = measure(lambda: _sync_after_save(tenant.pk, office.pk, alliance.pk, term.pk, last.pk))
    with tenant_scope(tenant):
        services.ledger_sync(organisation=alliance, term=term, now=timezone.now())
        size = len({p for p, *_r in organisation_posts(organisation_id=alliance.pk, start=term.start, end=term.end)})
    page = measure(lambda: _scores_page(office.pk, *args[1:]))
    page_base = measure(lambda: _scores_baseline(*args))
    with tenant_scope(tenant):
        grown, added = _grow(tenant, alliance, term, office, LARGE)
    large = measure(lambda: _scores_page(office.pk, *args[1:]))
    large_base = measure(lambda: _scores_baseline(*args))
    with tenant_scope(tenant):
        Meeting.objects.filter(organisation=alliance, title=TITLE).delete()
        LedgerEntry.objects.filter(organisation=alliance, term=term).delete()
        MemberScore.objects.filter(organisation=alliance, term=term).delete()
        TermSync.objects.filter(organisation=alliance, term=term).delete()
        Membership.objects.filter(pk__in=added).delete()
    base = compute.value["aggregate"]
    goal = "300 members × 100 meetings < 1 s, ≤ 3× one SQL aggregate"
    return [
        Result(f"compute a term from scratch ({marks} marks)", compute.value["median"], compute.peak_mb, marks,
               baseline="one SQL aggregate of the same marks", baseline_seconds=base, goal=goal,
               notes={"entries": compute.value["entries"]}),
        Result(f"sync into an empty ledger ({marks} marks)", first.value["median"], first.peak_mb, marks,
               baseline="one SQL aggregate of the same marks", baseline_seconds=base, goal="< 1 s"),
        Result(f"sync, nothing changed ({marks} marks)", steady.value["median"], steady.peak_mb, marks,
               baseline="one SQL aggregate of the same marks", baseline_seconds=base),
        Result(f"a member's score page selector (one member, {marks} marks in the term)", member.value["median"],
               member.peak_mb, SESSIONS, baseline="one SQL aggregate of the member's marks",  # a mark a plenary
               baseline_seconds=member.value["aggregate"],
               notes={"queries": member.value["queries"], "lates": member.value["lates"]}),
        Result(f"save every mark of a plenary ({save.value['rows']}), the term's sync asked for", save.value["median"],
               save.peak_mb, save.value["rows"], goal="300 marks < 500 ms"),
        Result(f"save one mark ({marks} marks in the term)", click.value["save"], click.peak_mb, 1,
               goal="< 100 ms under load (the load benchmark)"),
        Result(f"the sync task after it ({marks} marks in the term)", click.value["sync"], click.peak_mb, marks,
               baseline="one SQL aggregate of the same marks", baseline_seconds=base, goal="a few seconds"),
        Result(f"organisation scores page ({size} members)", page.value["median"], page.peak_mb, size,
               baseline="one query of the same rows", baseline_seconds=page_base.value["median"],
               notes={"queries": page.value["queries"], "bytes": page.value["bytes"]}),
        Result(f"organisation scores page ({grown} members)", large.value["median"], large.peak_mb, grown,
               baseline="one query of the same rows", baseline_seconds=large_base.value["median"],
               goal="1,000 members < 200 ms on PostgreSQL; constant queries",
               notes={"queries": large.value["queries"], "bytes": large.value["bytes"]}),
    ]
