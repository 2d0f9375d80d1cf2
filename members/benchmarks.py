"""Benchmarks of members (issue: foundation part 2): the synthetic university and the roster import.

* ``seed_university`` of N students, beside the baseline "bulk_create N bare Person rows".
* The roster import of N students from .xlsx (check + write, as the task runs it), beside the baseline
  "read the same file with openpyxl read-only + bulk_create the same rows" (goal: within 3×).
* Re-importing the same file (everything unchanged) and the .xlsx export of the roster.
"""

import os

import openpyxl
from django.core.management import call_command

from members.exports import layout_export
from members.imports.engine import apply_plan, plan_import
from members.imports.layouts import LAYOUTS
from members.imports.reader import read_table
from members.models import Person, PersonKind
from orgs.bench import Context, Result, benchmark, measure, tenant_purge
from orgs.models import College, Major, Room, SchoolClass, Tenant
from orgs.tenancy import tenant_scope

STUDENTS = LAYOUTS["students"]


def _seed(slug, students, structure_only=False):
    call_command("seed_university", tenant=slug, students=students, structure_only=structure_only, quiet=True)
    return students


def _bare_people(slug, n):
    """The least work that writes N students: bulk_create bare rows into the school's first class."""
    tenant = Tenant.objects.get(slug=slug)
    with tenant_scope(tenant):
        college = College.objects.order_by("pk").first()
        Person.objects.bulk_create(
            [Person(tenant=tenant, number=f"B{i:08d}", name="基准", gender="M", college=college) for i in range(n)],
            batch_size=1000,
        )
    return n


def _export(slug, path):
    tenant = Tenant.objects.get(slug=slug)
    with tenant_scope(tenant):
        content, _type = layout_export(STUDENTS, tenant, "xlsx")
    with open(path, "wb") as out:
        out.write(content)
    return len(content)


def _import(slug, path):
    tenant = Tenant.objects.get(slug=slug)
    with open(path, "rb") as handle:
        content = handle.read()
    with tenant_scope(tenant):
        plan = plan_import(STUDENTS, tenant, read_table(content, "roster.xlsx"))
        if not plan.ok:
            raise RuntimeError(f"benchmark roster did not import: {plan.errors[:3]}")
        return apply_plan(STUDENTS, tenant, plan)


def _baseline_import(slug, path):
    """openpyxl read-only + bulk_create of the same rows, foreign keys resolved by dictionary."""
    tenant = Tenant.objects.get(slug=slug)
    with tenant_scope(tenant):
        colleges = dict(College.objects.values_list("name", "pk"))
        majors = {(c, n): pk for pk, c, n in Major.objects.values_list("pk", "college_id", "name")}
        classes = dict(SchoolClass.objects.values_list("name", "pk"))
        rooms = {f"{b} {n}": pk for pk, b, n in Room.objects.values_list("pk", "building__name", "number")}
        genders = {"男": "M", "女": "F"}
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
        rows = workbook.worksheets[0].iter_rows(values_only=True)
        next(rows)
        people = []
        for number, name, gender, college, major, klass, year, room, _status in rows:
            college_id = colleges[college]
            people.append(Person(
                tenant=tenant, number=str(number), name=name, gender=genders[gender], college_id=college_id,
                major_id=majors.get((college_id, major)), school_class_id=classes.get(klass), enrolment_year=year,
                room_id=rooms.get(room), kind=PersonKind.STUDENT,
            ))
        workbook.close()
        Person.objects.bulk_create(people, batch_size=1000)
    return len(people)


@benchmark("members")
def run(ctx: Context) -> list[Result]:
    n = ctx.students
    university, target, scratch = f"bench_{n}", f"bench_{n}_target", f"bench_{n}_bare"
    results = []

    ctx.log(f"seed_university: {n} students")
    tenant_purge(university)
    seed = measure(lambda: _seed(university, n))
    tenant_purge(scratch)
    _seed(scratch, n, structure_only=True)
    bare = measure(lambda: _bare_people(scratch, n))
    tenant_purge(scratch)
    results.append(Result("seed_university", seed.seconds, seed.peak_mb, n,
                          baseline="bulk_create N bare Person rows", baseline_seconds=bare.seconds,
                          goal="30,000 students < 60 s on SQLite"))

    ctx.log("export the roster (.xlsx)")
    path = os.path.join(ctx.workdir, f"roster-{n}.xlsx")
    export = measure(lambda: _export(university, path))
    results.append(Result("roster export (.xlsx)", export.seconds, export.peak_mb, n,
                          notes={"bytes": export.value}))

    ctx.log("import the roster into an empty school of the same structure")
    tenant_purge(target)
    _seed(target, n, structure_only=True)
    first = measure(lambda: _import(target, path))
    again = measure(lambda: _import(target, path))
    if first.value["new"] != n or again.value["unchanged"] != n:
        raise RuntimeError(f"import counts are off: {first.value} then {again.value}")
    ctx.log("baseline: openpyxl read-only + bulk_create into the same empty structure")
    tenant_purge(target)
    _seed(target, n, structure_only=True)
    baseline = measure(lambda: _baseline_import(target, path))
    tenant_purge(target)
    results.append(Result("roster import (.xlsx, new)", first.seconds, first.peak_mb, n,
                          baseline="openpyxl read-only + bulk_create", baseline_seconds=baseline.seconds,
                          goal="within 3× of the baseline; 30,000 rows < 15 s on SQLite",
                          notes={"baseline_peak_mb": round(baseline.peak_mb, 1)}))
    results.append(Result("roster re-import (.xlsx, unchanged)", again.seconds, again.peak_mb, n,
                          baseline="openpyxl read-only + bulk_create", baseline_seconds=baseline.seconds))
    return results
