"""Exactly once with a real broker and real workers (issue 13, "Must hold"): Redis, PostgreSQL (a scratch
database of its own, never ``test``), Celery workers started as production starts them. Every duty task sent twice
in a row, twice at the same moment, and to a worker killed (SIGKILL, its whole process group) in the middle of a
scan whose task Redis then redelivers: each reminder and each notification exists once, each email is written once.

The workers load tests/duty_worker_settings.py: the project's settings plus a duty of the tests' own
(tests/duty_hook.py) — per school, two people each owe four items (three overdue, one due in an hour) with the
first user above them: 2 × (3 overdue + 1 before) + 2 × 3 overdue-above = 14 reminders, and 8 + 1 notifications
(what became overdue below the one above in one scan is one notice with the count); the two people asked for
email, so 8 emails — a Redis visibility timeout of 10 s (so the killed worker's task comes back within seconds) and
mails written to files. Skipped without PostgreSQL (DATABASE_URL) and Redis, like tests/test_loadbench.py.
"""

import json
import os
import signal
import subprocess
import sys
import time
import urllib.parse
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PER_SCHOOL = {"reminders": 14, "notifications": 9, "emails": 8}

SETUP = r"""
import json, sys
from django_scopes import scopes_disabled
from duties.models import NotificationSetting
from members.models import User
from orgs.models import Tenant
out = {}
with scopes_disabled():
    for slug in sys.argv[1:]:
        tenant = Tenant.objects.create(slug=slug, name=slug)
        User.objects.create_user(username=f"{slug}_boss", tenant=tenant, password=None)
        for n in (1, 2):
            user = User.objects.create_user(username=f"{slug}_doer{n}", tenant=tenant, password=None,
                                            email=f"{slug}{n}@example.edu.cn")
            NotificationSetting.objects.create(tenant=tenant, user=user, email=True)
        out[slug] = tenant.pk
    Tenant.objects.filter(slug="killed").update(is_active=False)  # out of scan_all's way until its step
print(json.dumps(out))
"""

SEND = r"""
import json, sys
from config.celery import app
ids = [app.send_task(name, args=args).id for name, args in json.loads(sys.argv[1])]
print(json.dumps(ids))
"""


def _database_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else None


