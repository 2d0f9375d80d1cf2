"""Import jobs that lose their worker (issue 10, item 3) and the encoding choice on the job page (item 7).

A worker that dies leaves its job running with a lease that is no longer renewed: the job page and the periodic
scan mark it failed with a Chinese message, and it can be run again; the data stays all or nothing."""

import datetime as dt
import os
import signal
import threading
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from members import services, tasks
from members.imports.layouts import LAYOUTS
from members.models import ImportJob, ImportStatus, Person
from members.tests.import_pages import HEADERS, job_url, people_count, roster, student, the_job, upload
from members.tests.import_world import BIG5_NAMES, roster_csv
from members.tests.school import school_fixture  # noqa: F401 - the "school" fixture
from orgs.tenancy import tenant_scope


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def checked_job(client, school, eager, rows=None):
    client.force_login(school.admin)
    upload(client, eager, roster(rows or [student(school), student(school, number="2026990002", name="李四")]))
    job = the_job(school.tenant)
    assert job.status == ImportStatus.CHECKED
    return job


def worker_died(job, *, started=True):
    """What a worker killed after taking the job leaves behind: the job running, its lease run out."""
    past = timezone.now() - services.IMPORT_LEASE - dt.timedelta(seconds=1)
    with scopes_disabled():
        ImportJob.objects.filter(pk=job.pk).update(lease_until=past, heartbeat_at=past if started else None)


# --- detection and re-run ---


def test_a_commit_whose_worker_died_is_marked_failed_on_its_page_and_runs_again_once(client, school, eager):
    job = checked_job(client, school, eager)
    before = people_count(school.tenant)
    client.post(job_url("import_commit", job))  # confirmed; its task never runs (the worker is gone)
    job.refresh_from_db()
    assert job.status == ImportStatus.IMPORTING and job.lease_until > timezone.now()
    assert client.get(job_url("import_job_status", job)).json()["is_running"]  # the lease still holds
    worker_died(job)

    html = client.get(job_url("import_job", job)).content.decode()
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and "导入中断" in job.message and "没有导入任何数据" in job.message
    assert "导入中断" in html and job_url("import_retry", job) in html and "重新导入</button>" in html
    assert people_count(school.tenant) == before

    with eager():
        response = client.post(job_url("import_retry", job))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE and job.counts["new"] == 2 and job.attempt == 3
    assert people_count(school.tenant) == before + 2
    # a second retry is refused: the job is done
    client.post(job_url("import_retry", job))
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE and people_count(school.tenant) == before + 2


def test_the_status_poll_reports_a_lost_check_as_failed_and_the_check_runs_again(client, school, eager):
    client.force_login(school.admin)
    client.post(reverse("members:import_home"), {"kind": "students", "file": SimpleUploadedFile(
        "名册.xlsx", roster([student(school)]))})  # not eager: the check is queued, no worker takes it
    job = the_job(school.tenant)
    worker_died(job, started=False)
    state = client.get(job_url("import_job_status", job)).json()
    assert state["status"] == ImportStatus.FAILED and not state["is_running"]
    job.refresh_from_db()
    assert "检查一直没有开始" in job.message
    with eager():
        client.post(job_url("import_retry", job))
    job.refresh_from_db()
    assert job.status == ImportStatus.CHECKED and job.counts["new"] == 1


def test_the_periodic_scan_fails_every_schools_lost_jobs_and_leaves_live_ones(client, school, eager):
    lost = checked_job(client, school, eager)
    client.post(job_url("import_commit", lost))
    worker_died(lost)
    live = checked_job(client, school, eager, rows=[student(school, number="2026990009")])
    client.post(job_url("import_commit", live))  # its lease holds
    assert tasks.import_jobs_expire() == 1
    lost.refresh_from_db()
    live.refresh_from_db()
    assert lost.status == ImportStatus.FAILED and "导入中断" in lost.message and lost.lease_until is None
    assert live.status == ImportStatus.IMPORTING
    # a running job without any lease (left from before leases existed) is lost too
    with scopes_disabled():
        ImportJob.objects.filter(pk=live.pk).update(lease_until=None)
    assert services.import_jobs_expire(now=timezone.now()) == 1


