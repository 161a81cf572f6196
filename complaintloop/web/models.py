from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class LoginFailure(models.Model):
    """A failed sign-in; enough recent ones lock the account for a while."""

    username = models.CharField(max_length=150, db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("登录失败记录")
        verbose_name_plural = _("登录失败记录")

    def __str__(self) -> str:
        return f"{self.username} {self.at:%Y-%m-%d %H:%M}"


class SavedView(models.Model):
    """A queue filter a person saved under a name; shown as an extra queue tab."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views"
    )
    name = models.CharField(_("名称"), max_length=40)
    query = models.CharField(_("筛选条件"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["owner", "name"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="saved_view_owner_name_uniq")
        ]
        verbose_name = _("保存的视图")
        verbose_name_plural = _("保存的视图")

    def __str__(self) -> str:
        return f"{self.owner_id}:{self.name}"


class LoginThrottle(models.Model):
    """Failed sign-ins of one username from one source address (登录限制). A few bring a
    picture challenge and a growing wait, more lock this pair only: the same account
    from another address is not affected."""

    username = models.CharField(_("用户名"), max_length=150)
    address = models.GenericIPAddressField(_("来源地址"))
    failures = models.PositiveIntegerField(_("失败次数"), default=0)
    first_failure_at = models.DateTimeField(_("首次失败"))
    last_failure_at = models.DateTimeField(_("最近失败"))
    # The next attempt is not evaluated before this (the progressive wait).
    retry_at = models.DateTimeField(null=True, blank=True)
    locked_until = models.DateTimeField(_("锁定至"), null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["username", "address"], name="login_throttle_pair_uniq")
        ]
        indexes = [
            models.Index(fields=["address", "last_failure_at"], name="login_throttle_addr_idx"),
            models.Index(fields=["last_failure_at"], name="login_throttle_last_idx"),
        ]
        verbose_name = _("登录限制")
        verbose_name_plural = _("登录限制")

    def __str__(self) -> str:
        return f"{self.username}@{self.address}"
