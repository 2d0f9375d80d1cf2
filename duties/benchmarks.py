"""Benchmarks of the duty engine (issue 13, "Speed"): the scan of a whole school with every duty, and the home page
with its to-do, on the synthetic university (30,000 students at --size full) — at 1× and at 3× the duties' data.

What the school holds while it is measured (created in bulk, removed again at the end: the bench school is kept
between runs, docs/benchmarks.md): for the alliance of the synthetic university (and, at 3×, two more alliance
organisations of as many other students, each with its departments, posts, office, president and heads). The
duties' items are the apps' rows, and duties may not import the apps above it: each app says how to open its
items for one organisation in its ``duties_bench.py`` (``register_items``; attendance's and scoring's), found
when the benchmark runs.

* a plenary of last month with every member expected and nobody marked (the month's sheet is incomplete:
  ``attendance.monthly_sheet``, overdue);
* a plenary in two days with every member expected and a tenth of them asking for leave (``attendance.leave_decide``);
* two tasks of every member, one due in two days and one two days overdue, a quarter of each submitted; every
  member has an account, so each is reminded (``attendance.task_submit``);
* positive discretionary entries waiting for the president, entered five and twelve days ago
  (``scoring.discretionary_decide``); sanctions submitted five days ago (``scoring.sanction_decide``) and
  sanctions confirmed five days ago (``scoring.sanction_file``);
* the current term ending yesterday, so its award window is open: the heads' lists overdue and the office's
  confirmation due (``scoring.award_propose``, ``scoring.award_confirm``). The term's end is put back at the end.

Measured, each in its own process (``orgs.bench.measure``) and at the real time (the home page reads the clock):

* the first scan (every reminder of the school deleted before it, so it creates them all): seconds and queries;
  beside "collect every duty's items" (the scan's reads, no writes), timed in the same process;
* a second scan right after: it must create nothing;
* the office's home page with its to-do block (through the whole middleware stack, median of repeated GETs), and
  ``duties.selectors.todo_for`` alone.

Asserted inside the benchmark, printed in the notes: the scans' and the page's query counts are the same at 1× and
3×. The one exception is the bulk inserts of the first scan's new rows (reminders, notifications): one statement
per batch of rows (1,000 on PostgreSQL; on SQLite about 90, its 999-parameter limit), never one per item; they are
counted apart ("inserts") and the rest ("queries") must be equal.
"""

import datetime as dt
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from unittest import mock

from django.core.management import call_command
from django.db import connection
from django.db.models import Model
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from duties.models import Notification, Reminder
from duties.registry import duties_of
from duties.selectors import todo_for
from duties.services import due_items, duties_scan, scan_context
from members import home
from members.models import Membership, Person, Role, RoleAssignment, User
from orgs.bench import Context, Result, _foreign_keys_off, benchmark, measure
from orgs.calendar import local_date
from orgs.models import Department, Organisation, OrganisationKind, Position, Tenant, Term
from orgs.tenancy import tenant_scope

TITLE = "基准：待办"  # the title (or reason) of every row the apps' item builders add
EXTRA = ("基准联盟二", "基准联盟三")  # the 3× data: two more alliance organisations
PAGE_REPEAT = {"full": 15, "small": 5}

#: What an item builder added, parents first (removed in the reverse order).
Rows = list[tuple[type[Model], list[int]]]


@dataclass(frozen=True)
class Alliance:
    """What an app's item builder gets: one alliance organisation of the bench school and its members."""

    tenant: Tenant
    organisation: Organisation
    members: list[int]  # person ids
    office_id: int  # a user holding the office role over it
    term: Term
    now: dt.datetime
    new: bool  # made by the benchmark (the 3× data)


@dataclass(frozen=True)
class Items:
    """An app's builder of open items: ``build(alliance)`` adds them and returns the rows it added;
    ``leftovers(tenant, users, organisations)`` finds what a run that died before its clean-up left (the
    benchmark's accounts and organisations are given)."""

    app: str
    build: Callable[[Alliance], Rows]
    leftovers: Callable[..., Rows]


ITEMS: dict[str, Items] = {}


def register_items(items: Items) -> Items:
    ITEMS[items.app] = items
    return items


@dataclass
class Added:
    """Every row the benchmark adds to the kept school (ids), removed by ``_clean``."""

    users: list[int] = field(default_factory=list)
    roles: list[int] = field(default_factory=list)
    organisations: list[int] = field(default_factory=list)
    memberships: list[int] = field(default_factory=list)
    rows: Rows = field(default_factory=list)
    term: tuple[int, dt.date] | None = None  # (id, its real end)


def _counting():
    executed = []

    def count(execute, sql, params, many, context):
        executed.append(sql)
        return execute(sql, params, many, context)

    return executed, count


