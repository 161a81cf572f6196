"""Reference reads of the taxonomy, cached briefly because intake reads them every time."""

from __future__ import annotations

from complaintloop.core.cache import ttl_cached

from .models import Category, OrderType, Product, ServiceProvider


@ttl_cached(10)
def order_type(code: str) -> OrderType | None:
    return OrderType.objects.filter(code=code).first()


@ttl_cached(10)
def category(code: str) -> Category | None:
    return Category.objects.select_related("default_unit").filter(code=code).first()


@ttl_cached(10)
def lineage(category_id: int) -> list[Category]:
    """The category and its ancestors, nearest first."""
    node = Category.objects.filter(pk=category_id).first()
    if node is None:
        return []
    codes = node.path.strip("/").split("/")
    by_code = {
        c.code: c for c in Category.objects.select_related("default_unit").filter(code__in=codes)
    }
    return [by_code[c] for c in reversed(codes) if c in by_code]


def inherited(category_obj: Category | None, field: str):
    """The nearest non-empty value of ``field`` up the tree."""
    if category_obj is None:
        return None
    for node in lineage(category_obj.pk):
        value = getattr(node, field)
        if value:
            return value
    return None


@ttl_cached(10)
def product(code: str) -> Product | None:
    return Product.objects.filter(code=code).first()


@ttl_cached(10)
def service_provider(code: str) -> ServiceProvider | None:
    return ServiceProvider.objects.filter(code=code).first()
