"""python manage.py bench [--size small|full] [--only NAME] [--json FILE]: the project's benchmarks.

Each app's ``benchmarks.py`` registers its benchmarks (orgs.bench). The table shows every measurement
beside its physical-limit baseline measured in the same run, the ratio and the peak memory.
"""

import platform
import tempfile
import time

import django
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils.module_loading import autodiscover_modules

from orgs import bench


class Command(BaseCommand):
    help = "运行性能基准：每项测量与同一次运行中测得的物理极限基线对比。"

    def add_arguments(self, parser):
        parser.add_argument("--size", choices=sorted(bench.SIZES), default="full",
                            help="small：几秒内跑完（CI 用）；full：3 万名学生（默认）。")
        parser.add_argument("--students", type=int, help="学生人数（覆盖 --size）。")
        parser.add_argument("--only", action="append", default=[], help="只运行这些基准（可重复）。")
        parser.add_argument("--json", help="把结果另存为 JSON 文件。")

    def handle(self, *args, size, students, only, json, **options):
        autodiscover_modules("benchmarks")
        names = only or list(bench.REGISTRY)
        unknown = sorted(set(names) - set(bench.REGISTRY))
        if unknown:
            raise CommandError(f"未知的基准：{', '.join(unknown)}（可选：{', '.join(bench.REGISTRY)}）")
        n = students or bench.SIZES[size]
        started = time.perf_counter()
        results = []
        with tempfile.TemporaryDirectory(prefix="bench-") as workdir:
            ctx = bench.Context(size=size, students=n, workdir=workdir, log=lambda m: self.stderr.write(f"… {m}"))
            for name in names:
                results.extend(bench.REGISTRY[name](ctx))
        meta = {
            "size": size, "students": n, "database": connection.vendor, "python": platform.python_version(),
            "django": django.get_version(), "machine": platform.machine(), "seconds": time.perf_counter() - started,
        }
        self.stdout.write(self._table(results, meta))
        if json:
            bench.write_json(json, results, **meta)
            self.stdout.write(f"JSON：{json}")

    def _table(self, results, meta):
        head = ("benchmark", "rows", "seconds", "peak MB", "baseline", "baseline s", "ratio", "goal", "notes")
        rows = [head] + [(
            r.name, f"{r.rows:,}", f"{r.seconds:.2f}", f"{r.peak_mb:.0f}", r.baseline or "—",
            "—" if r.baseline_seconds is None else f"{r.baseline_seconds:.2f}",
            "—" if r.ratio is None else f"{r.ratio:.2f}×", r.goal or "",
            " ".join(f"{key}={value}" for key, value in r.notes.items()),
        ) for r in results]
        widths = [max(len(str(row[i])) for row in rows) for i in range(len(head))]
        lines = ["  ".join(str(cell).ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows]
        lines.insert(1, "  ".join("-" * w for w in widths))
        summary = (f"{meta['students']:,} students · {meta['database']} · Python {meta['python']} · "
                   f"Django {meta['django']} · {meta['seconds']:.1f} s in all")
        return "\n".join([summary, *lines])