def _split(executed) -> dict:
    inserts = sum(1 for sql in executed if sql.lstrip().upper().startswith("INSERT"))
    return {"queries": len(executed) - inserts, "inserts": inserts}


# --- the data ---


def _users_for(tenant, people: list[int], prefix: str, added: Added) -> dict[int, int]:
    """An account for each of those people (bulk, unusable password): {person id: user id}."""
    have = dict(User.objects.filter(person_id__in=people).values_list("person_id", "pk"))
    new = [User(tenant=tenant, person_id=pk, username=f"{prefix}{pk}", password="!")  # noqa: S106 (unusable)
           for pk in people if pk not in have]
    User.objects.bulk_create(new, batch_size=2000)
    made = dict(User.objects.filter(username__in=[u.username for u in new]).values_list("person_id", "pk"))
    added.users += list(made.values())
    return {**have, **made}


def _role(tenant, user_id, role, added: Added, **scope):
    added.roles.append(RoleAssignment.objects.create(tenant=tenant, user_id=user_id, role=role,
                                                     start=dt.date(2020, 1, 1), **scope).pk)


def _people_of(organisation_id, term) -> list[int]:
    return sorted(set(Membership.objects.filter(organisation_id=organisation_id, term=term, end__isnull=True)
                      .values_list("person_id", flat=True)))


def _staff(tenant, organisation, slug, added: Added):
    """The office, the president and each department's head of an organisation, with accounts."""
    office = User.objects.create(tenant=tenant, username=f"{slug}_duty_office_{organisation.pk}", password="!")  # noqa: S106
    president = User.objects.create(tenant=tenant, username=f"{slug}_duty_president_{organisation.pk}",
                                    password="!")  # noqa: S106
    added.users += [office.pk, president.pk]
    _role(tenant, office.pk, Role.OFFICE, added, organisation=organisation)
    _role(tenant, president.pk, Role.PRESIDENT, added, organisation=organisation)
    for department in Department.objects.filter(organisation=organisation, is_presidium=False):
        head = User.objects.create(tenant=tenant, username=f"{slug}_duty_head_{department.pk}", password="!")  # noqa: S106
        added.users.append(head.pk)
        _role(tenant, head.pk, Role.DEPARTMENT_HEAD, added, department=department)
    return office


def _extra_alliance(tenant, name, alliance, people: list[int], term, slug, added: Added):
    """An alliance organisation like the synthetic one (its departments and a post), of those people."""
    organisation = Organisation.objects.create(tenant=tenant, name=name, kind=OrganisationKind.ALLIANCE)
    added.organisations.append(organisation.pk)
    departments = [Department.objects.create(tenant=tenant, organisation=organisation, name=d.name,
                                             is_presidium=d.is_presidium, order=d.order)
                   for d in Department.objects.filter(organisation=alliance).order_by("order")]
    position = Position.objects.create(tenant=tenant, organisation=organisation, name="干事",
                                       category=Position.objects.filter(organisation=alliance).order_by(
                                           "-rank").first().category, rank=90)
    memberships = Membership.objects.bulk_create([
        Membership(tenant=tenant, person_id=pk, organisation=organisation, position=position, term=term,
                   department=departments[1 + i % (len(departments) - 1)], start=term.start)
        for i, pk in enumerate(people)], batch_size=2000)
    added.memberships += [m.pk for m in memberships]
    return organisation, _staff(tenant, organisation, slug, added)


def _school(slug, students):
    if not Tenant.objects.filter(slug=slug).exists():
        call_command("seed_university", tenant=slug, students=students, quiet=True)
    return Tenant.objects.get(slug=slug)


def _open_items(alliance: Alliance, added: Added) -> None:
    for items in ITEMS.values():
        added.rows += items.build(alliance)


def _build(tenant, slug, now, *, scale: int, added: Added) -> dict:
    """The 1× data (scale 1: the synthetic alliance) or the two more alliances of the 3× data (scale 3)."""
    with tenant_scope(tenant):
        today = local_date(now)
        term = Term.objects.get(pk=added.term[0]) if added.term else Term.objects.get(start__lte=today,
                                                                                    end__gte=today)
        alliance = Organisation.objects.filter(kind=OrganisationKind.ALLIANCE).exclude(name__in=EXTRA).get()
        members = _people_of(alliance.pk, term)
        if scale == 1:
            added.term = (term.pk, term.end)
            office = _staff(tenant, alliance, slug, added)
            users = _users_for(tenant, members, f"{slug}_duty_m", added)
            _open_items(Alliance(tenant, alliance, members, office.pk, term, now, new=False), added)
            # the award window: the term ended yesterday (its heads' lists overdue, the office's confirmation due)
            Term.objects.filter(pk=term.pk).update(end=today - dt.timedelta(days=1))
            return {"office": office.pk, "members": len(members), "accounts": len(users)}
        taken = set(Membership.objects.filter(organisation__kind=OrganisationKind.ALLIANCE).values_list(
            "person_id", flat=True))
        pool = list(Person.objects.exclude(pk__in=taken).order_by("pk").values_list("pk", flat=True)[
            :len(members) * len(EXTRA)])
        for i, name in enumerate(EXTRA):
            people = pool[i * len(members):(i + 1) * len(members)]
            organisation, office = _extra_alliance(tenant, name, alliance, people, term, slug, added)
            _users_for(tenant, people, f"{slug}_duty_m", added)
            _open_items(Alliance(tenant, organisation, people, office.pk, term, now, new=True), added)
        return {}


