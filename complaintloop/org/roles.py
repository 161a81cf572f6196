"""What each role may do in the Django admin (管理). Permissions follow the role, not
hand-made groups, so a new process administrator can work at once and nobody keeps an
admin right their role lost. Roles with nothing here do not see 管理 at all: their work
has its own pages (queues, console, quality, audit)."""

from __future__ import annotations

from .models import Role


def _crud(label: str, *, delete: bool = False) -> set[str]:
    app, model = label.split(".")
    actions = ["view", "add", "change"] + (["delete"] if delete else [])
    return {f"{app}.{action}_{model}" for action in actions}


ADMIN_PERMISSIONS: dict[str, frozenset[str]] = {
    # The taxonomy with each node's default process, unit and limit, the order types,
    # products and SPs, and the working calendar; processes and decision tables are
    # read here and edited on 流程配置.
    Role.PROCESS_ADMIN: frozenset(
        _crud("taxonomy.category")
        | _crud("taxonomy.ordertype")
        | _crud("taxonomy.product")
        | _crud("taxonomy.serviceprovider")
        | _crud("core.workcalendarday", delete=True)
        | {
            "processes.view_processdefinition",
            "routing.view_decisiontable",
            "org.view_unit",
        }
    ),
}


def admin_permissions(role: str) -> frozenset[str]:
    return ADMIN_PERMISSIONS.get(role, frozenset())
