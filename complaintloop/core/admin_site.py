from django.contrib.admin import AdminSite


class ConsoleAdminSite(AdminSite):
    """Who may enter follows the role (``Staff.can_use_admin``), not a hand-set flag:
    a role without admin work is not offered an empty admin."""

    def has_permission(self, request) -> bool:
        user = request.user
        return bool(user.is_active and getattr(user, "can_use_admin", False))