def _clean(tenant, added: Added):
    """Remove every row the benchmark added and put the term's end back (the school is kept for the next run)."""
    with tenant_scope(tenant), _foreign_keys_off():
        if added.term:
            Term.objects.filter(pk=added.term[0]).update(end=added.term[1])
        Notification.objects.filter(tenant=tenant).delete()
        Reminder.objects.filter(tenant=tenant).delete()
        for model, pks in reversed(added.rows):
            model.objects.filter(pk__in=pks).delete()
        Membership.objects.filter(pk__in=added.memberships).delete()
        RoleAssignment.objects.filter(pk__in=added.roles).delete()
        Department.objects.filter(organisation_id__in=added.organisations).delete()
        Position.objects.filter(organisation_id__in=added.organisations).delete()
        Organisation.objects.filter(pk__in=added.organisations).delete()
        User.objects.filter(pk__in=added.users).delete()


def _leftovers(tenant, slug) -> Added:
    """What a run that died before its clean-up left (found by its names), so the next run starts clean."""
    with tenant_scope(tenant):
        users = list(User.objects.filter(tenant=tenant, username__startswith=f"{slug}_duty_").values_list(
            "pk", flat=True))
        organisations = list(Organisation.objects.filter(name__in=EXTRA).values_list("pk", flat=True))
        return Added(
            users=users, roles=list(RoleAssignment.objects.filter(user_id__in=users).values_list("pk", flat=True)),
            organisations=organisations,
            memberships=list(Membership.objects.filter(organisation_id__in=organisations).values_list(
                "pk", flat=True)),
            rows=[row for items in ITEMS.values() for row in items.leftovers(tenant, users, organisations)])


def _client(office_id) -> Client:
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.get(pk=office_id))
    return client


def _first_get(client, url) -> dict:
    """A warm GET of ``url``, then one counted: its queries and its bytes (as attendance/benchmarks.py does)."""
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    executed, count = _counting()
    with connection.execute_wrapper(count):
        client.get(url)
    return {"queries": len(executed), "bytes": len(response.content)}


# --- the measurements (each in a forked process) ---


def _scan(tenant_id, *, fresh: bool):
    """A scan at the real time: its seconds and queries; ``fresh`` deletes every reminder and notification of
    the school first (so it creates them all) and times "collect every duty's items" beside it."""
    tenant = Tenant.objects.get(pk=tenant_id)
    with tenant_scope(tenant):
        if fresh:
            Notification.objects.filter(tenant=tenant).delete()
            Reminder.objects.filter(tenant=tenant).delete()
        executed, count = _counting()
        started = time.perf_counter()
        with connection.execute_wrapper(count):
            result = duties_scan(tenant=tenant, now=timezone.now())
        seconds = time.perf_counter() - started
        collect = None
        by_duty = {}
        if fresh:
            started = time.perf_counter()
            items = due_items(scan_context(tenant=tenant, now=timezone.now()))
            collect = time.perf_counter() - started
            for item in items:
                by_duty.setdefault(item.duty, [0, 0])[item.done] += 1
            by_duty = {d.key: tuple(by_duty.get(d.key, (0, 0))) for d in duties_of(tenant)}
        return {"seconds": seconds, **_split(executed), "items": result.items, "created": result.created,
                "notified": result.notified, "collect": collect, "by_duty": by_duty}


def _home(office_id, repeat):
    """The office's home page, and the same page without its sections (no to-do), alternately: medians."""
    client = _client(office_id)
    url = reverse("home")
    found = _first_get(client, url)
    html = client.get(url).content.decode()
    with mock.patch.object(home, "HOME_SECTIONS", []):
        bare = _first_get(client, url)
    times = {"page": [], "bare": []}
    for _ in range(repeat):
        for key in times:
            with mock.patch.object(home, "HOME_SECTIONS", home.HOME_SECTIONS if key == "page" else []):
                started = time.perf_counter()
                client.get(url)
                times[key].append(time.perf_counter() - started)
    return {**found, "median": statistics.median(times["page"]), "bare": statistics.median(times["bare"]),
            "bare queries": bare["queries"], "todo": 'aria-labelledby="todo-title"' in html}


