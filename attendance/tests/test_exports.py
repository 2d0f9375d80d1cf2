"""The sign-in sheet PDF (AT-3): Chinese names as text, a CJK font embedded, blank and filled."""

import datetime as dt
import shutil
import subprocess

import pytest

from attendance import exports, services
from attendance.models import Attendance, Status
from attendance.tests.alliance import END, Alliance, plenary
from orgs.tenancy import tenant_scope

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils (pdftotext, pdffonts) missing")


@pytest.fixture
def alliance(db):
    alliance = Alliance()
    with tenant_scope(alliance.tenant):
        yield alliance


def _text(pdf: bytes, tmp_path) -> tuple[str, str]:
    path = tmp_path / "sheet.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True)
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True)
    return text.stdout, fonts.stdout


def test_the_blank_sheet_lists_every_expected_attendee_with_an_embedded_cjk_font(alliance, tmp_path):
    meeting = plenary(alliance)
    text, fonts = _text(exports.signin_sheet_pdf(meeting=meeting, filled=False), tmp_path)
    assert "签到表" in text and "本人签名" in text
    for person in alliance.members:
        assert person.name in text and person.number in text
    cjk = [line for line in fonts.splitlines() if "CJK" in line]
    assert cjk and all(" yes " in line for line in cjk)  # embedded


def test_the_filled_sheet_shows_each_mark(alliance, tmp_path):
    meeting = plenary(alliance)
    first, second = alliance.members[:2]
    services.attendance_mark(meeting=meeting, marks=[
        {"person": first.pk, "status": Status.LATE, "late_minutes": 12},
        {"person": second.pk, "status": Status.LEAVE},
    ], user=alliance.office, now=END + dt.timedelta(hours=1))
    assert Attendance.objects.get(meeting=meeting, person=first).status == Status.ABSENT
    text, _fonts = _text(exports.signin_sheet_pdf(meeting=meeting, filled=True), tmp_path)
    flat = "".join(text.split())  # a table cell may wrap
    assert "考勤表" in flat and "旷会（迟到12分钟）" in flat and "迟到超过10分钟记为旷会" in flat and "请假" in flat
