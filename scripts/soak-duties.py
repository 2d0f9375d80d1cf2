#!/usr/bin/env python3
"""Soak run of the duty engine (issue 13; docs/benchmarks.md, "Duty soak run"): beat fires the scan every few
seconds for some minutes on one broker, then count what happened.

    scripts/soak-duties.py --broker filesystem --minutes 10 --seconds 10   # as `make run`: SQLite, -B
    scripts/soak-duties.py --broker redis --minutes 10 --seconds 10        # as production: PostgreSQL + Redis

The committed tree (HEAD, git archive) runs in a scratch folder with its own database (a SQLite file, or a
scratch PostgreSQL database on the server of --database-url, dropped afterwards) and its own broker (a filesystem
queue, or a Redis db flushed before and after): migrate, seed_demo, then the real launch script —
scripts/run-demo.sh (web + one worker with embedded beat) or scripts/run-production-layout.sh (gunicorn, a worker,
exactly one beat) — both of which run install_schedule. The workers load tests/duty_worker_settings.py, which adds
a duty of the tests' own (tests/duty_hook.py) whose items fall due one after another during the run, so reminders
(before the due time, then overdue and overdue-above) keep being created while the scans repeat; the first three
people of each school also ask for email, written to files by the worker.

Reported: scans (beat's run count of duties-scan, scan_all and scan tasks in the worker log, and scans per school
counted by the duty's collect), reminders and notifications per school, duplicates (rows sharing (tenant, duty,
subject, period, user, kind) — the unique constraint makes 0 the only possible answer — and (tenant, user, duty)
groups whose notifications differ from their sent reminders: one each, except the overdue-above ones, rolled up
into one notice per person, duty and scan), reminders still unclaimed, emails (files vs
notifications marked sent), and ERROR / Traceback lines in the logs. Exit 1 if anything is duplicated, missing or
logged as an error.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import secrets
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import loadbench  # noqa: E402 - its scratch-database, Redis and process helpers

PEOPLE = 3  # responsible people per school (the duty's DUTY_TEST_PEOPLE)
FIRST = 90  # seconds from the start of the services to the first item's due time

MEASURE = r"""
import json, os
from collections import Counter
from django.db.models import Count
from django_celery_beat.models import PeriodicTask
from django_scopes import scopes_disabled
from duties.models import Notification, Reminder
from orgs.models import Tenant
from django.utils import translation
from django.utils.translation import gettext
with translation.override("zh-hans"):
    ABOVE_TITLE = gettext("下属事项逾期：%(label)s").split("%")[0]
with scopes_disabled():
    task = PeriodicTask.objects.get(name="duties-scan")
    out = {"beat": {"total_run_count": task.total_run_count, "last_run_at": str(task.last_run_at),
                    "every_seconds": task.interval.every if task.interval else None}, "schools": {}}
    for tenant in Tenant.objects.filter(is_active=True).order_by("pk"):
        reminders = Reminder.objects.filter(tenant=tenant)
        notes = Notification.objects.filter(tenant=tenant)
        keys = ["duty", "subject", "period", "user", "kind"]
        dupes = reminders.values(*keys).annotate(n=Count("pk")).filter(n__gt=1).count()
        # one notification per reminder sent, except what became overdue below someone: one notice per
        # (person, duty) per scan (services.rollup_text), so one per distinct claim time of those reminders
        sent_rows = reminders.filter(claimed_at__isnull=False, skipped=False)
        sent = Counter(sent_rows.exclude(kind="overdue_above").values_list("user_id", "duty"))
        sent.update(Counter((u, d, "above") for u, d, _claimed_at in set(
            sent_rows.filter(kind="overdue_above").values_list("user_id", "duty", "claimed_at"))))
        above = notes.filter(title__startswith=ABOVE_TITLE)
        got = Counter(notes.exclude(pk__in=above).values_list("user_id", "duty"))
        got.update(Counter((u, d, "above") for u, d in above.values_list("user_id", "duty")))
        out["schools"][tenant.slug] = {
            "pk": tenant.pk,
            "reminders": reminders.count(),
            "reminders_by_kind": dict(Counter(reminders.values_list("kind", flat=True))),
            "unclaimed": reminders.filter(claimed_at__isnull=True).count(),
            "skipped": reminders.filter(skipped=True).count(),
            "notifications": notes.count(),
            "duplicate_reminders": dupes,
            "groups_notifications_not_reminders": sum(1 for k in set(sent) | set(got) if sent[k] != got[k]),
            "emails_sent": notes.filter(email_state="sent").count(),
            "emails_not_sent": notes.exclude(email_state__in=["none", "sent"]).count(),
        }
