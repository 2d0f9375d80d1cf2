"""Imports of OR-4: dry run, all-or-nothing commit, re-import, bad files, formulas, round trips, the task."""

import datetime as dt
import io
import re
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from members import services
from members import tasks as _tasks  # noqa: F401  (registers the import tasks: services enqueue them by name)
from members.exports import layout_export, layout_template, write_csv, write_xlsx
from members.imports import cells
from members.imports.engine import apply_plan
from members.imports.layouts import LAYOUTS
from members.imports.reader import ImportFileError, read_table
from members.models import AcademicStanding, DisciplinaryRecord, ImportJob, ImportStatus, Person, PoliticalStatus
from members.tests.factories import PersonFactory
from members.tests.import_world import STUDENTS, School, plan
from orgs.models import Building, Gender, PolicyValue, Room, SchoolClass
from orgs.tenancy import tenant_scope

HEADERS = ["学号", "姓名", "性别", "学院", "专业", "班级", "入学年份", "寝室", "政治面貌"]


@pytest.fixture
def school(db):
    school = School()
    with tenant_scope(school.tenant):
        yield school


def student(number="2026010001", name="张明", gender="男", college="计算机学院", major="软件工程",
            klass="软工2601班", year=2026, room="东区1栋 101", status="共青团员"):
    return (number, name, gender, college, major, klass, year, room, status)


def xlsx(rows, headers=HEADERS):
    return write_xlsx(headers, rows, title="学生")


def run(school, content, name="roster.xlsx", layout=STUDENTS):
    result = plan(school, content, name, layout)
    assert result.ok, result.errors
    return apply_plan(layout, school.tenant, result)


def errors_of(result):
    return [(e.row, e.column, e.message) for e in result.errors]


# --- the flow ---


def test_a_dry_run_changes_nothing_and_counts_what_would_happen(school):
    PersonFactory(tenant=school.tenant, number="2026010002", name="旧名", school_class=school.klass, gender="M")
    result = plan(school, xlsx([student(), student(number="2026010002", name="新名")]))
    assert result.counts() == {"total": 2, "new": 1, "changed": 1, "unchanged": 0, "errors": 0}
    assert Person.objects.count() == 1 and Person.objects.get().name == "旧名"


def test_import_creates_people_without_accounts_and_reimport_changes_nothing(school):
    rows = [student(number=f"20260100{i:02d}", name=f"学生{i}", room="") for i in range(10)]
    assert run(school, xlsx(rows))["new"] == 10
    first = list(Person.objects.order_by("number").values())
    assert not Person.objects.filter(user__isnull=False).exists()  # no account, so no password at all

    again = plan(school, xlsx(rows))
    assert again.counts() == {"total": 10, "new": 0, "changed": 0, "unchanged": 10, "errors": 0}
    apply_plan(STUDENTS, school.tenant, again)
    assert list(Person.objects.order_by("number").values()) == first


def test_reimport_updates_by_student_number(school):
    run(school, xlsx([student()]))
    result = plan(school, xlsx([student(name="张明明", room="")]))
    assert result.counts()["changed"] == 1
    assert result.samples[0][1] == "2026010001" and set(result.samples[0][2]) == {"name", "room_id"}
    apply_plan(STUDENTS, school.tenant, result)
    person = Person.objects.get()
    assert (person.name, person.room_id, Person.objects.count()) == ("张明明", None, 1)


def test_an_absent_optional_column_leaves_that_field_alone(school):
    run(school, xlsx([student(status="中共党员")]))
    headers = ["学号", "姓名", "性别", "学院"]
    result = plan(school, xlsx([("2026010001", "张明", "男", "计算机学院")], headers=headers))
    assert result.counts()["unchanged"] == 1  # class, room, political status are not in the file: untouched
    assert Person.objects.get().political_status == PoliticalStatus.PARTY_MEMBER


def test_english_headers_are_accepted(school):
    headers = ["Student number", "Name", "Gender", "College", "Major", "Class", "Enrolment year", "Room",
               "Political status"]
    result = plan(school, xlsx([student(gender="male", status="league")], headers=headers))
    assert result.ok and result.counts()["new"] == 1


def test_one_bad_row_among_a_thousand_imports_nothing_and_names_the_row_and_column(school):
    rows = [student(number=f"2026{i:06d}", name=f"学生{i}", room="") for i in range(1000)]
    rows[636] = student(number="2026000636", klass="不存在的班", room="")
    result = plan(school, xlsx(rows))
    assert errors_of(result) == [(638, "班级", "班级“不存在的班”不存在")]  # row 1 is the header
    with pytest.raises(ValueError):
        apply_plan(STUDENTS, school.tenant, result)
    assert Person.objects.count() == 0


