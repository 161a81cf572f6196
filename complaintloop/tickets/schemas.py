from datetime import datetime

from ninja import Field, Schema


class TicketIn(Schema):
    order_type: str = Field(
        ...,
        description="工单类型编码: complaint/suggestion/request/appointment/inquiry/praise",
        min_length=1,
        max_length=32,
    )
    channel: str = Field(
        ..., description="受理渠道: phone/hall/web/app/email/sms/...", max_length=32
    )
    description: str = Field(..., max_length=20000)
    title: str = Field("", max_length=200)
    customer_phone: str = Field("", max_length=20)
    customer_id: int | None = Field(None, ge=1, le=2**62)
    customer_name: str = Field("", max_length=64)
    category: str = Field("", description="分类编码(叶子)", max_length=32)
    product: str = Field("", max_length=32)
    sp: str = Field("", max_length=32)
    urgency: str = Field("", description="normal/urgent/critical;留空由路由决定", max_length=16)
    region: str = Field("", description="地市单位编码;留空取客户所属地市", max_length=32)
    resolve_now: bool = Field(False, description="首问解决:受理即办结")
    resolution: str = Field("", max_length=20000)
    pre_handling: str = Field("", description="预处理说明", max_length=20000)
    dispatch: bool = Field(True, description="false: 留在受理单位待派单")


class CustomerBrief(Schema):
    id: int
    name: str
    phone: str
    level: str


class WorkItemOut(Schema):
    id: int
    kind: str
    step: str
    unit: str
    unit_name: str
    staff: str | None
    status: str
    due_at: datetime | None
    sla_state: str
    request: str


class TicketListItem(Schema):
    number: str
    status: str
    status_label: str
    order_type: str
    channel: str
    title: str
    category: str | None
    category_name: str | None
    urgency: str
    region: str
    owner_unit: str | None
    owner_staff: str | None
    customer_level: str
    created_at: datetime
    due_at: datetime | None
    sla_state: str


class TicketOut(TicketListItem):
    description: str
    current_step: str
    customer: CustomerBrief
    accepting_unit: str | None
    time_basis: str
    time_limit_minutes: int
    first_response_due_at: datetime | None
    first_response_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    suspended_minutes: int
    urge_count: int
    return_count: int
    transfer_count: int
    reopen_count: int
    escalation_level: int
    is_supervised: bool
    is_fcr: bool
    is_pre_handled: bool
    second_handling: bool
    incident: str | None = Field(None, description="所属重大故障编号(批量投诉)")
    satisfaction: str
    resolution: str
    parent: str | None
    merged_into: str | None
    version: int
    work_items: list[WorkItemOut]
    actions: list[str] = Field(description="当前用户此刻可执行的操作")


class TicketPage(Schema):
    items: list[TicketListItem]
    next_cursor: str | None


class EventOut(Schema):
    seq: int
    kind: str
    kind_label: str
    actor: str | None
    at: datetime
    from_status: str
    to_status: str
    comment: str
    payload: dict


class ActionBase(Schema):
    comment: str = Field("", max_length=20000)
    version: int | None = Field(None, ge=1, le=2**31, description="期望的工单版本;不一致返回 409")


class ToUnitAction(ActionBase):
    to_unit: str = Field(..., description="目标单位编码", max_length=32)


class AssignAction(ActionBase):
    to_staff: str | None = Field(
        None, max_length=150, description="该单位人员的用户名;为空则收回到单位待办池"
    )


class AssistAction(ActionBase):
    units: list[str] = Field(..., description="协办单位编码", max_length=20)
    time_limit_minutes: int | None = Field(None, ge=1, le=100000)


class CompleteAssistAction(ActionBase):
    unit: str = Field("", description="协办单位编码(可省略)", max_length=32)


class CallbackAction(ActionBase):
    result: str = Field(..., description="satisfied / neutral / dissatisfied", max_length=16)


class TargetAction(ActionBase):
    target: str = Field(..., description="目标工单号", max_length=32)


class LinkAction(TargetAction):
    kind: str = Field("related", description="related / duplicate", max_length=16)


class BulkAction(Schema):
    numbers: list[str] = Field(..., min_length=1, max_length=100, description="工单号,最多 100 张")
    comment: str = Field("", max_length=20000)
    to_unit: str = Field("", max_length=32, description="转派时必填")


class BulkResult(Schema):
    number: str
    ok: bool
    status: str | None = None
    code: str | None = None
    message: str | None = None


class BulkOut(Schema):
    succeeded: int
    failed: int
    results: list[BulkResult]
