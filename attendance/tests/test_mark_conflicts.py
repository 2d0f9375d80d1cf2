"""The marks endpoint when the page is out of date (another user changed the row: a 409 with the current rows,
nothing saved) and when the body carries values no form would send (a 400 with a Chinese message, never a 500).
The threaded tests are in tests/test_concurrent_marks.py."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from attendance import services
from attendance.models import Status
from attendance.tests.mark_world import _changes, _meeting, _post_marks, _rows
from members.tests.school import school_fixture  # noqa: F401 - the "school" fixture
from orgs.tenancy import tenant_scope


@pytest.fixture
def meeting(school):
    return _meeting(school)


def test_a_mark_on_a_row_someone_changed_since_is_a_409_with_the_current_row(client, school, meeting):
    client.force_login(school.office)
    x, officer = school.student_x.pk, school.officer.person_id
    first = _post_marks(client, meeting, [{"person": x, "status": "present", "version": 0}])
    assert first.status_code == 200 and first.json()["rows"][0]["version"] == 1
    # a second office page, still showing version 0, marks the same person absent (and someone else too)
    response = _post_marks(client, meeting, [{"person": officer, "status": "leave", "version": 0},
                                             {"person": x, "status": "absent", "version": 0}])
    assert response.status_code == 409
    body = response.json()
    assert body["error"].startswith("已被他人修改")
    assert body["stale"] == [{"person": x, "status": "present", "status_label": "出席", "late_minutes": None,
                              "late_as_absence": False, "version": 1}]
    rows = _rows(school, meeting)
    assert rows[x].status == Status.PRESENT and rows[officer].status == Status.UNMARKED  # nothing of the batch
    assert _changes(school) == 1
    # applying it again on the version now shown saves it
    again = _post_marks(client, meeting, [{"person": x, "status": "absent", "version": 1}])
    assert again.status_code == 200 and again.json()["rows"][0] == {
        "person": x, "status": "absent", "status_label": "旷会", "late_minutes": None, "late_as_absence": False,
        "version": 2}


def test_a_stale_version_asking_for_what_the_row_already_holds_is_fine(client, school, meeting):
    """Two pages marking the same person present: the second is a harmless no-op, not a conflict."""
    client.force_login(school.office)
    x = school.student_x.pk
    assert _post_marks(client, meeting, [{"person": x, "status": "present", "version": 0}]).status_code == 200
    response = _post_marks(client, meeting, [{"person": x, "status": "present", "version": 0}])
    assert response.status_code == 200 and response.json()["rows"][0]["version"] == 1
    assert _changes(school) == 1


@pytest.mark.parametrize(("mark", "message"), [
    ({"status": []}, "未知的考勤状态。"),
    ({"status": {"x": 1}}, "未知的考勤状态。"),
    ({"status": None}, "未知的考勤状态。"),
    ({"status": "late", "late_minutes": 1e999}, "迟到分钟数须为整数。"),  # JSON's 1e999 is an infinite float
    ({"status": "late", "late_minutes": 2.5}, "迟到分钟数须为整数。"),
    ({"status": "late", "late_minutes": True}, "迟到分钟数须为整数。"),
    ({"status": "late", "late_minutes": [5]}, "迟到分钟数须为整数。"),
    ({"status": "late", "late_minutes": "abc"}, "迟到分钟数须为整数。"),
    ({"status": "late", "late_minutes": 40000}, "迟到分钟数不能超过 1440。"),  # PostgreSQL's smallint: 32767
    ({"status": "late", "late_minutes": 10**30}, "迟到分钟数不能超过 1440。"),
])
def test_values_no_form_would_send_are_a_400_in_chinese(client, school, meeting, mark, message):
    client.force_login(school.office)
    body = json.dumps({"marks": [{"person": school.officer.person_id, **mark}]}).replace("Infinity", "1e999")
    response = client.post(reverse("attendance:meeting_marks", kwargs={"meeting_id": meeting.pk}), data=body,
                           content_type="application/json")
    assert response.status_code == 400 and response.json()["error"] == message
    assert _changes(school) == 0


@pytest.mark.parametrize("marks", [
    [{"person": 2**63, "status": "present"}],
    [{"person": 10**30, "status": "present"}],
    [{"person": -1, "status": "present"}],
    [{"person": 0, "status": "present"}],
    [{"person": 1.5, "status": "present"}],
    [{"person": True, "status": "present"}],
    [{"person": 1, "status": "present", "version": 2**64}],
    [{"person": 1, "status": "present", "version": "1"}],
    [{"person": 1, "status": "present", "version": -1}],
])
def test_ids_that_fit_no_row_are_a_400_in_chinese(client, school, meeting, marks):
    client.force_login(school.office)
    response = _post_marks(client, meeting, marks)
    assert response.status_code == 400 and response.json()["error"] == "请求格式不正确。"


def test_the_same_person_twice_in_one_save_is_refused(client, school, meeting):
    client.force_login(school.office)
    x = school.student_x.pk
    response = _post_marks(client, meeting, [{"person": x, "status": "absent"}, {"person": x, "status": "present"}])
    assert response.status_code == 400 and response.json()["error"] == "同一人在一次保存中只能出现一次。"
    assert _changes(school) == 0


def test_the_service_refuses_an_id_beyond_the_database_too(school, meeting):
    """Whoever calls the service (not only the JSON view) gets a Chinese error, not an OverflowError."""
    with tenant_scope(school.tenant), pytest.raises(ValidationError, match="此人不是本次会议的应到人员"):
        services.attendance_mark(meeting=meeting, marks=[{"person": 2**64, "status": "present"}],
                                 user=school.office, now=timezone.now())