print(json.dumps(out))
"""

EMAIL_ON = r"""
from django_scopes import scopes_disabled
from duties.models import NotificationSetting
from members.models import User
from orgs.models import Tenant
with scopes_disabled():
    for tenant in Tenant.objects.filter(is_active=True):
        users = list(User.objects.filter(tenant=tenant, is_active=True).order_by("pk")[:PEOPLE + 1])
        for user in users[1:]:
            if not user.email:
                user.email = f"soak{user.pk}@example.edu.cn"
                user.save(update_fields=["email"])
            NotificationSetting.objects.update_or_create(tenant=tenant, user=user, defaults={"email": True})
""".replace("PEOPLE", str(PEOPLE))


def _say(message: str) -> None:
    print(f"[soak {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


class Launch(loadbench.Layout):
    """A launch script (run-demo.sh or run-production-layout.sh) in a session of its own, its output in a log;
    loadbench's Layout stops it (SIGTERM to the script, which stops its services; SIGKILL to what is left)."""

    def __init__(self, script: str, env: dict[str, str], log_path: Path, tree: Path):
        self.log_path = log_path
        self.log = open(log_path, "wb")  # noqa: SIM115 (closed in stop)
        self.proc = subprocess.Popen(["bash", script], cwd=tree, env=env, stdout=self.log,  # noqa: S603, S607
                                     stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
        self.pgids = {}


def _manage(tree: Path, env: dict[str, str], *args: str, timeout: float = 300) -> str:
    done = subprocess.run([sys.executable, "manage.py", *args], cwd=tree, env=env, capture_output=True,  # noqa: S603
                          text=True, timeout=timeout)
    if done.returncode != 0:
        raise loadbench.Abort(f"manage.py {' '.join(args)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}")
    return done.stdout


def arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--broker", choices=["filesystem", "redis"], required=True)
    parser.add_argument("--minutes", type=float, default=10, help="how long beat runs (default 10)")
    parser.add_argument("--seconds", type=int, default=10, help="DUTIES_SCAN_SECONDS, the scan's period (default 10)")
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/postgres",
                        help="redis: the PostgreSQL server (a scratch database is created on it and dropped)")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/11", help="redis: the Redis db (flushed)")
    parser.add_argument("--var-dir", type=Path, help="the scratch folder (default: a new temporary one, kept)")
    parser.add_argument("--json", type=Path, help="write the report here too")
    return parser.parse_args(argv)


