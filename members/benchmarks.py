"""Benchmarks of members (issue: foundation part 2): the synthetic university and the roster import.

* ``seed_university`` of N students, beside the baseline "bulk_create N bare Person rows".
* The roster import of N students from .xlsx (check + write, as the task runs it), beside the baseline
  "read the same file with openpyxl read-only + bulk_create the same rows" (goal: within 3×).
* Re-importing the same file (everything unchanged) and the .xlsx export of the roster.
* ``import_bomb``: the check of ~5 KB workbooks whose sheet declares ``A1:XFD1048576`` / ``A1:XFD20000`` with
  one cell in that far corner (goal: refused or read as its real rows, < 2 s and < 200 MB peak).
"""

import io
import os
import re
import resource
import zipfile

import openpyxl
from django.core.management import call_command
from django.utils import timezone

from members.exports import layout_export
from members.imports.engine import apply_plan, plan_import
from members.imports.layouts import LAYOUTS
from members.imports.reader import ImportFileError, read_table
from members.models import Person, PersonKind
from members.services import import_limits
from orgs.bench import Context, Result, benchmark, measure, tenant_purge
from orgs.calendar import local_date
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


# --- hostile workbooks (issue 10): the declared dimension is not to be trusted ---

STUDENT_HEADERS = ["学号", "姓名", "性别", "学院"]


def hostile_xlsx(*, far_cell: str, rows=(), headers=STUDENT_HEADERS, dimension: str = "") -> bytes:
    """A small workbook: ``headers``, ``rows``, and one cell at ``far_cell`` (e.g. "XFD1048576"), its sheet
    declaring the dimension ``dimension`` (default ``A1:<far_cell>``): what a hand-made or malicious file can
    say; openpyxl's read-only reader pads every row to that width and every gap to that height."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    number = re.fullmatch(r"[A-Z]+(\d+)", far_cell).group(1)
    source, target = io.BytesIO(out.getvalue()), io.BytesIO()
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                xml = data.decode()
                xml = re.sub(r'<dimension ref="[^"]*"\s*/>', f'<dimension ref="{dimension or "A1:" + far_cell}"/>', xml)
                far = f'<row r="{number}"><c r="{far_cell}" t="inlineStr"><is><t>x</t></is></c></row>'
                data = xml.replace("</sheetData>", far + "</sheetData>").encode()
            zout.writestr(item.filename, data)
    return target.getvalue()


def _check_hostile(slug, content):
    """The check of a hostile file as the task runs it (the school's limits), and how far it raised the peak
    resident memory of the process above what the process held before (Django and the forked parent's pages)."""
    tenant = Tenant.objects.get(slug=slug)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with tenant_scope(tenant):
        limits = import_limits(tenant=tenant, kind="students", today=local_date(timezone.now()))
        try:
            plan = plan_import(STUDENTS, tenant, read_table(content, "bomb.xlsx", **limits))
            outcome = {"refused": "", "rows": plan.total, "new": len(plan.new), "errors": plan.error_count}
        except ImportFileError as error:
            outcome = {"refused": str(error), "rows": 0}
    outcome["peak_growth_mb"] = round((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024, 1)
    return outcome


@benchmark("import_bomb")
def run_import_bomb(ctx: Context) -> list[Result]:
    slug = "bench_bomb"
    tenant_purge(slug)
    _seed(slug, 10, structure_only=True)
    with tenant_scope(Tenant.objects.get(slug=slug)):
        college = College.objects.order_by("pk").values_list("name", flat=True).first()
    real = [(f"2026{i:06d}", f"学生{i}", "男", college) for i in range(20)]
    results = []
    # a far cell outside the header's columns carries nothing: the file is its 20 real rows; one inside them,
    # a million rows down, is data beyond the school's row limit: refused when it is met
    for far_cell, expect in (("XFD1048576", "read"), ("XFD20000", "read"), ("D1048576", "refused")):
        content = hostile_xlsx(far_cell=far_cell, rows=real, dimension="A1:" + re.sub(r"^[A-Z]+", "XFD", far_cell))
        ctx.log(f"check a {len(content)}-byte workbook declaring A1:XFD…, one cell at {far_cell}")
        timing = measure(lambda content=content: _check_hostile(slug, content))
        outcome = timing.value
        if (expect == "refused") != bool(outcome["refused"]) or (expect == "read" and outcome["rows"] != len(real)):
            raise RuntimeError(f"hostile workbook, a cell at {far_cell}, was not {expect}: {outcome}")
        results.append(Result(f"import bomb, a cell at {far_cell} ({expect})", timing.seconds, timing.peak_mb,
                              outcome["rows"], goal="< 2 s, < 200 MB peak",
                              notes={"file_bytes": len(content),
                                     "peak_growth_mb": outcome["peak_growth_mb"]}))
    tenant_purge(slug)
    return results
