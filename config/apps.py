from django.contrib.admin.apps import AdminConfig


class CampusAdminConfig(AdminConfig):
    """The admin, with the project's site (config.admin_site), loaded once the apps are ready."""

    default_site = "config.admin_site.CampusAdminSite"
