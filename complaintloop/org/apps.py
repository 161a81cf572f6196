from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "complaintloop.org"
    label = "org"

    def ready(self) -> None:
        from django.contrib.auth.models import Group

        from complaintloop.core.audit import watch_configuration

        from .models import ApiToken, Staff, Unit

        # Who may do and see what is configuration (R33): units, roles, scopes,
        # permissions and tokens are audited; logins and presence are not.
        watch_configuration(Unit)
        watch_configuration(
            Staff,
            fields=(
                "username",
                "password",
                "role",
                "unit",
                "scope_unit",
                "is_staff",
                "is_superuser",
                "is_active",
                "skills",
                "max_open_items",
            ),
            ignore=("last_login", "is_available", "last_assigned_at"),
            secret=("password",),
            m2m=("groups", "user_permissions"),
        )
        watch_configuration(ApiToken, secret=("key_hash",))
        watch_configuration(Group, m2m=("permissions",))
