from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("人员与角色")

    def ready(self):
        # Imported here, not at the top: models and the modules that use them load only once the registry is ready.
        from django.contrib.auth.signals import user_logged_in

        from members import (
            policies,  # noqa: F401  (registers this app's policies)
            selectors,
        )
        from members.middleware import session_start
        from orgs import people

        people.provide(selectors)  # the people on orgs' structure pages (orgs/people.py)

        user_logged_in.connect(session_start, dispatch_uid="members.session_start")