def _todo(office_id, repeat):
    user = User.objects.select_related("tenant").get(pk=office_id)
    executed, count = _counting()
    with tenant_scope(user.tenant), connection.execute_wrapper(count):
        todo = todo_for(user, now=timezone.now())
    times = []
    with tenant_scope(user.tenant):
        for _ in range(repeat):
            user._todo_cache = None
            started = time.perf_counter()
            todo_for(user, now=timezone.now())
            times.append(time.perf_counter() - started)
    groups = todo.overdue + todo.due_soon + todo.below
    return {"median": statistics.median(times), "queries": len(executed), "groups": len(groups),
            "items": sum(g.count for g in groups)}


def _measure_all(tenant, office_id, size):
    first = measure(lambda: _scan(tenant.pk, fresh=True))
    second = measure(lambda: _scan(tenant.pk, fresh=False))
    home = measure(lambda: _home(office_id, PAGE_REPEAT[size]))
    todo = measure(lambda: _todo(office_id, PAGE_REPEAT[size]))
    return first, second, home, todo


@benchmark("duties")
def run(ctx: Context) -> list[Result]:
    slug = f"bench_{ctx.students}"
    ctx.log("duties: a scan of the school with every duty, and the office's home page, at 1× and 3× the data")
    autodiscover_modules("duties_bench")  # the apps' item builders (register_items)
    tenant = _school(slug, ctx.students)
    _clean(tenant, _leftovers(tenant, slug))
    added = Added()
    try:
        now = timezone.now()
        one = _build(tenant, slug, now, scale=1, added=added)
        at = {1: _measure_all(tenant, one["office"], ctx.size)}
        _build(tenant, slug, now, scale=3, added=added)
        at[3] = _measure_all(tenant, one["office"], ctx.size)
    finally:
        _clean(tenant, added)
    (first1, second1, home1, todo1), (first3, second3, home3, todo3) = at[1], at[3]
    f1, f3, s1, s3 = first1.value, first3.value, second1.value, second3.value
    assert s1["created"] == 0 and s3["created"] == 0, "a second scan created reminders"
    assert f1["queries"] == f3["queries"], f"the scan's queries grew: {f1['queries']} at 1×, {f3['queries']} at 3×"
    assert s1["queries"] == s3["queries"], (
        f"the second scan's queries grew: {s1['queries']} at 1×, {s3['queries']} at 3×")
    assert home1.value["queries"] == home3.value["queries"], (
        f"the home page's queries grew: {home1.value['queries']} at 1×, {home3.value['queries']} at 3×")
    empty = sorted(key for key, (open_, _done) in f1["by_duty"].items() if not open_)
    shape = " ".join(f"{key.split('.')[-1]}={open_}/{done}" for key, (open_, done) in f1["by_duty"].items())
    results = []
    for scale, first, second, page, todo in ((1, first1, second1, home1, todo1), (3, first3, second3, home3, todo3)):
        f, s = first.value, second.value
        results += [
            Result(f"duties scan, first ({scale}×: {f['items']} open items)", f["seconds"], first.peak_mb, f["items"],
                   baseline="collect every duty's items (the scan's reads)", baseline_seconds=f["collect"],
                   goal="< 5 s; queries the same at 1× and 3×",
                   notes={"queries": f["queries"], "inserts": f["inserts"], "created": f["created"],
                          "notified": f["notified"], "queries 1×/3×": f"{f1['queries']}/{f3['queries']}",
                          **({"no open item": ",".join(empty) or "none", "open/done": shape} if scale == 1 else {})}),
            Result(f"duties scan, second ({scale}×)", s["seconds"], second.peak_mb, s["items"],
                   goal="< 1 s; creates nothing",
                   notes={"queries": s["queries"], "inserts": s["inserts"], "created": s["created"],
                          "queries 1×/3×": f"{s1['queries']}/{s3['queries']}"}),
            Result(f"office's home page with its to-do ({scale}×)", page.value["median"], page.peak_mb,
                   todo.value["items"], baseline="the same page without its to-do",
                   baseline_seconds=page.value["bare"], goal="< 150 ms; constant queries",
                   notes={"queries": page.value["queries"], "bare queries": page.value["bare queries"],
                          "KB": round(page.value["bytes"] / 1024),
                          "to-do shown": page.value["todo"],
                          "queries 1×/3×": f"{home1.value['queries']}/{home3.value['queries']}"}),
            Result(f"todo_for, the office ({scale}×)", todo.value["median"], todo.peak_mb, todo.value["items"],
                   notes={"queries": todo.value["queries"], "groups": todo.value["groups"]}),
        ]
    return results
