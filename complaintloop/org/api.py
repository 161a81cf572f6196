from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from complaintloop.core.schemas import ERRORS

from . import services
from .models import Unit

router = Router(tags=["org"])


class UnitIn(Schema):
    code: str = Field(..., max_length=32)
    name: str = Field(..., max_length=64)
    kind: str = Field(..., max_length=16, description="province/city/district/department/team")
    parent: str = Field("", max_length=32)
    email: str = Field("", max_length=254)
    is_offline: bool = False


class UnitOut(Schema):
    code: str
    name: str
    kind: str
    parent: str | None
    region: str | None
    path: str
    is_offline: bool
    is_active: bool


class UnitQuery(Schema):
    kind: str = Field("", max_length=16)
    under: str = Field("", max_length=32, description="只列出该单位及其下级")
    q: str = Field("", max_length=64)


def _out(u: Unit) -> dict:
    return {
        "code": u.code,
        "name": u.name,
        "kind": u.kind,
        "parent": u.parent.code if u.parent_id else None,
        "region": u.region.code if u.region_id else None,
        "path": u.path,
        "is_offline": u.is_offline,
        "is_active": u.is_active,
    }


@router.get("/units", response={200: list[UnitOut], **ERRORS}, summary="组织单元")
def list_units(request: HttpRequest, params: Query[UnitQuery]):
    qs = Unit.objects.select_related("parent", "region").order_by("path")
    if params.kind:
        qs = qs.filter(kind=params.kind)
    if params.under:
        root = Unit.objects.filter(code=params.under).first()
        qs = qs.filter(path__startswith=root.path) if root else qs.none()
    if params.q:
        qs = qs.filter(name__icontains=params.q)
    return [_out(u) for u in qs[:5000]]


@router.post("/units", response={201: UnitOut, **ERRORS}, summary="新增组织单元")
def create_unit(request: HttpRequest, body: UnitIn):
    return 201, _out(services.add_unit(actor=request.auth, **body.dict()))
