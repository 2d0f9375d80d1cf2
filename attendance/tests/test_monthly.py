"""The monthly attendance sheet (月度考勤表, AT-3; 000 办公室 11, 14): the selector (rows, columns, marks, totals,
全勤), its Excel and PDF, and who may open it."""

import datetime as dt
import io
import shutil
import subprocess
from urllib.parse import quote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from attendance import exports, services
from attendance.models import Audience, MeetingKind, Status
from attendance.selectors import monthly_sheet
from attendance.tests.alliance import Alliance
from attendance.tests.factories import SHANGHAI
from members.tests.factories import MembershipFactory
from members.tests.school import school_fixture  # noqa: F401 - the "school" fixture
from orgs.calendar import local_date
from orgs.tenancy import tenant_scope
from orgs.tests.factories import DepartmentFactory

NOVEMBER = dt.date(2026, 11, 1)


@pytest.fixture
def alliance(db):
    alliance = Alliance()
    with tenant_scope(alliance.tenant):
        yield alliance


def _session(a, day, *, kind=MeetingKind.DEPARTMENT, department=None, hour=19):
    start = dt.datetime.combine(day, dt.time(hour), SHANGHAI)
    department = department if department is not None else (None if kind == MeetingKind.PLENARY else a.publicity)
    return services.meeting_create(
        organisation=a.org, kind=kind, title=f"{kind} {day}", stars=2, starts_at=start,
        ends_at=start + dt.timedelta(hours=1), user=a.office, department=department,
        audience=Audience.ORGANISATION if department is None else Audience.DEPARTMENT, now=timezone.now())


def _mark(a, meeting, *marks):
    services.attendance_mark(meeting=meeting, marks=[{"person": p.pk, "status": s, **extra} for p, s, extra in marks],
                             user=a.office, now=meeting.ends_at + dt.timedelta(hours=1))


@pytest.fixture
def november(alliance):
    """Publicity: two regular meetings and a duty shift in November, plus what the sheet must leave out."""
    a = alliance
    p0, p1, p2, _p3 = a.members[:4]
    first = _session(a, dt.date(2026, 11, 3))
    second = _session(a, dt.date(2026, 11, 10))
    duty = _session(a, dt.date(2026, 11, 20), kind=MeetingKind.DUTY, hour=12)
    cancelled = _session(a, dt.date(2026, 11, 17))
    services.meeting_cancel(meeting=cancelled, reason="场地冲突", now=cancelled.starts_at - dt.timedelta(days=1))
    other_department = _session(a, dt.date(2026, 11, 4), department=a.office_dept)
    plenary = _session(a, dt.date(2026, 11, 25), kind=MeetingKind.PLENARY)
    december = _session(a, dt.date(2026, 12, 1))
    for meeting in (first, second, duty):
        _mark(a, meeting, (p0, Status.PRESENT, {}), (p1, Status.PRESENT, {}), (p2, Status.PRESENT, {}))
    _mark(a, second, (p1, Status.LATE, {"late_minutes": 5}), (p2, Status.LEAVE, {}))
    _mark(a, duty, (p2, Status.LATE, {"late_minutes": 12}))  # beyond 10 minutes: an absence
    _mark(a, plenary, *[(p, Status.PRESENT, {}) for p in a.members])
    return dict(first=first, second=second, duty=duty, cancelled=cancelled, other_department=other_department,
                plenary=plenary, december=december)


# --- the selector ---


def test_a_department_sheet_has_its_members_and_its_sessions_of_the_month(alliance, november):
    a = alliance
    sheet = monthly_sheet(organisation=a.org, month=dt.date(2026, 11, 15), department=a.publicity)
    assert sheet.month == NOVEMBER
    assert [s.pk for s in sheet.sessions] == [november[k].pk for k in ("first", "second", "duty")]
    assert [r.person.pk for r in sheet.rows] == [p.pk for p in sorted(a.members[:4], key=lambda p: p.number)]
    rows = {r.person.pk: r for r in sheet.rows}
    p0, p1, p2, p3 = a.members[:4]
    assert [m.status for m in rows[p1.pk].marks] == [Status.PRESENT, Status.LATE, Status.PRESENT]
    assert rows[p1.pk].marks[1].late_minutes == 5
    assert [m.status for m in rows[p2.pk].marks] == [Status.PRESENT, Status.LEAVE, Status.ABSENT]
    assert [m.status for m in rows[p3.pk].marks] == [Status.UNMARKED] * 3
    assert rows[p1.pk].totals == {Status.PRESENT: 2, Status.LATE: 1, Status.EARLY_LEAVE: 0, Status.LEAVE: 0,
                                  Status.ABSENT: 0}
    assert rows[p2.pk].totals[Status.LEAVE] == rows[p2.pk].totals[Status.ABSENT] == 1
    assert [r.full_attendance for r in (rows[p0.pk], rows[p1.pk], rows[p2.pk], rows[p3.pk])] == [
        True, False, False, False]


