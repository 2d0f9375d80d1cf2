"""CI runs the benchmark command at its small size so the benchmarks never rot (figures: closing notes)."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_bench_small_runs_and_reports_each_measurement_beside_its_baseline(tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'bench.sqlite3'}", "DJANGO_VAR_DIR": str(tmp_path)}
    env.pop("REDIS_URL", None)
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], cwd=ROOT, env=env, check=True, timeout=300)
    out = tmp_path / "bench.json"
    run = subprocess.run([*manage, "bench", "--size", "small", "--json", str(out)], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    report = json.loads(out.read_text())
    by_name = {r["name"]: r for r in report["results"]}
    assert report["students"] == 1000 and report["database"] == "sqlite"
    assert {"seed_university", "roster export (.xlsx)", "roster import (.xlsx, new)",
            "roster re-import (.xlsx, unchanged)"} <= set(by_name)
    imported = by_name["roster import (.xlsx, new)"]
    assert imported["rows"] == 1000 and imported["baseline_seconds"] > 0 and imported["ratio"] > 0
    assert all(r["seconds"] > 0 and r["peak_mb"] > 0 for r in report["results"])
    assert "roster import (.xlsx, new)" in run.stdout and "ratio" in run.stdout
