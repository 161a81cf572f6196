import hashlib
import secrets

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class UnitKind(models.TextChoices):
    PROVINCE = "province", _("省公司")
    CITY = "city", _("地市")
    DISTRICT = "district", _("区县")
    DEPARTMENT = "department", _("部门")
    TEAM = "team", _("班组")


class AssignmentMode(models.TextChoices):
    POOL = "pool", _("单位待办池(人员自行签收)")
    ROUND_ROBIN = "round_robin", _("轮流分配")
    LEAST_LOADED = "least_loaded", _("分给在办最少者")


class Unit(models.Model):
    """A node of the organisation tree. ``path`` is the chain of codes from the root
    (``/JS/NJ/KF/``) so a subtree is one indexed prefix query."""

    code = models.CharField(_("编码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=64)
    kind = models.CharField(_("类型"), max_length=16, choices=UnitKind.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(max_length=255, unique=True, editable=False)
    region = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("所属地市(省级单位为空)"),
    )
    is_offline = models.BooleanField(_("离线处理(邮件)"), default=False)
    email = models.EmailField(_("邮箱"), blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    assignment_mode = models.CharField(
        _("单位内分配"),
        max_length=16,
        choices=AssignmentMode.choices,
        default=AssignmentMode.POOL,
        help_text=_("新到本单位的待办分给谁;技能匹配者优先,不在岗或已满者不分"),
    )

    class Meta:
        ordering = ["path"]
        verbose_name = _("组织单元")
        verbose_name_plural = _("组织单元")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        parent_path = self.parent.path if self.parent_id else "/"
        self.path = f"{parent_path}{self.code}/"
        if self.kind != UnitKind.CITY:
            self.region_id = self.parent.region_id if self.parent_id else None
        super().save(*args, **kwargs)
        if self.kind == UnitKind.CITY and self.region_id != self.pk:
            self.region_id = self.pk
            super().save(update_fields=["region"])

    def subtree(self) -> "models.QuerySet[Unit]":
        return Unit.objects.filter(path__startswith=self.path)


class Role(models.TextChoices):
    AGENT = "agent", _("坐席")
    HANDLER = "handler", _("处理人员")
    SUPERVISOR = "supervisor", _("班长/主管")
    QUALITY_MANAGER = "quality_manager", _("质量经理")
    PROCESS_ADMIN = "process_admin", _("流程管理员")
    SYSTEM_ADMIN = "system_admin", _("系统管理员")
    AUDITOR = "auditor", _("审计员")


# Roles allowed to see full phone and ID numbers; each unmasked view is audited.
PII_ROLES = {Role.SUPERVISOR, Role.SYSTEM_ADMIN, Role.AUDITOR}
# Roles that operate on tickets (others only read).
OPERATOR_ROLES = {Role.AGENT, Role.HANDLER, Role.SUPERVISOR, Role.SYSTEM_ADMIN}
# Roles that read the quality pages, reports and insights.
QUALITY_ROLES = {Role.SUPERVISOR, Role.QUALITY_MANAGER, Role.SYSTEM_ADMIN, Role.AUDITOR}
# Roles that read the audit log (PII views, exports, configuration changes).
AUDIT_ROLES = {Role.AUDITOR, Role.SYSTEM_ADMIN}
# Roles that may urge, supervise, escalate and reopen.
SUPERVISING_ROLES = {Role.SUPERVISOR, Role.QUALITY_MANAGER, Role.SYSTEM_ADMIN}


class Staff(AbstractUser):
    """A person who works in ComplaintLoop. Sees tickets of ``scope_unit``'s subtree
    (defaults to the unit's city, or the whole province for province-level units)."""

    display_name = models.CharField(_("姓名"), max_length=32, blank=True)
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="staff"
    )
    role = models.CharField(_("角色"), max_length=32, choices=Role.choices, default=Role.AGENT)
    scope_unit = models.ForeignKey(
        Unit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("数据范围:可见此单元及其下级的工单"),
    )
    phone = models.CharField(_("手机"), max_length=20, blank=True)
    skills = models.JSONField(_("技能"), default=list, blank=True)
    is_available = models.BooleanField(_("在岗"), default=True)
    max_open_items = models.PositiveIntegerField(
        _("在办上限"), null=True, blank=True, help_text=_("达到上限后不再自动分配;空为不限")
    )
    last_assigned_at = models.DateTimeField(_("最近分配时间"), null=True, blank=True)

    objects = UserManager()

    class Meta:
        verbose_name = _("员工")
        verbose_name_plural = _("员工")

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def scope_path(self) -> str:
        """Prefix of the unit paths this person may see; '' means nothing."""
        if self.is_superuser and self.scope_unit_id is None:
            return "/"
        unit = self.scope_unit or self.unit
        return unit.path if unit else ""

    @property
    def sees_whole_province(self) -> bool:
        """The data scope is the root unit (or a superuser without a scope): no filter."""
        path = self.scope_path
        return path == "/" or path.count("/") == 2

    @property
    def can_view_pii(self) -> bool:
        return self.is_superuser or self.role in PII_ROLES

    @property
    def can_operate(self) -> bool:
        return self.is_superuser or self.role in OPERATOR_ROLES

    @property
    def can_supervise(self) -> bool:
        return self.is_superuser or self.role in SUPERVISING_ROLES

    @property
    def can_manage_processes(self) -> bool:
        """流程配置: designing and publishing processes."""
        return self.is_superuser or self.role in {Role.PROCESS_ADMIN, Role.SYSTEM_ADMIN}

    @property
    def can_use_admin(self) -> bool:
        """管理 (the Django admin): sysadmin, and roles with admin work (org.roles)."""
        from .roles import admin_permissions

        return self.is_superuser or bool(admin_permissions(self.role))

    @property
    def can_read_audit(self) -> bool:
        return self.is_superuser or self.role in AUDIT_ROLES

    @property
    def can_view_quality(self) -> bool:
        """Quality pages, reports and insights (always within the person's data scope)."""
        return self.is_superuser or self.role in QUALITY_ROLES


class ApiTokenQuerySet(models.QuerySet):
    def active(self):
        return self.filter(Q(revoked_at__isnull=True))


class ApiToken(models.Model):
    """A bearer token for integrators; only its SHA-256 is stored."""

    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=64, default="default")
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")

    def __str__(self) -> str:
        return f"{self.staff} {self.prefix}…"

    @staticmethod
    def hash(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    def issue(cls, staff: Staff, name: str = "default") -> tuple["ApiToken", str]:
        key = "cl_" + secrets.token_urlsafe(32)
        token = cls.objects.create(staff=staff, name=name, key_hash=cls.hash(key), prefix=key[:8])
        return token, key