def _redis_url() -> str | None:
    """Redis db 12 of the server REDIS_URL names (else 127.0.0.1:6379), if it answers (loadbench has 13, the
    runtime check 14)."""
    import redis

    parts = urllib.parse.urlsplit(os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0")
    if parts.scheme != "redis":
        return None
    url = urllib.parse.urlunsplit(parts._replace(path="/12"))
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError:
        return None
    return url


def _psql(url: str):
    import psycopg

    return psycopg.connect(url, autocommit=True, connect_timeout=10)


class Stack:
    """The scratch database, the Redis db and the workers of one test; ``close`` leaves nothing behind."""

    def __init__(self, tmp_path: Path, database_url: str, redis_url: str):
        self.tmp = tmp_path
        self.database = urllib.parse.urlunsplit(urllib.parse.urlsplit(database_url)._replace(
            path=f"/campus_delivery_test_{uuid.uuid4().hex[:10]}"))
        self.admin = urllib.parse.urlunsplit(urllib.parse.urlsplit(database_url)._replace(path="/postgres"))
        self.redis = redis_url
        self.mails, self.marks = tmp_path / "mails", tmp_path / "marks"
        self.mails.mkdir()
        self.marks.mkdir()
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CELERY_", "DUTY"))}
        self.env.update(DATABASE_URL=self.database, REDIS_URL=redis_url, DJANGO_VAR_DIR=str(tmp_path / "var"),
                        DJANGO_SETTINGS_MODULE="tests.duty_worker_settings", DUTY_TEST_VISIBILITY_TIMEOUT="10",
                        DUTY_TEST_MAIL_DIR=str(self.mails), DUTY_TEST_MARK=str(self.marks), DUTY_TEST_PEOPLE="2",
                        DUTY_TEST_FIRST="-7200", DUTY_TEST_STEP="3600", DUTY_TEST_ITEMS="4")
        self.workers: list[tuple[subprocess.Popen, Path]] = []
        with _psql(self.admin) as conn:
            conn.execute(f'CREATE DATABASE "{self._name}"')
        self._flush_redis()

    @property
    def _name(self) -> str:
        return urllib.parse.urlsplit(self.database).path.lstrip("/")

    def _flush_redis(self):
        import redis

        redis.Redis.from_url(self.redis).flushdb()

    def python(self, code: str, *args: str, timeout: float = 120) -> str:
        done = subprocess.run([sys.executable, "-c", f"import django; django.setup()\n{code}", *args], cwd=ROOT,
                              env=self.env, capture_output=True, text=True, timeout=timeout)
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""

    def manage(self, *args: str) -> None:
        done = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, capture_output=True,
                              text=True, timeout=300)
        assert done.returncode == 0, done.stderr[-3000:]

    def worker(self, name: str, concurrency: int, **extra: str) -> Path:
        """A worker as production starts one (no beat), in a process group of its own; waits until it is ready."""
        log = self.tmp / f"{name}.log"
        proc = subprocess.Popen(
            [str(Path(sys.executable).parent / "celery"), "-A", "config", "worker", "--loglevel", "INFO",
             "--pool", "prefork", "--concurrency", str(concurrency), "--hostname", f"{name}@%h",
             "--without-gossip", "--without-mingle", "--without-heartbeat"],
            cwd=ROOT, env={**self.env, **extra}, stdout=open(log, "wb"), stderr=subprocess.STDOUT,  # noqa: SIM115
            stdin=subprocess.DEVNULL, start_new_session=True)
        self.workers.append((proc, log))
        self.wait(lambda: "ready." in log.read_text(errors="replace"), f"worker {name} ready", 60, log)
        return log

    def kill(self, log: Path, sig=signal.SIGKILL) -> None:
        for proc, path in self.workers:
            if path == log and proc.poll() is None:
                os.killpg(proc.pid, sig)  # the main process and its pool children at once
                proc.wait(60)

    def send(self, *calls: tuple[str, list]) -> list[str]:
        return json.loads(self.python(SEND, json.dumps(calls)))

    def wait(self, check, what: str, seconds: float, log: Path | None = None) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if check():
                return
            time.sleep(0.3)
        tail = log.read_text(errors="replace")[-4000:] if log else ""
        pytest.fail(f"no {what} within {seconds} s\n{tail}")

    def counts(self, tenant_id: int) -> dict:
        with _psql(self.database) as conn:
            one = lambda sql: conn.execute(sql, [tenant_id]).fetchone()[0]  # noqa: E731
            return {
                "reminders": one("SELECT count(*) FROM duties_reminder WHERE tenant_id = %s"),
                "skipped": one("SELECT count(*) FROM duties_reminder WHERE tenant_id = %s AND skipped"),
                "unclaimed": one("SELECT count(*) FROM duties_reminder WHERE tenant_id = %s AND claimed_at IS NULL"),
                "notifications": one("SELECT count(*) FROM duties_notification WHERE tenant_id = %s"),
                "duplicate_notifications": one(
                    "SELECT count(*) FROM (SELECT user_id, title, body FROM duties_notification WHERE tenant_id = %s"
                    " GROUP BY user_id, title, body HAVING count(*) > 1) d"),
                "emails_sent": one("SELECT count(*) FROM duties_notification WHERE tenant_id = %s"
                                   " AND email_state = 'sent'"),
                "emails_attempts": one("SELECT coalesce(sum(email_attempts), 0) FROM duties_notification"
                                       " WHERE tenant_id = %s"),
            }

    def emails_to(self, slug: str) -> int:
        return sum(path.read_text(errors="replace").count(f"To: {slug}") for path in self.mails.iterdir())

    def scans(self, tenant_id: int) -> list[Path]:
        return sorted(self.marks.glob(f"scan-{tenant_id}-*"), key=lambda p: p.stat().st_mtime)

    def close(self) -> None:
        for proc, _log in self.workers:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc, _log in self.workers:
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(10)
        with _psql(self.admin) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self._name}" WITH (FORCE)')
        self._flush_redis()


@pytest.fixture
def stack(tmp_path):
    database_url = _database_url()
    if database_url is None:
        pytest.skip("needs PostgreSQL: DATABASE_URL is not a postgres:// URL")
    redis_url = _redis_url()
    if redis_url is None:
        pytest.skip("needs Redis: none answers at REDIS_URL (or 127.0.0.1:6379)")
    built = Stack(tmp_path, database_url, redis_url)
    try:
        built.manage("migrate", "--noinput", "-v", "0")
        yield built
    finally:
        built.close()


def _succeeded(log: Path, task: str) -> int:
    return sum(1 for line in log.read_text(errors="replace").splitlines()
               if f"Task {task}[" in line and "] succeeded" in line)


def _once(stack: Stack, slug: str, tenant_id: int, log: Path) -> None:
    """The school's reminders, notifications and emails are all there, each once (waits for the emails)."""
    stack.wait(lambda: stack.counts(tenant_id)["emails_sent"] >= PER_SCHOOL["emails"], f"{slug}'s emails", 60, log)
    time.sleep(1)  # a duplicate, if there were one, has had its moment
    counts = stack.counts(tenant_id)
    assert (counts["reminders"], counts["notifications"], counts["emails_sent"]) == (
        PER_SCHOOL["reminders"], PER_SCHOOL["notifications"], PER_SCHOOL["emails"]), (slug, counts)
    assert counts["unclaimed"] == 0 and counts["duplicate_notifications"] == 0, (slug, counts)
    assert counts["emails_attempts"] == PER_SCHOOL["emails"], (slug, counts)  # never a second try
    assert stack.emails_to(slug) == PER_SCHOOL["emails"], slug


