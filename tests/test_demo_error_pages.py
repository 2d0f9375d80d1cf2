"""The demo (`make run`, scripts/run-demo.sh) shows the product's own Chinese 404 and 500 pages, not Django's
technical pages: it runs with DEBUG off and DJANGO_DEMO on, which still serves the static files from the source
folders over plain HTTP with the built-in key. Checked in a fresh process with exactly the demo's variables."""

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROJECT_VARS = ("DJANGO_", "DATABASE_URL", "REDIS_URL", "DB_CONN_MAX_AGE", "CELERY_", "DEMO_PASSWORD")

PROBE = r'''
import django, json
django.setup()
from django.conf import settings
from django.test import Client, RequestFactory
from django.urls import get_resolver
client = Client()
missing = client.get("/no-such-page/")
css = client.get("/static/css/app.css")
error = get_resolver().resolve_error_handler(500)(RequestFactory().get("/"))
print(json.dumps({
    "debug": settings.DEBUG, "demo": settings.DEMO, "ssl_redirect": settings.SECURE_SSL_REDIRECT,
    "missing": [missing.status_code, missing.content.decode()],
    "css": [css.status_code, b"".join(css.streaming_content).decode()[:200] if css.status_code == 200 else ""],
    "error": [error.status_code, error.content.decode()],
}))
'''


def _demo_env(tmp_path):
    """The variables scripts/run-demo.sh exports, and nothing else of the project's."""
    run_demo = (ROOT / "scripts" / "run-demo.sh").read_text(encoding="utf-8")
    assert re.search(r"^export DJANGO_DEBUG=\$\{DJANGO_DEBUG:-false\} DJANGO_DEMO=true$", run_demo, re.M)
    env = {k: v for k, v in os.environ.items() if not k.startswith(PROJECT_VARS)}
    env.update(DJANGO_DEBUG="false", DJANGO_DEMO="true", DJANGO_SETTINGS_MODULE="config.settings",
               DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}", DJANGO_VAR_DIR=str(tmp_path / "var"))
    return env


def test_the_demo_shows_the_products_own_404_and_500_pages(tmp_path):
    import json

    done = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=_demo_env(tmp_path), capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["debug"] is False and result["demo"] is True
    assert result["ssl_redirect"] is False  # plain HTTP on 127.0.0.1

    status, html = result["missing"]
    assert status == 404
    assert "页面不存在，或你无权查看。" in html and 'class="card error-page"' in html  # templates/404.html
    assert "Using the URLconf" not in html and "Page not found" not in html  # not Django's technical page

    status, css = result["css"]
    assert status == 200 and css.strip(), "the demo serves its static files without collectstatic"

    status, html = result["error"]
    assert status == 500
    assert "服务器出错了" in html and "css/app.css" in html  # templates/500.html
    assert "Traceback" not in html


def test_the_deploy_check_warns_when_demo_mode_is_on(tmp_path):
    env = _demo_env(tmp_path)
    done = subprocess.run([sys.executable, "manage.py", "check", "--deploy"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert "config.W001" in done.stdout + done.stderr