def run(args: argparse.Namespace) -> dict:
    var = args.var_dir or Path(tempfile.mkdtemp(prefix=f"campus-soak-{args.broker}-"))
    var.mkdir(parents=True, exist_ok=True)
    tree = var / "tree"
    commit = loadbench._export_commit("HEAD", tree)
    marks, mails = var / "marks", var / "mails"
    marks.mkdir(exist_ok=True)
    mails.mkdir(exist_ok=True)
    step = max(3 * args.seconds, 30)  # a new item falls due every `step` seconds through the run
    items = int(args.minutes * 60 // step)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CELERY_", "WEB_", "DUTY"))}
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    env.update(VENV=str(Path(sys.executable).parent.parent), DJANGO_VAR_DIR=str(var / "var"),
               DJANGO_SETTINGS_MODULE="tests.duty_worker_settings", DUTIES_SCAN_SECONDS=str(args.seconds),
               DUTY_TEST_FIRST=str(FIRST), DUTY_TEST_STEP=str(step),
               DUTY_TEST_ITEMS=str(items), DUTY_TEST_PEOPLE=str(PEOPLE), DUTY_TEST_MARK=str(marks),
               DUTY_TEST_MAIL_DIR=str(mails), CELERY_CONCURRENCY="2")
    database = None
    if args.broker == "filesystem":
        env["DATABASE_URL"] = f"sqlite:///{var / 'soak.sqlite3'}"
        env["RUN_ADDR"] = f"127.0.0.1:{loadbench._free_port('127.0.0.1')}"
        script = "scripts/run-demo.sh"
    else:
        if not loadbench._redis_answers(args.redis_url):
            raise loadbench.Abort(f"no Redis at {args.redis_url}")
        database = args.database_url.rsplit("/", 1)[0] + f"/campus_soak_{uuid.uuid4().hex[:10]}"
        loadbench.create_database(database)
        loadbench.flush_redis(args.redis_url)
        env.update(DATABASE_URL=database, REDIS_URL=args.redis_url,
                   WEB_BIND=f"127.0.0.1:{loadbench._free_port('127.0.0.1')}", WEB_CONCURRENCY="1",
                   DJANGO_SECRET_KEY=secrets.token_urlsafe(60), DJANGO_ALLOWED_HOSTS="campus.example.edu.cn")
        script = "scripts/run-production-layout.sh"
    launch = None
    try:
        seed_env = {k: v for k, v in env.items() if k not in ("DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS")}
        _manage(tree, seed_env, "migrate", "--noinput", "-v", "0")
        _manage(tree, seed_env, "seed_demo", "--quiet")
        _manage(tree, seed_env, "shell", "-c", EMAIL_ON)
        _say(f"{args.broker}: {commit} in {var}; beat every {args.seconds} s for {args.minutes} min; "
             f"{items} items per person, one due every {step} s")
        env["DUTY_TEST_ANCHOR"] = dt.datetime.now(dt.UTC).isoformat()  # the items' clock starts now
        launch = Launch(script, env, var / "launch.log", tree)
        deadline = time.monotonic() + args.minutes * 60
        while time.monotonic() < deadline:
            if not launch.alive():
                raise loadbench.Abort(f"{script} exited:\n{launch.tail(60)}")
            time.sleep(5)
        launch.stop()
        # the last scan's email tasks are done by now; the worker stopped warm (SIGTERM)
        log = launch.text()
        measured = json.loads(_manage(tree, seed_env, "shell", "-c", MEASURE).strip().splitlines()[-1])
    finally:
        if launch is not None and launch.alive():
            launch.stop()
        if database:
            loadbench.drop_database(database)
            loadbench.flush_redis(args.redis_url)
    scans_by_school: dict[int, int] = {}
    for mark in marks.iterdir():
        pk = int(mark.name.split("-")[1])
        scans_by_school[pk] = scans_by_school.get(pk, 0) + 1
    errors = [line for line in log.splitlines() if re.search(r"\bERROR\b|Traceback|CRITICAL", line)]
    emails = sum(1 for path in mails.iterdir() for line in path.read_text(errors="replace").splitlines()
                 if line.startswith("Message-ID:"))
    schools = measured["schools"]
    for school in schools.values():
        school["scans"] = scans_by_school.get(school["pk"], 0)
    # every item due before the end owes its person a reminder before and one overdue, and the one above one
    # (with a margin of two scans and the start-up)
    due_by_end = sum(1 for k in range(items) if FIRST + k * step <= args.minutes * 60 - 2 * args.seconds - 30)
    report = {
        "broker": args.broker, "commit": commit, "minutes": args.minutes, "scan_seconds": args.seconds,
        "var_dir": str(var), "items_per_person": items, "items_due_by_the_end": due_by_end,
        "beat": measured["beat"],
        "worker_log": {"scan_all_succeeded": len(re.findall(r"Task duties\.tasks\.scan_all\[[^\]]+\] succeeded", log)),
                       "scan_succeeded": len(re.findall(r"Task duties\.tasks\.scan\[[^\]]+\] succeeded", log)),
                       "email_succeeded": len(re.findall(r"Task duties\.tasks\.notification_email\[[^\]]+\] "
                                                         r"succeeded", log)),
                       "error_lines": len(errors), "first_errors": errors[:10]},
        "schools": schools,
        "totals": {key: sum(s[key] for s in schools.values())
                   for key in ("scans", "reminders", "notifications", "unclaimed", "skipped", "duplicate_reminders",
                               "groups_notifications_not_reminders", "emails_sent", "emails_not_sent")},
        "email_messages_written": emails,
    }
    report["totals"]["expected_reminders_at_least"] = len(schools) * PEOPLE * (items + 2 * due_by_end)
    return report


def main(argv: list[str]) -> int:
    args = arguments(argv)
    try:
        report = run(args)
    except loadbench.Abort as error:
        _say(f"aborted: {error}")
        return 2
    text = json.dumps(report, indent=2, ensure_ascii=False)
    print(text)
    if args.json:
        args.json.write_text(text)
    totals = report["totals"]
    ok = (totals["duplicate_reminders"] == 0 and totals["groups_notifications_not_reminders"] == 0
          and totals["unclaimed"] == 0 and report["worker_log"]["error_lines"] == 0
          and report["email_messages_written"] == totals["emails_sent"]
          and totals["reminders"] >= totals["expected_reminders_at_least"] and report["beat"]["total_run_count"] > 0)
    _say("OK" if ok else "FAILED: see the report")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
