from django.contrib.admin.apps import AdminConfig


class CampusAdminConfig(AdminConfig):
    """The admin, with the project's site (config.admin_site), loaded once the apps are ready."""

    default_site = "config.admin_site.CampusAdminSite"

    def ready(self):
        super().ready()
        from config import checks  # noqa: F401 - registers the project's system checks
