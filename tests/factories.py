import factory

from complaintloop.customers.models import Customer, CustomerLevel
from complaintloop.org.models import Role, Staff, Unit, UnitKind
from complaintloop.routing.models import RoutingRule
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


class RoutingRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoutingRule

    name = factory.Sequence(lambda n: f"rule {n}")
    priority = 100