def test_the_plenary_sheet_has_every_member_with_their_department_and_only_plenaries(alliance, november):
    a = alliance
    sheet = monthly_sheet(organisation=a.org, month=NOVEMBER, plenary=True)
    assert [s.pk for s in sheet.sessions] == [november["plenary"].pk]
    assert {r.person.pk for r in sheet.rows} == {p.pk for p in a.members}
    assert {r.department for r in sheet.rows} == {"宣传部", "办公室"}
    assert [r.department for r in sheet.rows] == sorted(r.department for r in sheet.rows)
    assert all(r.full_attendance and r.totals[Status.PRESENT] == 1 for r in sheet.rows)


def test_full_attendance_needs_at_least_one_session(alliance, november):
    a = alliance
    sheet = monthly_sheet(organisation=a.org, month=dt.date(2026, 10, 1), department=a.publicity)
    assert sheet.sessions == [] and len(sheet.rows) == 4
    assert not any(r.full_attendance for r in sheet.rows)
    # Someone not expected at a session has a blank there, and is not judged on it.
    late_joiner = MembershipFactory(tenant=a.tenant, organisation=a.org, department=a.publicity, term=a.term,
                                    start=dt.date(2026, 11, 21)).person
    sheet = monthly_sheet(organisation=a.org, month=NOVEMBER, department=a.publicity)
    row = next(r for r in sheet.rows if r.person.pk == late_joiner.pk)
    assert row.marks == [None, None, None] and not row.full_attendance


def test_the_sheet_takes_a_constant_number_of_queries(alliance, november):
    a = alliance

    def count():
        with CaptureQueriesContext(connection) as queries:
            monthly_sheet(organisation=a.org, month=NOVEMBER, department=a.publicity)
            monthly_sheet(organisation=a.org, month=NOVEMBER, plenary=True)
        return len(queries)

    before = count()
    for _ in range(10):
        MembershipFactory(tenant=a.tenant, organisation=a.org, department=a.publicity, term=a.term,
                          start=dt.date(2026, 9, 1))
    for day in (5, 12, 19, 26):
        _session(a, dt.date(2026, 11, day))
        _session(a, dt.date(2026, 11, day), kind=MeetingKind.PLENARY, hour=20)
    assert count() == before == 6


# --- Excel and PDF ---


def _table(book):
    """The header and the data rows of the sheet (below the title and the note, above the signatures)."""
    rows = list(book.active.iter_rows(values_only=True))
    data = []
    for row in rows[3:]:
        if not any(v not in (None, "") for v in row):
            break
        data.append(row)
    return rows, rows[2], data


def test_the_excel_carries_the_chinese_headers_and_the_marks(alliance, november):
    a = alliance
    sheet = monthly_sheet(organisation=a.org, month=NOVEMBER, department=a.publicity)
    book = load_workbook(io.BytesIO(exports.monthly_sheet_xlsx(sheet)), read_only=True)
    _rows, header, data = _table(book)
    assert header == ("姓名", "学号", "部门", "11-03 例会", "11-10 例会", "11-20 值班",
                      "出席", "迟到", "早退", "请假", "旷会", "全勤")
    by_name = {r[0]: r for r in data}
    p0, p1, p2, _p3 = a.members[:4]
    assert by_name[p0.name][1:] == (p0.number, "宣传部", "出席", "出席", "出席", 3, 0, 0, 0, 0, "是")
    assert by_name[p1.name][3:6] == ("出席", "迟到 5 分钟", "出席")  # not "迟到（迟到 5 分钟）"
    assert by_name[p2.name][5] == "旷会（迟到 12 分钟）"  # a late beyond the threshold, recorded as an absence


