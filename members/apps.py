from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("人员与角色")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from members import policies  # noqa: F401  (registers this app's policies)
        from members.middleware import session_start

        user_logged_in.connect(session_start, dispatch_uid="members.session_start")
