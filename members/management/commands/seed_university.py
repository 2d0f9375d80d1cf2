"""``python manage.py seed_university --tenant NAME --students N``: a synthetic university for benchmarks
(issue 3, item 4). The plan and the bulk writes live in ``members.university``.

* The tenant ``NAME`` is created if missing (all modules on). If it already holds exactly this university (same
  structure, N students), the command does nothing; if it holds anything else it refuses: use another name.
* ``--structure-only``: the same colleges, majors, classes, buildings, floors, rooms, terms and organisations
  as a full run with the same ``--students`` and ``--seed``, but no people: an empty target for an import of the
  roster exported from a full run.
"""

import time
import unicodedata

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from members import university
from orgs.calendar import local_date


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


class Command(BaseCommand):
    help = (
        "创建（或复用）一所用于性能测试的合成大学：N 名学生、约 N/4 间寝室、20 个以上学院、"
        "30–50 人的班级、约 5% 党员。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--tenant", required=True, help="学校代码（小写字母开头）；不存在则创建。")
        parser.add_argument("--students", type=int, required=True, help="学生人数。")
        parser.add_argument("--seed", type=int, default=university.DEFAULT_SEED,
                            help=f"随机种子（默认 {university.DEFAULT_SEED}）：相同人数和种子得到相同的数据。")
        parser.add_argument("--structure-only", action="store_true",
                            help="只建学院、专业、班级、楼栋、寝室、学期和组织，不建人员（作为导入目标）。")
        parser.add_argument("--quiet", action="store_true", help="不打印汇总表。")

    def handle(self, *args, tenant, students, seed, structure_only=False, quiet=False, **options):
        started = time.monotonic()
        try:
            outcome = university.seed_university(
                tenant, students, seed=seed, structure_only=structure_only, today=local_date(timezone.now())
            )
        except university.UniversityConflict as error:
            raise CommandError(str(error)) from None
        elapsed = time.monotonic() - started
        if quiet:
            return
        what = "仅结构" if structure_only else f"{students} 名学生"
        verb = "已创建" if outcome.created else "已存在，直接复用"
        self.stdout.write(self.style.SUCCESS(f"{outcome.tenant.name}：{what}，种子 {seed}，{verb}。"))
        rows = university.counts(outcome.tenant)
        label_width = max(_width(label) for label, _count in rows)
        number_width = max(4, *(len(f"{count:,}") for _label, count in rows))
        self.stdout.write(f"{_pad('项目', label_width)}  {' ' * (number_width - 4)}数量")
        self.stdout.write("-" * (label_width + number_width + 2))
        for label, count in rows:
            self.stdout.write(f"{_pad(label, label_width)}  {count:>{number_width},}")
        self.stdout.write(f"用时：{elapsed:.1f} 秒")
