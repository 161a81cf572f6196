"""Reference reads of the taxonomy, cached briefly because intake reads them every time."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q

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


def search_categories(q: str, *, limit: int = 20) -> list[Category]:
    """Active categories whose code starts with ``q`` or whose full name contains every
    word of it; leaves first, deepest first (the picker at intake)."""
    words = q.split()
    if not words:
        return []
    match = Q(code__startswith=q.strip())
    by_name = Q()
    for word in words:
        by_name &= Q(full_name__icontains=word)
    children = Category.objects.filter(parent=OuterRef("pk"), is_active=True)
    return list(
        Category.objects.filter(match | by_name, is_active=True)
        .annotate(has_children=Exists(children))
        .order_by("has_children", "-level", "path")[:limit]
    )


@ttl_cached(10)
def order_types() -> list[OrderType]:
    return list(OrderType.objects.order_by("sort", "code"))


@ttl_cached(10)
def products() -> list[Product]:
    return list(Product.objects.order_by("code"))


@ttl_cached(10)
def service_providers() -> list[ServiceProvider]:
    return list(ServiceProvider.objects.order_by("code"))