def test_the_excel_is_printable(alliance, november):
    """A title (school, organisation, month), widths that show an 11-digit student number, borders, the header
    frozen, A4 landscape fitted to the width with the title and header repeated on each page, lines to sign."""
    a = alliance
    p0 = a.members[0]
    p0.number = "20250501001"
    p0.save(update_fields=["number"])
    sheet = monthly_sheet(organisation=a.org, month=NOVEMBER, department=a.publicity)
    book = load_workbook(io.BytesIO(exports.monthly_sheet_xlsx(sheet)))
    ws = book.active
    rows, header, data = _table(book)
    assert rows[0][0] == f"{a.tenant.name} {a.org.name} 宣传部 2026年11月考勤表"
    assert "A1:L1" in {str(r) for r in ws.merged_cells.ranges}
    assert ws["A1"].font.b and ws["A3"].font.b and ws["A3"].fill.fgColor.rgb.endswith("E3E8EE")
    assert ws.column_dimensions["B"].width >= 13  # 11 digits, whole (Excel shows ### or cuts below ~12)
    assert all(ws.column_dimensions[c].width >= 9 for c in "DEF")  # "迟到 5 分钟" fits
    assert ws.freeze_panes == "D4"
    assert ws.print_title_rows == "$1:$3"  # repeated on every printed page
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9  # 9: A4
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    last = 3 + len(data)
    for cell in (ws["A3"], ws["L3"], ws[f"A{last}"], ws[f"L{last}"]):
        assert cell.border.left.style == cell.border.bottom.style == "thin", cell.coordinate
    assert "20250501001" in {r[1] for r in data}
    assert any("制表人" in str(r[0]) and "审核人" in str(r[0]) for r in rows[last:])


def test_a_name_that_looks_like_a_formula_stays_text(alliance, november):
    a = alliance
    p0 = a.members[0]
    p0.name = "=HYPERLINK(\"http://x\")"
    p0.save(update_fields=["name"])
    sheet = monthly_sheet(organisation=a.org, month=NOVEMBER, department=a.publicity)
    ws = load_workbook(io.BytesIO(exports.monthly_sheet_xlsx(sheet))).active
    cells = [row[0] for row in ws.iter_rows(min_row=4) if row[0].value == p0.name]
    assert cells and cells[0].data_type == "s"


pdf_tools = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils (pdftotext, pdffonts) missing")


@pdf_tools
def test_the_pdf_holds_the_names_as_text_with_an_embedded_cjk_font(alliance, november, tmp_path):
    a = alliance
    sheet = monthly_sheet(organisation=a.org, month=NOVEMBER, plenary=True)
    path = tmp_path / "monthly.pdf"
    path.write_bytes(exports.monthly_sheet_pdf(sheet))
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    flat = "".join(text.split())
    assert "朋辈互助联盟全体会议2026年11月考勤表" in flat and "√出席" in flat and "×旷会" in flat
    assert "".join(a.tenant.name.split()) in flat and "制表人" in flat and "审核人" in flat  # school; to sign
    for person in a.members:
        assert person.name in flat and person.number in flat
    cjk = [line for line in fonts.splitlines() if "CJK" in line]
    assert cjk and all(" yes " in line for line in cjk)
    page = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    assert "841.89 x 595.276" in page or "842 x 595" in page  # A4 landscape


# --- the pages ---


def _this_month():
    return local_date(timezone.now()).replace(day=1)


@pytest.fixture
def sheet_world(school):
    """A regular meeting of ``school.dept`` this month, and a second department with a head of its own."""
    with tenant_scope(school.tenant):
        start = timezone.localtime().replace(day=1, hour=19, minute=0, second=0, microsecond=0)
        services.meeting_create(organisation=school.org, kind=MeetingKind.DEPARTMENT, title="办公室例会", stars=2,
                                starts_at=start, ends_at=start + dt.timedelta(hours=1), audience=Audience.DEPARTMENT,
                                department=school.dept, user=school.office, now=timezone.now())
        school.other_dept = DepartmentFactory(tenant=school.tenant, organisation=school.org, name="外联部")
    return school


