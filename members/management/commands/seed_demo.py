"""``python manage.py seed_demo``: the demo schools and one login per persona (issue 2, item 7).

Idempotent: a second run finds every row in place and changes nothing (a few seconds). Only the demo
logins get a password, ``settings.DEMO_PASSWORD``, hashed once per run at most.

The demo's calendar is counted from the day it runs (``members/demo/terms.py``): there is always a current term
with weeks of records behind today. A run on a later day moves the schools' terms, memberships, roles and
discipline to that day's calendar and adds no second copy; the apps' records, made once, stay where the first run
put them.

It refuses to run with DEBUG off (a production configuration) unless forced with
``--i-know-this-creates-demo-accounts-with-a-known-password``: the demo logins, a platform admin among them,
share a password written in the README, so seeding them into a real site would open it to anyone.
"""

import time
import unicodedata
from collections import defaultdict

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from members.demo.schools import PERSONAS, seed_all
from members.models import RoleAssignment, User
from orgs.calendar import local_date
from orgs.demo import SEEDERS


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def _roles_text(assignments) -> str:
    """'辅导员 · 计科2301班 等 8 个' for a list of one user's role assignments."""
    by_role = defaultdict(list)
    for assignment in assignments:
        by_role[assignment.get_role_display()].append(assignment.scope_object)
    parts = []
    for label, scopes in by_role.items():
        scopes = [str(s) for s in scopes if s is not None]
        if not scopes:
            parts.append(str(label))
        elif len(scopes) == 1:
            parts.append(f"{label} · {scopes[0]}")
        else:
            parts.append(f"{label} · {scopes[0]} 等 {len(scopes)} 个")
    return "；".join(parts) or "（无角色）"


#: The flag that runs the command with DEBUG off: its name says what it does.
FORCE_FLAG = "--i-know-this-creates-demo-accounts-with-a-known-password"


class Command(BaseCommand):
    help = "创建演示数据：湖南工业大学（hut）、吉首大学（jsu）和平台管理员，以及每种角色一个演示账号。可重复运行。"

    def add_arguments(self, parser):
        parser.add_argument("--quiet", action="store_true", help="不打印账号表。")
        parser.add_argument(
            FORCE_FLAG, dest="force_known_password", action="store_true",
            help="DEBUG 关闭（生产配置）时仍然创建演示数据和使用公开密码的演示账号（含平台管理员）。",
        )

    def handle(self, *args, quiet=False, force_known_password=False, **options):
        if not settings.DEBUG and not force_known_password:
            raise CommandError(_(
                "DEBUG 已关闭，这看起来是生产环境：seed_demo 会创建演示学校和一批使用公开密码的演示账号"
                "（包括平台管理员），任何人都能用它们登录。因此不运行。若这确实是演示或测试环境，请加上 "
                "%(flag)s 再运行。"
            ) % {"flag": FORCE_FLAG})
        started = time.monotonic()
        now = timezone.now()  # one moment for the whole run: the schools' calendar and the apps' records agree
        seed_all(settings.DEMO_PASSWORD, local_date(now))
        autodiscover_modules("demo_data")  # the apps' own demo records (orgs/demo.py)
        for seed in SEEDERS:
            seed(now=now)
        if quiet:
            return
        self.stdout.write(self.style.SUCCESS(f"演示数据已就绪（{time.monotonic() - started:.1f} 秒）。"))
        self.stdout.write(self._table())
        self.stdout.write(f"\n所有演示账号的密码：{settings.DEMO_PASSWORD}\n")

    def _table(self) -> str:
        with scopes_disabled():
            users = {u.username: u for u in User.objects.filter(username__in=[p.username for p in PERSONAS])}
            assignments = defaultdict(list)
            rows = RoleAssignment.objects.filter(user__in=users.values()).select_related(
                "college", "school_class", "organisation", "department", "room__building"
            ).order_by("role", "pk")
            for assignment in rows:
                assignments[assignment.user_id].append(assignment)
            lines = [("账号", "学校", "角色", "身份与职责（各模块上线后可用）")]
            for persona in PERSONAS:
                user = users[persona.username]
                role = "平台管理员" if user.is_platform_admin else _roles_text(assignments[user.pk])
                school = persona.tenant or "—"
                lines.append((persona.username, school, role, f"{persona.title}：{persona.can}"))
        widths = [max(_width(line[i]) for line in lines) for i in range(3)]
        out = []
        for index, (username, school, role, can) in enumerate(lines):
            out.append("  ".join((_pad(username, widths[0]), _pad(school, widths[1]), _pad(role, widths[2]), can)))
            if index == 0:
                out.append("  ".join("-" * w for w in widths) + "  " + "-" * 20)
        return "\n".join(out)
