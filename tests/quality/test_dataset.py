"""The data set is what its docstring says (guards every hand-computed value)."""

from .conftest import at


def test_dataset_matches_its_story(dataset):
    d = dataset
    assert d.t1.resolved_at == at(2025, 10, 9, 10, 0) and d.t1.due_at == at(2025, 10, 10, 15, 0)
    assert d.t1.first_response_at == at(2025, 9, 30, 16, 0)
    assert d.t1.satisfaction == "neutral" and d.t1.status == "closed"
    assert d.t2.owner_unit is None or d.t2.status == "closed"
    assert d.t2.suspended_minutes == 120 and d.t2.due_at == at(2025, 10, 11, 11, 0)
    assert d.t2.resolved_at == at(2025, 10, 11, 12, 0)
    assert d.t3.second_handling and d.t3.transfer_count == 1 and d.t3.satisfaction == "satisfied"
    assert d.t3.resolved_at == at(2025, 10, 10, 15, 0) and d.t3.resolved_at <= d.t3.due_at
    assert d.t4.is_fcr and d.t4.status == "closed" and d.t4.satisfaction == ""
    assert d.t5.is_pre_handled and d.t5.status == "new"
    assert (d.t5.urge_count, d.t5.is_supervised, d.t5.escalation_level) == (1, True, 1)
    assert d.t6.customer_level == "vip" and d.t6.due_at == at(2025, 10, 10, 10, 0)
    assert d.t6.region.code == "SZ" and d.t6.status == "closed"
    assert d.t7.order_type.code == "inquiry" and d.t7.return_count == 1
    regions = {t.region.code for t in (d.t1, d.t2, d.t3, d.t4, d.t5, d.t7)}
    assert regions == {"NJ"}
