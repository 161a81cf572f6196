from collections.abc import Callable

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from complaintloop.org.models import Unit


class CustomerLevel(models.TextChoices):
    VIP = "vip", _("VIP")
    GOLD = "gold", _("金卡")
    SILVER = "silver", _("银卡")
    ORDINARY = "ordinary", _("普通")


# Apps above customers add the ways a customer becomes visible through their own data
# (tickets: "has a ticket the user may see"), so customers need not import them.
ScopeExtension = Callable[[object], Q]
SCOPE_EXTENSIONS: list[ScopeExtension] = []


def extend_scope(extension: ScopeExtension) -> None:
    if extension not in SCOPE_EXTENSIONS:
        SCOPE_EXTENSIONS.append(extension)


class CustomerQuerySet(models.QuerySet):
    def visible_to(self, actor) -> "CustomerQuerySet":
        """Data scope (R29): customers who live in the actor's scope, or who have a
        ticket the actor may see (the same scope as tickets)."""
        path = actor.scope_path
        if not path:
            return self.none()
        if actor.sees_whole_province:
            return self
        q = Q(region__path__startswith=path)
        for extension in SCOPE_EXTENSIONS:
            q |= extension(actor)
        return self.filter(q)


class Customer(models.Model):
    name = models.CharField(_("姓名"), max_length=64)
    phone = models.CharField(_("手机号码"), max_length=20, unique=True)
    id_number = models.CharField(_("证件号码"), max_length=32, blank=True)
    email = models.EmailField(_("邮箱"), blank=True)
    level = models.CharField(
        _("客户级别"), max_length=16, choices=CustomerLevel.choices, default=CustomerLevel.ORDINARY
    )
    region = models.ForeignKey(
        Unit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("地市"),
    )
    is_enterprise = models.BooleanField(_("集团客户"), default=False)
    enterprise_name = models.CharField(_("集团名称"), max_length=128, blank=True)
    address = models.CharField(_("地址"), max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CustomerQuerySet.as_manager()

    class Meta:
        verbose_name = _("客户")
        verbose_name_plural = _("客户")

    def __str__(self) -> str:
        return f"{self.name}"

    @property
    def region_path(self) -> str:
        return self.region.path if self.region_id else ""


class ContactChannel(models.TextChoices):
    CALL = "call", _("电话")
    SMS = "sms", _("短信")
    EMAIL = "email", _("邮件")
    VISIT = "visit", _("营业厅")
    CALLBACK = "callback", _("回访")
    WEB = "web", _("网站")
    APP = "app", _("APP/微信")


class ContactRecord(models.Model):
    """A touch with the customer (接触记录, R4), linked to an order when relevant."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="contacts")
    channel = models.CharField(_("渠道"), max_length=16, choices=ContactChannel.choices)
    direction = models.CharField(
        _("方向"), max_length=8, choices=[("in", _("呼入")), ("out", _("呼出"))], default="in"
    )
    summary = models.TextField(_("摘要"), blank=True)
    # A number, not a foreign key: customers sit below tickets in the app layering.
    ticket_number = models.CharField(_("工单号"), max_length=32, blank=True, db_index=True)
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("时间"), db_index=True)

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["customer", "-at"], name="contact_customer_at_idx")]
        verbose_name = _("接触记录")
        verbose_name_plural = _("接触记录")

    def __str__(self) -> str:
        return f"{self.customer_id} {self.channel} {self.at:%Y-%m-%d}"


class ListKind(models.TextChoices):
    BLACKLIST = "blacklist", _("黑名单")
    KEY_RISK = "key_risk", _("重点风险客户")


class ListEntryQuerySet(models.QuerySet):
    def active(self, at):
        return self.filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=at), revoked_at__isnull=True
        )


class CustomerListEntry(models.Model):
    """Blacklist and key-risk list membership with reason and expiry (R20)."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="list_entries")
    kind = models.CharField(_("名单"), max_length=16, choices=ListKind.choices)
    reason = models.CharField(_("原因"), max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    expires_at = models.DateTimeField(_("到期"), null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ListEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("名单条目")
        verbose_name_plural = _("名单条目")

    def __str__(self) -> str:
        return f"{self.customer} {self.get_kind_display()}"
