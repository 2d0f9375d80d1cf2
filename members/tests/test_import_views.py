"""The import pages of OR-4: who may use them, upload → check → commit with the tasks run eagerly, the bad files
of item 3 on the page, template and export downloads, the status JSON, and the cost of the pages."""

import csv
import datetime as dt
import io
import logging
import re
from urllib.parse import quote

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django_scopes import scopes_disabled

from members.exports import CSV_TYPE, XLSX_TYPE, write_csv, write_xlsx
from members.imports.layouts import LAYOUTS
from members.models import ImportJob, ImportStatus, Person, PersonKind, User
from members.tests.factories import ImportJobFactory, UserFactory
from members.tests.import_pages import HEADERS, job_url, people_count, roster, student, the_job, upload
from members.tests.school import school_fixture  # noqa: F401 - the "school" fixture
from orgs.models import College, Gender, Major, PolicyValue, Position
from tests.personas import SCHOOL_ROLES, personas, statuses

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')
KINDS = list(LAYOUTS)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture(autouse=True)
def _chinese_after(settings):
    """A request in English leaves English active in the thread; tests that call services directly expect the
    source language."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


# --- who may use the pages ---


def same_404(client, method, foreign, missing) -> bool:
    """Another school's job answers exactly like a missing one (the page's own path aside)."""
    answers = []
    for path in (foreign, missing):
        response = getattr(client, method)(path)
        body = CSRF.sub("<token>", response.content.decode().replace(path, "<path>"))
        answers.append((response.status_code, body))
    return answers[0] == answers[1] and answers[0][0] == 404

ADMIN_ONLY = {"anonymous": 302, "admin": 200, "counsellor": 403, "office": 403, "head": 403, "logistics": 403,
              "officer": 403, "platform": 403, "other_admin": 200}


@pytest.mark.parametrize("url", [
    reverse("members:import_home"),
    reverse("members:import_template", kwargs={"kind": "students", "fmt": "xlsx"}),
    reverse("members:import_export", kwargs={"kind": "rooms", "fmt": "csv"}),
])
def test_the_import_pages_are_for_the_tenant_admin(client, school, url):
    assert statuses(client, url, personas(school, names=SCHOOL_ROLES)) == ADMIN_ONLY


@pytest.mark.parametrize("name", ["import_job", "import_job_status"])
def test_a_job_is_its_schools_tenant_admins_and_another_schools_job_is_missing(client, school, name):
    job = ImportJobFactory(tenant=school.tenant, uploaded_by=school.admin)
    everyone = personas(school, names=SCHOOL_ROLES)
    assert statuses(client, job_url(name, job), everyone) == {**ADMIN_ONLY, "other_admin": 404}
    client.force_login(school.other_admin)
    assert same_404(client, "get", job_url(name, job), job_url(name, job.pk + 1000))


def test_the_commit_is_a_post_of_the_tenant_admin_of_the_jobs_school(client, school):
    job = ImportJobFactory(tenant=school.tenant, uploaded_by=school.admin, status=ImportStatus.INVALID)
    url = job_url("import_commit", job)
    client.force_login(school.other_admin)
    assert same_404(client, "post", url, job_url("import_commit", job.pk + 1000))
    users = personas(school, names=("counsellor", "office", "admin"))
    assert statuses(client, url, users, "post") == {"counsellor": 403, "office": 403, "admin": 302}
    assert client.get(url).status_code == 405


def test_the_menu_and_the_home_card_of_the_tenant_admin_link_to_the_imports(client, school):
    url = reverse("members:import_home")
    client.force_login(school.admin)
    response = client.get(reverse("home"))
    assert any(item["url"] == url for item in response.context["menu"])
    assert any(link["url"] == url and str(link["label"]) == "导入与导出"
               for card in response.context["cards"] for link in card["links"])
    client.force_login(school.counsellor)
    assert url not in client.get(reverse("home")).content.decode()


# --- the import page ---


def test_the_import_page_shows_each_kind_with_its_columns_templates_exports_and_the_size_limit(client, school):
    client.force_login(school.admin)
    html = client.get(reverse("members:import_home")).content.decode()
    positions = [html.index(f"<h3>{layout.label}</h3>") for layout in LAYOUTS.values()]
    assert positions == sorted(positions)  # 学生名册, 学院与专业, 班级, 寝室, 职务, 学业情况, 违纪处分
    assert '学号<span class="req" aria-label="必填">*</span>' in html and "<li title=\"room, dorm\">寝室</li>" in html
    for kind in KINDS:
        for fmt in ("xlsx", "csv"):
            assert reverse("members:import_template", kwargs={"kind": kind, "fmt": fmt}) in html
            assert reverse("members:import_export", kwargs={"kind": kind, "fmt": fmt}) in html
    assert "不超过 20 MB" in html and "本校上限 20 MB" in html
    assert 'enctype="multipart/form-data"' in html and "还没有导入过文件" in html


def test_the_import_page_lists_the_latest_twenty_jobs_with_their_results(client, school):
    for i in range(22):
        ImportJobFactory(tenant=school.tenant, uploaded_by=school.admin, original_name=f"第{i}批.xlsx",
                         status=ImportStatus.DONE, total_rows=3, counts={"total": 3, "new": 2, "changed": 1,
                                                                         "unchanged": 0, "errors": 0})
    ImportJobFactory(tenant=school.other.tenant, uploaded_by=school.other_admin, original_name="乙校名册.xlsx")
    client.force_login(school.admin)
    response = client.get(reverse("members:import_home"))
    html = response.content.decode()
    assert len(response.context["jobs"]) == 20 and "乙校名册" not in html
    assert "新增 2 · 修改 1 · 错误 0" in html and "已导入" in html and str(school.admin) in html


def test_the_import_page_runs_a_constant_number_of_queries(client, school):
    client.force_login(school.admin)
    url = reverse("members:import_home")
    ImportJobFactory(tenant=school.tenant, uploaded_by=school.admin)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for user in (school.admin, UserFactory(tenant=school.tenant), UserFactory(tenant=school.tenant, person=None)):
        for status in ImportStatus.values:
            ImportJobFactory(tenant=school.tenant, uploaded_by=user, status=status)
    with CaptureQueriesContext(connection) as more:
        assert len(client.get(url).context["jobs"]) == 19
    assert len(more.captured_queries) == len(few.captured_queries)


# --- upload → check → commit ---


def test_upload_check_and_commit(client, school, eager):
    client.force_login(school.admin)
    rows = [student(school), student(school, number=school.student_y.number, name="李明轩改", klass=school.class_b,
                                     gender="女" if school.student_y.gender == Gender.FEMALE else "男")]
    before = people_count(school.tenant)
    response = upload(client, eager, roster(rows))
    job = the_job(school.tenant)
    assert response.status_code == 302 and response["Location"] == job_url("import_job", job)
    assert job.status == ImportStatus.CHECKED and job.uploaded_by == school.admin and job.original_name == "名册.xlsx"
    assert people_count(school.tenant) == before  # the check writes nothing

    html = client.get(job_url("import_job", job)).content.decode()
    assert "检查结果" in html and "确认导入</button>" in html and job_url("import_commit", job) in html
    assert '<dt>新增</dt><dd class="num">1</dd>' in html and '<dt>修改</dt><dd class="num">1</dd>' in html
    assert school.student_y.number in html and "姓名" in html  # the change sample: its key and changed column
    assert "imports.js" not in html  # nothing to poll

    with eager():
        response = client.post(job_url("import_commit", job))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE and job.committed_by == school.admin
    assert people_count(school.tenant) == before + 1
    with scopes_disabled():
        assert Person.objects.get(number=school.student_y.number, tenant=school.tenant).name == "李明轩改"
        new = Person.objects.get(number="2026990001", tenant=school.tenant)
    assert (new.name, new.school_class_id) == ("王小明", school.class_a.pk)
    html = client.get(job_url("import_job", job)).content.decode()
    assert "导入完成" in html and "已写入：新增 1 条，修改 1 条，0 条未变。" in html and "确认导入</button>" not in html


def test_a_second_commit_is_refused_with_a_message_and_changes_nothing(client, school, eager):
    client.force_login(school.admin)
    upload(client, eager, roster([student(school)]))
    job = the_job(school.tenant)
    with eager():
        client.post(job_url("import_commit", job))
    job.refresh_from_db()
    count, finished = people_count(school.tenant), job.finished_at
    with eager():
        response = client.post(job_url("import_commit", job), follow=True)
    assert "这个导入不在“待确认”状态，不能再次提交。" in response.content.decode()
    job.refresh_from_db()
    assert (job.status, job.finished_at, people_count(school.tenant)) == (ImportStatus.DONE, finished, count)


def test_the_same_file_twice_changes_nothing_the_second_time(client, school, eager):
    client.force_login(school.admin)
    content = roster([student(school), student(school, number="2026990002", name="赵六")])
    for _ in range(2):
        upload(client, eager, content)
        with eager():
            client.post(job_url("import_commit", the_job(school.tenant)))
    assert the_job(school.tenant).counts == {"total": 2, "new": 0, "changed": 0, "unchanged": 2, "errors": 0}
    with scopes_disabled():
        assert Person.objects.filter(tenant=school.tenant, number__in=["2026990001", "2026990002"]).count() == 2


# --- the reference data: colleges and majors, posts ---


@pytest.mark.parametrize("kind", ["colleges", "positions"])
def test_the_reference_data_kinds_are_on_the_tenant_admins_page_only(client, school, kind):
    everyone = personas(school, names=SCHOOL_ROLES)
    for name in ("import_template", "import_export"):
        url = reverse(f"members:{name}", kwargs={"kind": kind, "fmt": "xlsx"})
        assert statuses(client, url, everyone) == ADMIN_ONLY
    client.force_login(school.admin)
    html = client.get(reverse("members:import_home")).content.decode()
    assert f"<h3>{LAYOUTS[kind].label}</h3>" in html and f'value="{kind}"' in html
    job = ImportJobFactory(tenant=school.tenant, uploaded_by=school.admin, kind=kind)
    assert statuses(client, job_url("import_job", job), everyone) == {**ADMIN_ONLY, "other_admin": 404}


def test_another_schools_admin_exports_only_their_own_posts(client, school):
    client.force_login(school.other_admin)
    response = client.get(reverse("members:import_export", kwargs={"kind": "positions", "fmt": "csv"}))
    lines = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert lines[0] == ["组织", "职务名称", "类别", "级别"] and len(lines) > 1
    assert {line[0] for line in lines[1:]} == {school.other.org.name}


def test_colleges_and_majors_upload_check_and_commit(client, school, eager):
    client.force_login(school.admin)
    college = school.class_a.college
    content = write_xlsx(["学院名称", "学院代码", "专业名称", "专业代码"],
                         [(college.name, college.code, "人工智能", "AI01"), ("艺术学院", "ART", "", "")], title="c")
    upload(client, eager, content, "学院与专业.xlsx", kind="colleges")
    job = the_job(school.tenant)
    assert (job.kind, job.status, job.counts["new"]) == ("colleges", ImportStatus.CHECKED, 2)
    with eager():
        client.post(job_url("import_commit", job))
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE
    with scopes_disabled():
        assert Major.objects.get(tenant=school.tenant, code="AI01").college_id == college.pk
        assert College.objects.filter(code="ART").values_list("tenant", flat=True).get() == school.tenant.pk


def test_a_changed_post_is_shown_by_its_organisation_name_and_changed_column(client, school, eager):
    client.force_login(school.admin)
    post = school.officer_post
    content = write_xlsx(["组织", "职务名称", "类别"], [(school.org.name, post.name, "干部")], title="p")
    upload(client, eager, content, "职务.xlsx", kind="positions")
    job = the_job(school.tenant)
    assert job.counts == {"total": 1, "new": 0, "changed": 1, "unchanged": 0, "errors": 0}
    html = client.get(job_url("import_job", job)).content.decode()
    assert f"{school.org.name} {post.name}" in html and "<th>职务名称</th>" in html and ">类别</td>" in html
    with eager():
        client.post(job_url("import_commit", job))
    with scopes_disabled():
        assert Position.objects.get(pk=post.pk).category == "cadre"


# --- bad files (item 3): each its Chinese message on the page, nobody created ---


def _bad_roster(school, case):
    good = student(school, room="")
    room_label = f"{school.building.name} {school.room.number}"  # a girls' room
    return {
        "not a spreadsheet": (b"%PDF-1.4\x00\x01\x02binary", "名册.pdf", "不支持这种文件"),
        "header only": (write_csv(HEADERS, []), "名册.csv", "文件只有表头，没有数据行。"),
        "blank": (b"  \r\n", "名册.csv", "文件是空的。"),
        "missing column": (roster([good[1:]], HEADERS[1:]), "名册.xlsx", "缺少必填列：学号。请使用下载的模板。"),
        "unknown college": (roster([good[:3] + ("火星学院", "", "", "", "", "")]), "名册.xlsx", "学院“火星学院”不存在"),
        "unknown class": (roster([good[:5] + ("不存在的班",) + good[6:]]), "名册.xlsx", "班级“不存在的班”不存在"),
        "duplicate number": (roster([good, good[:1] + ("另一个人",) + good[2:]]), "名册.xlsx", "与第 2 行重复"),
        "wrong-gender room": (roster([student(school, gender="男", room=room_label)]), "名册.xlsx",
                              f"寝室“{room_label}”是女生寝室，与学生性别不符"),
    }[case]


@pytest.mark.parametrize("case", ["not a spreadsheet", "header only", "blank", "missing column", "unknown college",
                                  "unknown class", "duplicate number", "wrong-gender room"])
def test_a_bad_file_shows_its_message_on_the_job_page_and_creates_nobody(client, school, eager, case):
    content, name, message = _bad_roster(school, case)
    client.force_login(school.admin)
    before = people_count(school.tenant)
    response = upload(client, eager, content, name)
    job = the_job(school.tenant)
    assert response.status_code == 302 and job.status == ImportStatus.INVALID
    html = client.get(job_url("import_job", job)).content.decode()
    assert message in html and "有错误，没有导入任何数据" in html and "确认导入</button>" not in html
    assert f"{reverse('members:import_home')}?kind=students#upload" in html  # upload a corrected file
    assert people_count(school.tenant) == before
    with eager():
        client.post(job_url("import_commit", job))  # and it cannot be committed
    assert people_count(school.tenant) == before


def test_a_row_error_names_the_row_and_the_column_in_the_table(client, school, eager):
    client.force_login(school.admin)
    rows = [student(school, number=f"20269900{i:02d}", name=f"学生{i}") for i in range(5)]
    rows[3] = rows[3][:5] + ("不存在的班",) + rows[3][6:]
    upload(client, eager, roster(rows))
    html = client.get(job_url("import_job", the_job(school.tenant))).content.decode()
    assert '<td class="title row-no">第 5 行</td>' in html
    assert '<td data-label="列">班级</td>' in html and "共 1 个错误。" in html


def test_an_empty_upload_and_a_file_over_the_size_limit_are_refused_on_the_upload_form(client, school, eager):
    client.force_login(school.admin)
    response = upload(client, eager, b"", "名册.xlsx")
    assert response.status_code == 200 and "文件是空的。" in response.content.decode()
    PolicyValue.objects.create(tenant=school.tenant, key="members.import_max_mb", value=1,
                               effective_from=dt.date(2020, 1, 1))
    response = upload(client, eager, b"x" * (1024 * 1024 + 1), "名册.csv")
    html = response.content.decode()
    # stopped at the limit while it arrived (orgs/uploads.py), before the service would have seen its size
    assert response.status_code == 200 and "文件“名册.csv”超过 1 MB 的上限。" in html and "不超过 1 MB" in html
    with scopes_disabled():
        assert not ImportJob.objects.filter(tenant=school.tenant).exists()


def test_an_unknown_kind_is_a_form_error(client, school, eager):
    client.force_login(school.admin)
    response = upload(client, eager, roster([student(school)]), kind="grades")
    assert response.status_code == 200 and response.context["form"].errors["kind"]


def test_a_large_error_list_shows_the_first_500_and_the_total(client, school):
    errors = [{"row": i + 2, "column": "学院", "message": "学院“X”不存在"} for i in range(500)]
    job = ImportJobFactory(tenant=school.tenant, uploaded_by=school.admin, status=ImportStatus.INVALID,
                           errors=errors, counts={"total": 900, "new": 100, "changed": 0, "unchanged": 0,
                                                  "errors": 800})
    client.force_login(school.admin)
    html = client.get(job_url("import_job", job)).content.decode()
    assert "共 800 个错误，下面列出前 500 个。" in html and html.count("学院“X”不存在") == 500


# --- a running job: the progress bar and its JSON ---


def test_a_running_job_shows_its_progress_and_polls_its_status(client, school):
    job = ImportJobFactory(tenant=school.tenant, uploaded_by=school.admin, status=ImportStatus.CHECKING,
                           total_rows=30000, processed_rows=12000)
    client.force_login(school.admin)
    html = client.get(job_url("import_job", job)).content.decode()
    assert "已处理 12000 / 30000 行" in html and '<progress max="100" value="40"' in html
    assert "js/imports.js" in html and f'data-import-status="{job_url("import_job_status", job)}"' in html
    response = client.get(job_url("import_job_status", job))
    assert response["Content-Type"] == "application/json" and "no-cache" in response["Cache-Control"]
    assert response.json() == {
        "status": "checking", "status_label": "正在检查", "processed_rows": 12000, "total_rows": 30000,
        "percent": 40, "is_running": True, "progress_text": "已处理 12000 / 30000 行", "indeterminate": False,
    }


def test_the_status_of_a_job_before_its_rows_are_counted_and_while_writing(client, school):
    client.force_login(school.admin)
    reading = ImportJobFactory(tenant=school.tenant, uploaded_by=school.admin, total_rows=0)
    state = client.get(job_url("import_job_status", reading)).json()
    assert (state["progress_text"], state["indeterminate"]) == ("正在读取文件……", True)
    assert '<progress max="100" aria-label="进度">' in client.get(job_url("import_job", reading)).content.decode()
    counting = ImportJobFactory(tenant=school.tenant, uploaded_by=school.admin, total_rows=0, processed_rows=3000)
    state = client.get(job_url("import_job_status", counting)).json()  # a file that does not declare its size
    assert (state["progress_text"], state["indeterminate"]) == ("已读取 3000 行……", True)
    rereading = ImportJobFactory(tenant=school.tenant, uploaded_by=school.admin, status=ImportStatus.IMPORTING,
                                 total_rows=10, processed_rows=0)  # a commit reads the file again first
    assert client.get(job_url("import_job_status", rereading)).json()["progress_text"] == "正在读取文件……"
    writing = ImportJobFactory(tenant=school.tenant, uploaded_by=school.admin, status=ImportStatus.IMPORTING,
                               total_rows=10, processed_rows=10)
    state = client.get(job_url("import_job_status", writing)).json()
    assert (state["progress_text"], state["status_label"], state["is_running"], state["indeterminate"]) == (
        "正在写入数据库……", "正在导入", True, True)
    done = ImportJobFactory(tenant=school.tenant, uploaded_by=school.admin, status=ImportStatus.DONE, total_rows=10,
                            processed_rows=10)
    assert client.get(job_url("import_job_status", done)).json()["is_running"] is False


# --- templates and exports ---


def _disposition(response, filename):
    return f"filename*=UTF-8''{quote(filename)}" in response["Content-Disposition"]


@pytest.mark.parametrize("kind", KINDS)
def test_each_template_has_the_chinese_headers_and_an_example_row(client, school, kind):
    layout = LAYOUTS[kind]
    headers = [str(c.header) for c in layout.columns]
    client.force_login(school.admin)
    response = client.get(reverse("members:import_template", kwargs={"kind": kind, "fmt": "xlsx"}))
    assert response["Content-Type"] == XLSX_TYPE and response["Content-Disposition"].startswith("attachment;")
    assert _disposition(response, f"{layout.label}导入模板.xlsx")
    assert f'filename="{kind}-template.xlsx"' in response["Content-Disposition"]
    rows = list(openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.values)
    assert list(rows[0]) == headers and len(rows) == 2

    response = client.get(reverse("members:import_template", kwargs={"kind": kind, "fmt": "csv"}))
    assert response["Content-Type"] == CSV_TYPE and _disposition(response, f"{layout.label}导入模板.csv")
    lines = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert lines[0] == headers and len(lines) == 2


@pytest.mark.parametrize(("kind", "fmt"), [("grades", "xlsx"), ("students", "xls"), ("students", "pdf")])
def test_an_unknown_kind_or_format_is_missing(client, school, kind, fmt):
    client.force_login(school.admin)
    assert client.get(reverse("members:import_template", kwargs={"kind": kind, "fmt": fmt})).status_code == 404
    assert client.get(reverse("members:import_export", kwargs={"kind": kind, "fmt": fmt})).status_code == 404


def test_the_student_export_has_the_schools_students_and_an_audit_line_without_data(client, school, caplog):
    client.force_login(school.admin)
    with scopes_disabled():
        expected = Person.objects.filter(tenant=school.tenant, kind=PersonKind.STUDENT).count()
    with caplog.at_level(logging.INFO, logger="campus.audit"):
        response = client.get(reverse("members:import_export", kwargs={"kind": "students", "fmt": "xlsx"}))
    assert response["Content-Type"] == XLSX_TYPE and response["Cache-Control"] == "private, no-store"
    today = response["Content-Disposition"].split('filename="students-')[1][:10]
    assert _disposition(response, f"学生名册-{today}.xlsx")
    rows = list(openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.values)
    assert list(rows[0]) == HEADERS and len(rows) - 1 == expected
    numbers = {row[0] for row in rows[1:]}
    assert school.student_x.number in numbers and school.other.student_x.number not in numbers
    [record] = [r for r in caplog.records if r.name == "campus.audit"]
    line = record.getMessage()
    assert f"user={school.admin.pk}" in line and f"tenant={school.tenant.pk}" in line
    assert "kind=students" in line and f"rows={expected}" in line
    assert school.student_x.name not in line and school.student_x.number not in line


def test_an_export_is_in_chinese_whatever_the_pages_language(client, school):
    client.force_login(school.admin)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    response = client.get(reverse("members:import_export", kwargs={"kind": "students", "fmt": "csv"}))
    lines = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert lines[0] == HEADERS
    assert {line[2] for line in lines[1:]} <= {"男", "女"}


def test_an_export_of_2000_students_streams_all_of_them(client, school):
    klass = school.class_a
    with scopes_disabled():
        Person.objects.bulk_create([
            Person(tenant=school.tenant, number=f"2026{i:06d}", name=f"学生{i}", gender=Gender.MALE,
                   college_id=klass.college_id, major_id=klass.major_id, school_class=klass,
                   enrolment_year=klass.enrolment_year) for i in range(2000)
        ])
        expected = Person.objects.filter(tenant=school.tenant, kind=PersonKind.STUDENT).count()
    client.force_login(school.admin)
    for fmt in ("xlsx", "csv"):
        response = client.get(reverse("members:import_export", kwargs={"kind": "students", "fmt": fmt}))
        assert response.streaming and int(response["Content-Length"]) > 0
        content = b"".join(response.streaming_content)
        assert len(content) == int(response["Content-Length"])
        if fmt == "xlsx":
            count = sum(1 for _ in openpyxl.load_workbook(io.BytesIO(content), read_only=True).active.values) - 1
        else:
            count = len(list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))) - 1
        assert count == expected >= 2000, fmt


def test_an_export_imports_back_unchanged(client, school, eager):
    client.force_login(school.admin)
    response = client.get(reverse("members:import_export", kwargs={"kind": "students", "fmt": "xlsx"}))
    upload(client, eager, b"".join(response.streaming_content), "学生名册.xlsx")
    counts = the_job(school.tenant).counts
    assert counts["new"] == counts["changed"] == counts["errors"] == 0 and counts["unchanged"] > 0


def test_a_person_created_by_an_import_has_no_account(client, school, eager):
    client.force_login(school.admin)
    upload(client, eager, roster([student(school)]))
    with eager():
        client.post(job_url("import_commit", the_job(school.tenant)))
    with scopes_disabled():
        person = Person.objects.get(tenant=school.tenant, number="2026990001")
        assert not User.objects.filter(person=person).exists()


def test_in_english_the_page_is_english_and_the_headers_stay_as_the_files_have_them(client, school):
    client.force_login(school.admin)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(reverse("members:import_home")).content.decode()
    assert "Import and export" in html and "Student roster" in html and "Upload and check" in html
    assert '<li class="required" title="student number, student_no, number">学号' in html
    job = ImportJobFactory(tenant=school.tenant, uploaded_by=school.admin, total_rows=10, processed_rows=4)
    assert client.get(job_url("import_job_status", job)).json()["progress_text"] == "4 of 10 rows processed"