def test_each_reminder_notification_and_email_exists_once_whatever_the_workers_do(stack):
    schools = json.loads(stack.python(SETUP, "twice_in_a_row", "at_once", "killed", "emailed_twice"))

    # 1. twice in a row
    log = stack.worker("w1", concurrency=2, DUTY_TEST_SLEEP="2")
    a = schools["twice_in_a_row"]
    for n in (1, 2):
        stack.send(("duties.tasks.scan", [a]))
        stack.wait(lambda n=n: _succeeded(log, "duties.tasks.scan") >= n, f"scan {n} of twice_in_a_row", 60, log)
    _once(stack, "twice_in_a_row", a, log)

    # 2. twice at the same moment: two pool processes, both in the duty's collect (2 s) together
    b = schools["at_once"]
    stack.send(("duties.tasks.scan", [b]), ("duties.tasks.scan", [b]))
    stack.wait(lambda: _succeeded(log, "duties.tasks.scan") >= 4, "the two scans of at_once", 60, log)
    first, second = (path.stat().st_mtime for path in stack.scans(b))
    assert second - first < 2, "the two scans did not overlap"
    _once(stack, "at_once", b, log)

    # 3. an email task sent twice, at once and again after: one email
    e = schools["emailed_twice"]
    stack.send(("duties.tasks.scan", [e]))
    stack.wait(lambda: stack.counts(e)["emails_sent"] >= PER_SCHOOL["emails"], "emailed_twice's emails", 60, log)
    with _psql(stack.database) as conn:
        ids = [row[0] for row in conn.execute(
            "SELECT id FROM duties_notification WHERE tenant_id = %s AND email_state = 'sent'", [e])]
    done = _succeeded(log, "duties.tasks.notification_email")
    stack.send(*[("duties.tasks.notification_email", [e, pk]) for pk in ids for _ in (1, 2)])
    stack.wait(lambda: _succeeded(log, "duties.tasks.notification_email") >= done + 2 * len(ids),
               "the duplicated email tasks", 60, log)
    _once(stack, "emailed_twice", e, log)

    # 4. every scheduled duty job twice at once: nothing new anywhere
    before = {slug: stack.counts(pk) for slug, pk in schools.items() if slug != "killed"}
    stack.send(("duties.tasks.scan_all", []), ("duties.tasks.scan_all", []),
               ("duties.tasks.emails_sweep", []), ("duties.tasks.emails_sweep", []))
    stack.wait(lambda: _succeeded(log, "duties.tasks.emails_sweep") >= 2 and _succeeded(
        log, "duties.tasks.scan") >= 5 + 2 * (len(schools) - 1), "scan_all's scans and the sweeps", 90, log)
    killed = schools["killed"]
    for slug, pk in schools.items():
        if slug != "killed":
            _once(stack, slug, pk, log)
            assert stack.counts(pk) == before[slug], slug
    assert stack.counts(killed)["reminders"] == 0  # inactive: scan_all passed it by
    stack.kill(log, signal.SIGTERM)

    # 5. a worker killed in the middle of a scan (SIGKILL to it and its pool): Redis redelivers the task to the
    # next worker once the visibility timeout (10 s here) has passed; its scan creates everything, once
    with _psql(stack.database) as conn:
        conn.execute("UPDATE orgs_tenant SET is_active = true WHERE id = %s", [killed])
    slow = stack.worker("doomed", concurrency=1, DUTY_TEST_SLEEP="60")
    marks = len(stack.scans(killed))
    (task_id,) = stack.send(("duties.tasks.scan", [killed]))
    stack.wait(lambda: len(stack.scans(killed)) > marks, "the doomed worker's scan to start", 30, slow)
    stack.kill(slow)
    assert f"Task duties.tasks.scan[{task_id}] succeeded" not in slow.read_text(errors="replace")
    assert stack.counts(killed)["reminders"] == 0  # its transaction died with it
    log2 = stack.worker("w2", concurrency=2)
    stack.wait(lambda: f"Task duties.tasks.scan[{task_id}] succeeded" in log2.read_text(errors="replace"),
               "the redelivered scan", 90, log2)
    _once(stack, "killed", killed, log2)
    for log_path in (log, log2):
        text = log_path.read_text(errors="replace")
        assert "Traceback" not in text and " ERROR/" not in text, text[-3000:]
