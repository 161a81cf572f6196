from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema

from complaintloop.core.schemas import ERRORS

from . import selectors, services

router = Router(tags=["customers"])


class CustomerIn(Schema):
    name: str = Field(..., max_length=64)
    phone: str = Field(..., max_length=20)
    level: str = Field("ordinary", max_length=16, description="vip/gold/silver/ordinary")
    region: str = Field("", max_length=32)
    id_number: str = Field("", max_length=32)
    email: str = Field("", max_length=254)
    is_enterprise: bool = False
    enterprise_name: str = Field("", max_length=128)


class CustomerOut(Schema):
    id: int
    name: str
    phone: str
    id_number: str
    email: str
    level: str
    region: str | None
    is_enterprise: bool
    enterprise_name: str
    flags: list[str]


class CustomerPage(Schema):
    items: list[CustomerOut]
    next_cursor: int | None


class CustomerQuery(Schema):
    q: str = Field("", max_length=64, description="号码(精确)、姓名前缀或集团名称")
    level: str = Field("", max_length=16)
    cursor: int | None = Field(None, ge=1, le=2**62)
    limit: int = Field(50, ge=1, le=200)


@router.get("/customers", response={200: CustomerPage, **ERRORS}, summary="查询客户(号码已脱敏)")
def list_customers(request: HttpRequest, params: Query[CustomerQuery]):
    qs = selectors.search(request.auth, params.q, params.level).prefetch_related("list_entries")
    if params.cursor:
        qs = qs.filter(id__lt=params.cursor)
    rows = list(qs[: params.limit + 1])
    more = len(rows) > params.limit
    rows = rows[: params.limit]
    return {
        "items": [selectors.as_dict(c) for c in rows],
        "next_cursor": rows[-1].pk if more and rows else None,
    }


@router.post("/customers", response={201: CustomerOut, **ERRORS}, summary="登记客户")
def create_customer(request: HttpRequest, body: CustomerIn):
    customer = services.register(actor=request.auth, **body.dict())
    return 201, selectors.as_dict(customer)


@router.get("/customers/{customer_id}", response={200: CustomerOut, **ERRORS}, summary="客户详情")
def get_customer(
    request: HttpRequest, customer_id: int = Path(..., ge=1, le=2**62), unmask: bool = False
):
    customer = selectors.get(customer_id, request.auth)
    return selectors.reveal(customer, request.auth) if unmask else selectors.as_dict(customer)
