from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("人员与角色")

    def ready(self):
        from members import policies  # noqa: F401  (registers this app's policies)
