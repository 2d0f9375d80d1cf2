"""A task file past the school's limit is stopped while it arrives (orgs/uploads.py): of a 300 MB body the server
reads little more than the limit, saves nothing and tells the member why; a file whose content is not its
extension's (an .exe renamed .pdf) is refused in Chinese."""

import pytest
from django.urls import reverse

from attendance.models import TaskAttachment
from attendance.tests.task_world import assignment_of, make_task, set_max_mb, upload
from members.tests.school import school_fixture  # noqa: F401 - the "school" fixture
from orgs.tenancy import tenant_scope
from orgs.tests.uploads import EXE, multipart_body, stream_post
from orgs.uploads import DRAIN_MB, MB


@pytest.fixture
def mine(school):
    return assignment_of(school, make_task(school), school.officer)


def _submit_url(assignment):
    return reverse("attendance:task_submit", kwargs={"taskassignment_id": assignment.pk})


def _nothing_saved(school, assignment):
    assert assignment_of(school, assignment.task, school.officer).submitted_at is None
    with tenant_scope(school.tenant):
        assert not TaskAttachment.objects.exists()


def test_a_300_mb_file_is_stopped_at_the_limit_and_nothing_is_saved(client, school, mine):
    set_max_mb(school, 1)
    client.force_login(school.officer)
    body = multipart_body({"note": "见附件"}, "files", "大文件.pdf", 300 * MB)
    response = stream_post(client, _submit_url(mine), body)
    assert response.status_code == 302 and response["Location"].endswith("#tasks")
    assert body.position < 2 * MB, f"read {body.position / MB:.1f} MB of a {body.length / MB:.0f} MB body"
    _nothing_saved(school, mine)
    html = client.get(response["Location"]).content.decode()
    assert "文件“大文件.pdf”超过 1 MB 的上限" in html


def test_a_file_just_over_the_limit_is_read_to_the_end_so_the_page_reaches_the_browser(client, school, mine):
    set_max_mb(school, 1)
    client.force_login(school.officer)
    body = multipart_body({"note": "见附件"}, "files", "略大.pdf", 2 * MB)
    response = stream_post(client, _submit_url(mine), body)
    assert response.status_code == 302 and body.position == body.length <= (1 * 5 + DRAIN_MB) * MB
    _nothing_saved(school, mine)


def test_a_file_under_the_limit_is_kept(client, school, mine):
    set_max_mb(school, 1)
    client.force_login(school.officer)
    body = multipart_body({"note": "见附件"}, "files", "总结.txt", MB // 2)
    assert stream_post(client, _submit_url(mine), body).status_code == 302
    with tenant_scope(school.tenant):
        assert TaskAttachment.objects.get().size == MB // 2


def test_a_large_file_sent_where_no_file_is_taken_is_a_400(client, school, mine):
    client.force_login(school.officer)
    body = multipart_body({"note": "x"}, "files", "x.pdf", 300 * MB)
    response = stream_post(client, reverse("attendance:task_acknowledge",
                                           kwargs={"taskassignment_id": mine.pk}), body)
    assert response.status_code == 400 and body.position < 4 * MB


@pytest.mark.parametrize(("name", "content", "message"), [
    ("总结.pdf", EXE, "文件“总结.pdf”的内容与扩展名 .pdf 不符"),
    ("工具.exe", EXE, "不支持“工具.exe”的文件类型"),
])
def test_a_file_whose_content_is_not_its_extensions_is_refused(client, school, mine, name, content, message):
    client.force_login(school.officer)
    response = client.post(_submit_url(mine), {"note": "x", "files": [upload(name, content)]}, follow=True)
    assert message in response.content.decode()
    _nothing_saved(school, mine)
