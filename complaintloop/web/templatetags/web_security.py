from django import template

from ..security import second_factor, throttle

register = template.Library()


@register.filter
def may_use_second_factor(user) -> bool:
    """The 安全设置 link: for roles that may enrol a second factor."""
    return bool(user.is_authenticated and second_factor.eligible(user))


@register.filter
def manages_login_security(user) -> bool:
    """The 登录安全 menu entry: system administrators (and superusers)."""
    return bool(user.is_authenticated and throttle.may_unlock(user))
