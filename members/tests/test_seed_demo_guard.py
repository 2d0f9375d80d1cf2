"""seed_demo refuses a production configuration (DEBUG off) unless forced by a flag that says what it does: the
demo accounts share a password written in the README."""

from io import StringIO
from unittest import mock

import pytest
from django.core.management import CommandError, call_command

from orgs.models import Tenant

pytestmark = pytest.mark.django_db

FLAG = "--i-know-this-creates-demo-accounts-with-a-known-password"


@pytest.fixture
def seeding():
    """The seeding itself, replaced: these tests are about whether it starts."""
    with mock.patch("members.management.commands.seed_demo.seed_all") as seed_all, \
            mock.patch("members.management.commands.seed_demo.SEEDERS", []), \
            mock.patch("members.management.commands.seed_demo.Command._table", return_value=""):
        yield seed_all


def test_with_debug_off_it_refuses_says_how_to_force_it_and_creates_nothing(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError) as refused:
        call_command("seed_demo", "--quiet")
    assert "公开密码的演示账号" in str(refused.value) and FLAG in str(refused.value)
    assert not Tenant.objects.exists()


def test_with_debug_off_the_flag_forces_it(settings, seeding):
    settings.DEBUG = False
    call_command("seed_demo", "--quiet", FLAG)
    assert seeding.called


def test_with_debug_on_it_runs_without_the_flag(settings, seeding):
    settings.DEBUG = True
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert seeding.called and "演示数据已就绪" in out.getvalue()