# --- bad files and bad rows: a clear Chinese message, nothing changed ---


@pytest.mark.parametrize(("content", "name", "message"), [
    (b"%PDF-1.4 binary\x00\x01\x02", "report.pdf", "不支持这种文件"),
    (b"\x00\x01\x02\x03garbage", "roster.dat", "无法识别文件格式"),
    (b"", "roster.xlsx", "文件是空的"),
    ("学号,姓名,性别,学院\r\n".encode(), "roster.csv", "只有表头"),
    ("姓名,性别,学院\r\n张明,男,计算机学院\r\n".encode(), "roster.csv", "缺少必填列：学号"),
    (b"PK\x03\x04not really a zip", "roster.xlsx", "不支持这种文件"),
])
def test_a_file_that_cannot_be_imported_is_refused_with_its_reason(school, content, name, message):
    with pytest.raises(ImportFileError, match=message):
        plan(school, content, name)


@pytest.mark.parametrize(("row", "column", "message"), [
    (student(college="不存在学院"), "学院", "学院“不存在学院”不存在"),
    (student(klass="不存在的班"), "班级", "班级“不存在的班”不存在"),
    (student(klass="英语2601班"), "班级", "班级“英语2601班”不属于学院“计算机学院”"),
    (student(room="东区1栋 102"), "寝室", "寝室“东区1栋 102”是女生寝室，与学生性别不符"),
    (student(room="西区9栋 999"), "寝室", "寝室“西区9栋 999”不存在"),
    (student(gender="未知"), "性别", "“未知”不是有效取值"),
    (student(year="二〇二六"), "入学年份", "不是整数"),
    (student(year=2025), "入学年份", "与班级的入学年份 2026 不一致"),
    (student(status="党员?"), "政治面貌", "不是有效取值"),
    (student(name=""), "姓名", "必填，不能为空"),
])
def test_a_bad_row_names_its_row_and_column(school, row, column, message):
    result = plan(school, xlsx([student(number="2026019999", name="好学生", room=""), row]))
    assert len(result.errors) == 1
    error = result.errors[0]
    assert (error.row, error.column) == (3, column) and message in error.message


def test_a_duplicate_student_number_inside_the_file_names_the_first_row(school):
    result = plan(school, xlsx([student(), student(name="另一个人")]))
    assert errors_of(result) == [(3, "学号", "与第 2 行重复")]


def test_a_room_cannot_take_more_students_than_it_has_beds(school):
    rows = [student(number=f"202601000{i}", name=f"学生{i}") for i in range(5)]
    result = plan(school, xlsx(rows))
    assert {e.column for e in result.errors} == {"寝室"}
    assert "只有 4 个床位，导入后将有 5 人" in result.errors[0].message