def _download(org, fmt="xlsx", month=None, **query):
    url = reverse("attendance:monthly_download", kwargs={
        "organisation_id": org.pk, "month": month or f"{_this_month():%Y-%m}", "fmt": fmt})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_the_monthly_page_by_persona(client, sheet_world):
    s = sheet_world
    url = reverse("attendance:monthly")
    for persona, status in {"office": 200, "head": 200, "admin": 200, "officer": 403, "counsellor": 403}.items():
        client.force_login(getattr(s, persona))
        assert client.get(url).status_code == status, persona
    client.force_login(s.office)
    html = client.get(url, {"organisation": s.org.pk, "sheet": s.dept.pk}).content.decode()
    assert "张晓雨" in html and "办公室例会" not in html and "例会" in html and _download(s.org, department=s.dept.pk
                                                                                     ).replace("&", "&amp;") in html
    client.force_login(s.head)  # only their department: no 全体会议 to choose
    response = client.get(url, {"sheet": "plenary"})
    assert response.context["key"] == str(s.dept.pk)
    assert [value for value, _label in response.context["choices"]] == [str(s.dept.pk)]


def test_the_meeting_list_links_the_monthly_sheet(client, sheet_world):
    client.force_login(sheet_world.head)
    assert reverse("attendance:monthly") in client.get(reverse("attendance:meeting_list")).content.decode()


def test_downloads_by_persona(client, sheet_world):
    s = sheet_world
    cases = [
        ("office", {"plenary": 1}, 200), ("office", {"department": s.dept.pk}, 200), ("admin", {}, 200),
        ("head", {"department": s.dept.pk}, 200), ("head", {"department": s.other_dept.pk}, 404),
        ("head", {"plenary": 1}, 404), ("officer", {"department": s.dept.pk}, 404),
        ("counsellor", {"department": s.dept.pk}, 404), ("other_admin", {"department": s.dept.pk}, 404),
    ]
    for persona, query, status in cases:
        client.force_login(getattr(s, persona))
        assert client.get(_download(s.org, **query)).status_code == status, (persona, query)
    client.force_login(s.other_admin)
    assert client.get(_download(s.other.org)).status_code == 200  # their own school's sheet opens
    client.logout()
    assert client.get(_download(s.org, department=s.dept.pk)).status_code in (302, 404)  # no school: no module


def test_the_download_is_a_named_excel_or_pdf(client, sheet_world):
    s = sheet_world
    client.force_login(s.head)
    response = client.get(_download(s.org, department=s.dept.pk))
    month = _this_month()
    name = f"{s.org.name}-办公室-{month.year}年{month.month}月考勤表.xlsx"
    assert response["Content-Disposition"].endswith(f"filename*=UTF-8''{quote(name)}")
    _rows, header, data = _table(load_workbook(io.BytesIO(b"".join(response.streaming_content))))
    assert header[:4] == ("姓名", "学号", "部门", f"{month:%m}-01 例会")
    assert "张晓雨" in {r[0] for r in data}
    if shutil.which("pdftotext"):
        response = client.get(_download(s.org, fmt="pdf", department=s.dept.pk))
        assert response["Content-Type"] == "application/pdf"
        assert b"".join(response.streaming_content).startswith(b"%PDF")


@pytest.mark.parametrize(("month", "fmt"), [("2026-13", "xlsx"), ("26-11", "xlsx"), ("2026-1", "pdf"),
                                            ("2026-11", "csv"), ("2026-11", "PDF")])
def test_a_bad_month_or_format_is_a_404(client, sheet_world, month, fmt):
    client.force_login(sheet_world.office)
    assert client.get(_download(sheet_world.org, fmt=fmt, month=month)).status_code == 404


def test_a_department_of_another_organisation_is_a_404(client, sheet_world):
    s = sheet_world
    with tenant_scope(s.tenant):
        foreign = DepartmentFactory(tenant=s.tenant, name="别的部门")  # of another organisation
    client.force_login(s.office)
    assert client.get(_download(s.org, department=foreign.pk)).status_code == 404
    assert client.get(_download(s.org, department="x")).status_code == 404
