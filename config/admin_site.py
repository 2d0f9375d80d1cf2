"""The project's admin site: only a school's own administrators (and the platform admin) get in."""

from django.contrib import admin

from members.rules import is_tenant_admin
from orgs.rules import is_platform_admin


class CampusAdminSite(admin.AdminSite):
    site_header = "学生组织管理平台 · 后台"

    def has_permission(self, request) -> bool:
        """Staff who are their school's admin, or the platform admin. Everyone else (any other role, a
        student, staff whose tenant-admin role ended) is sent to the admin's login page, as if the admin
        did not exist for them."""
        user = request.user
        if not (user.is_active and user.is_staff):
            return False
        if user.tenant_id is None:
            return is_platform_admin(user) or user.is_superuser
        return getattr(request, "tenant", None) is not None and is_tenant_admin(user)
