"""Render notification templates with Django's template engine, safely.

Templates are written by administrators, so the engine is a private one: no template
loaders (``include``/``extends`` find nothing), no tag libraries to ``load``, only a
short list of harmless tags, and a context of plain strings (no model objects whose
methods a template could call). Unknown variables are refused when the template is
saved, not discovered when a customer receives an empty SMS."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django.core.exceptions import ValidationError
from django.template import Context, Engine, Node, Template, TemplateSyntaxError
from django.template.base import FilterExpression, TextNode, Variable, VariableNode
from django.template.defaulttags import CommentNode, FirstOfNode, IfNode
from django.utils.translation import gettext as _

from . import defaults

ENGINE = Engine(dirs=[], app_dirs=False, libraries={}, loaders=[], autoescape=False)
ALLOWED_NODES = (TextNode, VariableNode, IfNode, CommentNode, FirstOfNode)
ALLOWED_TAGS = "if / elif / else / firstof / comment"


def _variables(obj: Any, depth: int = 0) -> list[Variable]:
    """Every Variable reachable from a node: its own expressions, filter arguments and
    the operands of ``if`` conditions."""
    if depth > 30 or isinstance(obj, str | int | float | bool | type | None):
        return []
    if isinstance(obj, Variable):
        return [obj]
    if isinstance(obj, FilterExpression):
        found = _variables(obj.var, depth + 1)
        for _func, args in obj.filters:
            found += [arg for is_var, arg in args if is_var and isinstance(arg, Variable)]
        return found
    if isinstance(obj, list | tuple):
        return [v for item in obj for v in _variables(item, depth + 1)]
    if hasattr(obj, "__dict__"):
        return [v for value in vars(obj).values() for v in _variables(value, depth + 1)]
    return []


def _paths(template_source: str) -> tuple[set[str], set[str]]:
    """(variable paths used, tag node classes used) in a template source."""
    template = ENGINE.from_string(template_source)
    nodes = template.nodelist.get_nodes_by_type(Node)
    used_nodes = {type(n).__name__ for n in nodes if not isinstance(n, ALLOWED_NODES)}
    paths: set[str] = set()
    for node in nodes:
        if isinstance(node, TextNode):
            continue
        for var in _variables(node):
            if var.lookups is not None:
                paths.add(".".join(var.lookups))
    return paths, used_nodes


def _unclosed(source: str) -> bool:
    """Django leaves an unclosed ``{{`` as text; a customer would see it verbatim."""
    template = ENGINE.from_string(source)
    return any(
        "{{" in node.s or "{%" in node.s for node in template.nodelist.get_nodes_by_type(TextNode)
    )


def validate_template(event: str, channel: str, subject: str, body: str) -> None:
    """Raise ValidationError (per field) for syntax errors, disallowed tags and unknown
    variables."""
    errors: dict[str, list[str]] = {}
    if event not in defaults.ALL:
        errors["event"] = [_("未知事件:%(event)s") % {"event": event}]
    elif not any(channel in by_channel for by_channel in defaults.ALL[event].values()):
        errors["channel"] = [_("事件 %(event)s 不通过此渠道发送") % {"event": event}]
    if channel in ("email", "in_app") and not subject.strip():
        errors["subject"] = [_("邮件和站内通知必须填写主题/标题")]
    for field, source in (("subject", subject), ("body", body)):
        try:
            paths, bad_nodes = _paths(source)
        except TemplateSyntaxError as exc:
            errors.setdefault(field, []).append(_("模板语法错误:%(error)s") % {"error": exc})
            continue
        if bad_nodes:
            errors.setdefault(field, []).append(
                _("不允许的模板标签(只可使用 %(tags)s)") % {"tags": ALLOWED_TAGS}
            )
        if any(mark in source for mark in ("{{", "{%")) and _unclosed(source):
            errors.setdefault(field, []).append(_("模板语法错误:有未闭合的 {{ 或 {%"))
        unknown = sorted(p for p in paths if p not in defaults.VARIABLES)
        if unknown:
            errors.setdefault(field, []).append(
                _("未知变量:%(names)s。可用变量:%(allowed)s")
                % {"names": ", ".join(unknown), "allowed": ", ".join(defaults.VARIABLES)}
            )
    if errors:
        raise ValidationError(errors)


@lru_cache(maxsize=512)
def _compiled(source: str) -> Template:
    # Parsing costs more than rendering; a worker renders the same few texts all day.
    return ENGINE.from_string(source)


def render(source: str, context: dict[str, Any]) -> str:
    """Render with the restricted engine; ``context`` holds only plain values."""
    return _compiled(source).render(Context(context, autoescape=False)).strip()
