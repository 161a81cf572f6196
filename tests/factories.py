import factory

from complaintloop.customers.models import Customer, CustomerLevel
from complaintloop.org.models import Role, Staff, Unit, UnitKind
from complaintloop.taxonomy.models import Category, OrderType


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"U{n}")
    name = factory.LazyAttribute(lambda o: o.code)
    kind = UnitKind.DEPARTMENT


class StaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Staff
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"staff{n}")
    display_name = factory.LazyAttribute(lambda o: o.username)
    role = Role.HANDLER
    password = factory.PostGenerationMethodCall("set_password", "pw-12345678")


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer
        django_get_or_create = ("phone",)

    name = "张三"
    phone = factory.Sequence(lambda n: f"1380000{n:04d}")
    level = CustomerLevel.ORDINARY


class OrderTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrderType
        django_get_or_create = ("code",)

    code = "complaint"
    name = "投诉"
    time_limit_minutes = 2 * 540


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"C{n}")
    name = factory.LazyAttribute(lambda o: o.code)
    level = 1


ROUTING_INPUTS = ("order_type", "category", "region", "customer_level", "channel", "text")


def publish_routing_table(rows: list[dict], *, hit_policy: str = "COLLECT", actor=None):
    """Publish a ``routing`` decision table built from rows of field values: inputs
    (order_type, category, region, customer_level: codes; channel; text: a keyword)
    and outputs (unit, department, urgency, time_limit_minutes, process_key)."""
    from complaintloop.routing import dmn, tables
    from complaintloop.routing import services as routing

    sheet = dmn.Sheet(
        key=tables.ROUTING,
        name="派单规则",
        hit_policy=hit_policy,
        inputs=[(name, name) for name in ROUTING_INPUTS],
        outputs=[(n, str(label), t) for n, label, t in tables.SPECS[tables.ROUTING].outputs],
    )
    for i, row in enumerate(rows, start=1):
        cells = [
            f"contains(?, {dmn.literal(row['text'])})"
            if name == "text" and row.get("text")
            else dmn.literal(row.get(name, ""))
            for name in ROUTING_INPUTS
        ]
        outputs = [
            dmn.literal(row.get(n)) for n, _label, _t in tables.SPECS[tables.ROUTING].outputs
        ]
        sheet.rows.append((row.get("id", f"r{i}"), row.get("name", f"rule {i}"), cells, outputs))
    return routing.publish_sheet(sheet, actor=actor)
