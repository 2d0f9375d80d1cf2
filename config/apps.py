from django.contrib.admin.apps import AdminConfig


class CampusAdminConfig(AdminConfig):
    """The admin, with the project's site (config.admin_site), loaded once the apps are ready; the project's own
    declarations load with it (system checks, the modules not built yet)."""

    default_site = "config.admin_site.CampusAdminSite"

    def ready(self):
        super().ready()
        # The project's system checks, and the modules whose app is not built yet (config/modules.py).
        from config import checks, modules  # noqa: F401