def test_a_late_task_of_a_given_up_attempt_changes_nothing(client, school, eager):
    job = checked_job(client, school, eager)
    client.post(job_url("import_commit", job))
    job.refresh_from_db()
    stale = job.attempt
    worker_died(job)
    services.import_jobs_expire(now=timezone.now())
    with eager():
        client.post(job_url("import_retry", job))  # attempt stale + 1 runs and writes
    before = people_count(school.tenant)
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE
    with tenant_scope(school.tenant):  # e.g. redelivered after the worker's machine came back
        services.import_job_run(job=job, attempt=stale)
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE and people_count(school.tenant) == before


def test_the_import_tasks_have_time_limits_and_the_soft_one_fails_the_job_with_a_message(
        client, school, eager, monkeypatch):
    from celery.exceptions import SoftTimeLimitExceeded

    for task in (tasks.import_check, tasks.import_commit):
        assert 0 < task.soft_time_limit < task.time_limit
    job = checked_job(client, school, eager)

    def too_slow(*args, **kwargs):
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(services, "read_table", too_slow)
    with eager():
        client.post(job_url("import_commit", job))
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and "导入超时" in job.message


def test_the_beat_schedule_runs_the_scan(settings):
    assert any(entry["task"] == "members.tasks.import_jobs_expire" for entry in settings.CELERY_BEAT_SCHEDULE.values())


@pytest.mark.django_db(transaction=True)
def test_the_worker_renews_its_lease_while_it_works(school, monkeypatch):
    monkeypatch.setattr(services, "IMPORT_HEARTBEAT", dt.timedelta(seconds=0.05))
    seen = []
    real_read = services.read_table

    def slow(*args, **kwargs):
        for _ in range(8):
            time.sleep(0.05)
            with scopes_disabled():
                seen.append(ImportJob.objects.values_list("heartbeat_at", flat=True).get(pk=job.pk))
        return real_read(*args, **kwargs)

    monkeypatch.setattr(services, "read_table", slow)
    with scopes_disabled():
        job = ImportJob.objects.create(tenant=school.tenant, kind="students", uploaded_by=school.admin,
                                       original_name="名册.xlsx", attempt=1, lease_until=timezone.now())
        job.file.save("名册.xlsx", SimpleUploadedFile("名册.xlsx", roster([student(school)])))
        job = ImportJob.objects.select_related("tenant").get(pk=job.pk)
    with tenant_scope(school.tenant):
        services.import_job_check(job=job, attempt=1)
    assert job.status == ImportStatus.CHECKED and len(set(seen)) >= 3  # the heartbeat moved while reading
    assert threading.active_count() == 1 or not any(t.name.startswith("import-heartbeat") for t in
                                                    threading.enumerate())


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(os.environ.get("DATABASE_URL", "").startswith("postgres") is False,
                    reason="a forked worker needs a database another process can reach (PostgreSQL)")
