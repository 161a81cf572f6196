from django.db.models import Q
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from complaintloop.core.schemas import ERRORS

from . import services
from .models import Category

router = Router(tags=["taxonomy"])


class CategoryIn(Schema):
    code: str = Field(..., max_length=32)
    name: str = Field(..., max_length=64)
    parent: str = Field("", max_length=32)
    default_unit: str = Field("", max_length=32)
    default_process_key: str = Field("", max_length=64)
    time_limit_minutes: int | None = Field(None, ge=1, le=1000000)
    time_basis: str = Field("", max_length=16)


class CategoryOut(Schema):
    code: str
    name: str
    full_name: str
    level: int
    parent: str | None
    is_local: bool
    is_leaf: bool
    default_unit: str | None
    time_limit_minutes: int | None
    is_active: bool


class CategoryQuery(Schema):
    q: str = Field("", max_length=64, description="名称或编码片段,如 宽带")
    level: int | None = Field(None, ge=1, le=4)
    parent: str = Field("", max_length=32)
    leaves_only: bool = False


def _out(c: Category, parents_with_children: set[int]) -> dict:
    return {
        "code": c.code,
        "name": c.name,
        "full_name": c.full_name,
        "level": c.level,
        "parent": c.parent.code if c.parent_id else None,
        "is_local": c.is_local,
        "is_leaf": c.pk not in parents_with_children,
        "default_unit": c.default_unit.code if c.default_unit_id else None,
        "time_limit_minutes": c.time_limit_minutes,
        "is_active": c.is_active,
    }


@router.get("/categories", response={200: list[CategoryOut], **ERRORS}, summary="投诉分类(四级)")
def list_categories(request: HttpRequest, params: Query[CategoryQuery]):
    qs = Category.objects.select_related("parent", "default_unit").order_by("path")
    if params.q:
        qs = qs.filter(Q(full_name__icontains=params.q) | Q(code__startswith=params.q))
    if params.level:
        qs = qs.filter(level=params.level)
    if params.parent:
        qs = qs.filter(parent__code=params.parent)
    with_children = set(
        Category.objects.filter(parent__isnull=False).values_list("parent_id", flat=True)
    )
    rows = [c for c in qs[:2000] if not params.leaves_only or c.pk not in with_children]
    return [_out(c, with_children) for c in rows]


@router.post("/categories", response={201: CategoryOut, **ERRORS}, summary="新增分类")
def create_category(request: HttpRequest, body: CategoryIn):
    category = services.add_category(actor=request.auth, **body.dict())
    return 201, _out(category, set())