def test_a_file_over_the_schools_size_limit_is_refused(school, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    PolicyValue.objects.create(tenant=school.tenant, key="members.import_max_mb", value=1,
                               effective_from=dt.date(2020, 1, 1))
    upload = SimpleUploadedFile("big.csv", b"x" * (1024 * 1024 + 1))
    with pytest.raises(Exception, match="超过本校上限 1 MB"):
        services.import_job_create(tenant=school.tenant, kind="students", upload=upload, user=school.user,
                                   today=dt.date(2026, 11, 22))
    assert not ImportJob.objects.exists()


# --- formulas in and out ---


def _with_cached_formula(content: bytes) -> bytes:
    """Turn cell B2 into a formula whose cached value Excel would have stored (as a saved Excel file has)."""
    source, out = zipfile.ZipFile(io.BytesIO(content)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = data.decode()
                text = re.sub(r'<c r="B2"[^>]*>.*?</c>',
                              '<c r="B2" t="str"><f>CONCATENATE("张","明")</f><v>张明</v></c>', text, count=1)
                data = text.encode()
            target.writestr(item, data)
    return out.getvalue()


def test_a_formula_cell_imports_as_its_value(school):
    content = _with_cached_formula(xlsx([student(name="占位")]))
    assert "<f>" in zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml").decode()
    run(school, content)
    assert Person.objects.get().name == "张明"


@pytest.mark.parametrize("dangerous", ["=HYPERLINK(\"http://x\")", "+1+1", "-2+3", "@SUM(A1)"])
def test_exported_cells_that_look_like_formulas_are_text(school, dangerous):
    run(school, xlsx([student(name=dangerous, room="")]))
    content, _type = layout_export(STUDENTS, school.tenant, "xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    cell = sheet["B2"]
    assert (cell.value, cell.data_type) == (dangerous, "s")
    csv_content, _type = layout_export(STUDENTS, school.tenant, "csv")
    assert f"'{dangerous}" in csv_content.decode("utf-8-sig").replace('""', '"')
    # and both import back unchanged
    assert plan(school, content).counts()["unchanged"] == 1
    assert plan(school, csv_content, "roster.csv").counts()["unchanged"] == 1


def test_a_gb18030_csv_from_chinese_excel_is_read(school):
    text = ",".join(HEADERS) + "\r\n" + ",".join(str(v) for v in student(room="")) + "\r\n"
    result = plan(school, text.encode("gb18030"), "名册.csv")
    assert result.ok and result.new[0]["name"] == "张明"


def test_the_template_has_the_headers_and_an_example_row_that_would_import(school):
    content, _type = layout_template(STUDENTS, "xlsx")
    rows = list(openpyxl.load_workbook(io.BytesIO(content)).active.values)
    assert list(rows[0]) == HEADERS and len(rows) == 2


# --- the other layouts ---


def test_classes_rooms_standing_and_discipline_import_and_reimport(school):
    classes = write_xlsx(["班级名称", "专业", "入学年份"], [("软工2602班", "SE", 2026), ("英语2602班", "英语", 2026)],
                         title="c")
    assert run(school, classes, layout=LAYOUTS["classes"])["new"] == 2
    assert SchoolClass.objects.get(name="英语2602班").college_id == school.other_college.pk

    rooms = write_xlsx(["楼栋", "楼层", "房间号", "性别", "床位数"],
                       [("东区1栋", 1, "101", "男", 6), ("西区2栋", 3, "301", "女", 4)], title="r")
    assert run(school, rooms, layout=LAYOUTS["rooms"]) == {"total": 2, "new": 1, "changed": 1, "unchanged": 0,
                                                           "errors": 0}
    assert Room.objects.get(number="101").capacity == 6 and Building.objects.filter(name="西区2栋").exists()

    PersonFactory(tenant=school.tenant, number="2026010001", school_class=school.klass)
    standing = write_xlsx(["学号", "学期", "专业排名百分位", "不及格课程数"],
                          [("2026010001", "2025-2026学年第二学期", "12.5", 1)], title="s")
    run(school, standing, layout=LAYOUTS["standing"])
    assert AcademicStanding.objects.get().rank_percentile == Decimal("12.50")

    discipline = write_xlsx(["学号", "处分", "处分日期", "事由"],
                            [("2026010001", "警告", dt.date(2026, 10, 8), "夜不归宿")], title="d")
    run(school, discipline, layout=LAYOUTS["discipline"])
    assert plan(school, discipline, layout=LAYOUTS["discipline"]).counts()["unchanged"] == 1
    assert DisciplinaryRecord.objects.count() == 1

    for kind in ("classes", "rooms", "standing", "discipline"):  # each export imports back unchanged
        content, _type = layout_export(LAYOUTS[kind], school.tenant, "xlsx")
        counts = plan(school, content, layout=LAYOUTS[kind]).counts()
        assert counts["changed"] == counts["new"] == counts["errors"] == 0 and counts["unchanged"] > 0, kind


def test_a_room_of_residents_of_the_other_gender_cannot_change_gender(school):
    PersonFactory(tenant=school.tenant, gender=Gender.MALE, room=school.male_room)
    rooms = write_xlsx(["楼栋", "楼层", "房间号", "性别", "床位数"], [("东区1栋", 1, "101", "女", 4)], title="r")
    result = plan(school, rooms, layout=LAYOUTS["rooms"])
    assert errors_of(result) == [(2, "性别", "该寝室现住 1 名异性学生，不能改为女生寝室")]


def test_standing_for_an_unknown_student_or_term_is_an_error(school):
    standing = write_xlsx(["学号", "学期", "专业排名百分位", "不及格课程数"],
                          [("404", "无此学期", "120", -1)], title="s")
    messages = {(e.column, e.message) for e in plan(school, standing, layout=LAYOUTS["standing"]).errors}
    assert ("学号", "学号“404”不存在，请先导入学生名册") in messages and ("学期", "学期“无此学期”不存在") in messages
    assert {c for c, _m in messages} == {"学号", "学期", "专业排名百分位", "不及格课程数"}


# --- a property: whatever roster is imported, its export gives the same data back ---

NAMES = (st.text(alphabet=st.sampled_from("张王李赵刘陈杨黄明华伟芳娜=+-@ ·"), min_size=1, max_size=8)
         .map(str.strip).filter(bool))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(roster=st.lists(st.tuples(NAMES, st.sampled_from(["男", "女"]), st.booleans(),
                                 st.sampled_from([str(s.label) for s in PoliticalStatus])), min_size=1, max_size=12),
       file_format=st.sampled_from(["xlsx", "csv"]))
def test_import_then_export_gives_back_the_same_data(school, roster, file_format):
    Person.objects.all().delete()
    rows = []
    for i, (name, gender, in_class, status) in enumerate(roster):
        klass = "软工2601班" if in_class else ""
        rows.append((f"2026{i:06d}", name, gender, "计算机学院", "软件工程" if in_class else "", klass,
                     2026 if in_class else "", "", status))
    content = write_csv(HEADERS, rows) if file_format == "csv" else xlsx(rows)
    run(school, content, f"roster.{file_format}")
    exported, _type = layout_export(STUDENTS, school.tenant, file_format)
    back = read_table(exported, f"export.{file_format}")
    assert [tuple(map(cells.text, row)) for row in back.rows] == [tuple(map(cells.text, row)) for row in rows]


# --- the job and its tasks ---


def test_the_task_reports_progress_and_its_final_counts_equal_the_rows_in_the_database(
    school, settings, tmp_path, django_capture_on_commit_callbacks
):
    from config.celery import app

    settings.MEDIA_ROOT = tmp_path
    app.conf.task_always_eager = True
    try:
        rows = [student(number=f"2026{i:06d}", name=f"学生{i}", room="") for i in range(2500)]
        upload = SimpleUploadedFile("名册.xlsx", xlsx(rows))
        seen = []
        original = services._import_progress

        def spy(job_id):
            report = original(job_id)
            return lambda done, total: (seen.append((done, total)), report(done, total))

        services._import_progress = spy
        with django_capture_on_commit_callbacks(execute=True):
            job = services.import_job_create(tenant=school.tenant, kind="students", upload=upload, user=school.user,
                                             today=dt.date(2026, 11, 22))
        job.refresh_from_db()
        assert job.status == ImportStatus.CHECKED and job.counts["new"] == 2500 and job.percent == 100
        # our own export records no sheet dimension: rows are counted as read, the total known at the end
        assert (1000, 0) in seen and (2000, 0) in seen and seen[-1] == (2500, 2500)
        assert Person.objects.count() == 0

        with django_capture_on_commit_callbacks(execute=True):
            services.import_job_commit(job=job, user=school.user)
        job.refresh_from_db()
        assert job.status == ImportStatus.DONE and job.counts["new"] == Person.objects.count() == 2500
        with pytest.raises(Exception, match="不能再次提交"):
            services.import_job_commit(job=job, user=school.user)  # a double submit changes nothing
    finally:
        services._import_progress = original
        app.conf.task_always_eager = False


def test_a_commit_that_finds_new_errors_writes_nothing(school, settings, tmp_path, django_capture_on_commit_callbacks):
    from config.celery import app

    settings.MEDIA_ROOT = tmp_path
    app.conf.task_always_eager = True
    try:
        upload = SimpleUploadedFile("名册.xlsx", xlsx([student(), student(number="2026010002", name="李四")]))
        with django_capture_on_commit_callbacks(execute=True):
            job = services.import_job_create(tenant=school.tenant, kind="students", upload=upload, user=school.user,
                                             today=dt.date(2026, 11, 22))
        job.refresh_from_db()
        assert job.status == ImportStatus.CHECKED
        school.klass.delete()  # the class disappears between the check and the commit
        with django_capture_on_commit_callbacks(execute=True):
            services.import_job_commit(job=job, user=school.user)
        job.refresh_from_db()
        assert job.status == ImportStatus.INVALID and "没有导入任何数据" in job.message
        assert Person.objects.count() == 0
    finally:
        app.conf.task_always_eager = False


def test_reading_reports_progress_against_the_rows_the_sheet_declares():
    workbook = openpyxl.Workbook()  # the normal writer records the sheet's dimension, as Excel and WPS do
    sheet = workbook.active
    sheet.append(HEADERS)
    for i in range(2500):
        sheet.append(student(number=f"2026{i:06d}", room=""))
    out = io.BytesIO()
    workbook.save(out)
    seen = []
    table = read_table(out.getvalue(), "roster.xlsx", progress=lambda done, total: seen.append((done, total)))
    assert len(table.rows) == 2500
    assert seen == [(1000, 2500), (2000, 2500), (2500, 2500)]