def test_a_worker_killed_in_the_middle_of_writing_leaves_nothing_and_the_job_runs_again(school, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    rows = [student(school, number=f"20269{i:05d}", name=f"学生{i}") for i in range(3000)]
    with scopes_disabled():
        job = ImportJob.objects.create(tenant=school.tenant, kind="students", uploaded_by=school.admin,
                                       original_name="名册.xlsx", status=ImportStatus.IMPORTING, attempt=2,
                                       committed_by=school.admin, lease_until=timezone.now())
        job.file.save("名册.xlsx", SimpleUploadedFile("名册.xlsx", roster(rows, HEADERS)))
        before = Person.objects.filter(tenant=school.tenant).count()
    connections.close_all()
    pid = os.fork()
    if pid == 0:  # the worker: it writes the first batch, then the machine takes it down (SIGKILL)
        try:
            # Never use (or close) a database socket inherited from pytest: it may still be the parent's (a
            # connection another test left open in another context), and the child's half-written transaction
            # would then outlive the child on it and block the test database's flush for ever.
            for conn in connections.all():
                conn.connection, conn.closed_in_transaction, conn.in_atomic_block = None, False, False
                conn.savepoint_ids, conn.needs_rollback = [], False
            layout = LAYOUTS["students"]
            real_write = type(layout).write

            def write_then_die(self, tenant, plan):
                Person.objects.bulk_create([Person(tenant=tenant, number="20269XXXXX", name="半截", gender="M",
                                                   college_id=plan.new[0]["college_id"])])
                os.kill(os.getpid(), signal.SIGKILL)
                real_write(self, tenant, plan)

            type(layout).write = write_then_die
            with tenant_scope(school.tenant):
                services.import_job_run(job=ImportJob.objects.select_related("tenant").get(pk=job.pk), attempt=2)
        finally:
            os._exit(1)  # never return into pytest in the child, whatever happened
    _pid, status = os.waitpid(pid, 0)
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
    connection.ensure_connection()
    with scopes_disabled():
        job.refresh_from_db()
        assert job.status == ImportStatus.IMPORTING and job.heartbeat_at is not None  # taken, then lost
        assert Person.objects.filter(tenant=school.tenant).count() == before  # the half-written batch is gone
        later = job.lease_until + dt.timedelta(seconds=1)
        assert services.import_jobs_expire(now=later) == 1
        job.refresh_from_db()
        assert job.status == ImportStatus.FAILED and "导入中断" in job.message
        services.import_job_retry(job=job, user=school.admin, now=later)
        job = ImportJob.objects.select_related("tenant").get(pk=job.pk)
    with tenant_scope(school.tenant):
        services.import_job_run(job=job, attempt=job.attempt)
    with scopes_disabled():
        job.refresh_from_db()
        assert job.status == ImportStatus.DONE
        assert Person.objects.filter(tenant=school.tenant).count() == before + 3000


# --- the encoding choice on the page (item 7) ---


def test_a_big5_csv_asks_for_its_encoding_on_the_job_page_and_imports_right_once_chosen(client, school, eager):
    client.force_login(school.admin)
    content = roster_csv(BIG5_NAMES[:5], "cp950", college=school.class_a.college.code)
    upload(client, eager, content, name="名册.csv")
    job = the_job(school.tenant)
    assert job.status == ImportStatus.INVALID and "无法确定这个 CSV 文件的编码" in job.message
    html = client.get(job_url("import_job", job)).content.decode()
    assert "选择文件编码" in html and job_url("import_retry", job) in html
    assert 'value="big5" checked' in html and "2026000000,陳大文,男" in html and "看起来最像" in html

    with eager():
        client.post(job_url("import_retry", job), {"encoding": "big5"})
    job.refresh_from_db()
    assert job.status == ImportStatus.CHECKED and job.encoding == "big5" and job.counts["new"] == 5
    html = client.get(job_url("import_job", job)).content.decode()
    assert "请核对前几行" in html and "陳大文" in html and "Big5（繁体中文）" in html
    with eager():
        client.post(job_url("import_commit", job))
    with scopes_disabled():
        names = sorted(Person.objects.filter(tenant=school.tenant, number__startswith="2026000").values_list(
            "name", flat=True))
    assert names == sorted(BIG5_NAMES[:5])


def test_the_upload_form_takes_an_encoding_and_refuses_an_unknown_one(client, school, eager):
    client.force_login(school.admin)
    html = client.get(reverse("members:import_home")).content.decode()
    assert 'name="encoding"' in html and "Shift-JIS（日文）" in html
    content = roster_csv(BIG5_NAMES[:3], "cp950", college=school.class_a.college.code)
    with eager():
        client.post(reverse("members:import_home"), {"kind": "students", "encoding": "big5",
                                                     "file": SimpleUploadedFile("名册.csv", content)})
    job = the_job(school.tenant)
    assert job.status == ImportStatus.CHECKED and job.encoding == "big5"
    response = client.post(reverse("members:import_home"), {"kind": "students", "encoding": "ebcdic",
                                                            "file": SimpleUploadedFile("名册.csv", content)})
    assert response.status_code == 200 and "ebcdic" in response.content.decode()  # the form's own error
    response = client.post(job_url("import_retry", job), {"encoding": "ebcdic"})
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportStatus.CHECKED and job.encoding == "big5"


def test_a_nul_byte_deep_in_a_csv_is_listed_by_row_and_column_on_the_job_page(client, school, eager):
    college = school.class_a.college.name
    lines = ["学号,姓名,性别,学院"] + [f"2026{i:06d},学生{i},男,{college}" for i in range(300)]
    lines[250] = f"2026000249,学\x00生,男,{college}"
    client.force_login(school.admin)
    upload(client, eager, ("\r\n".join(lines) + "\r\n").encode(), name="名册.csv")
    job = the_job(school.tenant)
    assert job.status == ImportStatus.INVALID
    assert [(e["row"], e["column"]) for e in job.errors] == [(251, "姓名")]
    html = client.get(job_url("import_job", job)).content.decode()
    assert "第 251 行" in html and "NUL" in html
