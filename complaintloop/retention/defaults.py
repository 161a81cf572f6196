"""The policies a new installation starts with (data migration 0002, and the test
suite's reference data)."""

# Neither the requirements (R33 asks for "retention policy", no periods) nor the seed
# documents name a period, so these are starting values for the operator's privacy
# officer to confirm on /retention/: files and customer data three years after the
# ticket is closed (long enough for a repeat complaint, a regulator's review and yearly
# comparisons), recordings 180 days (they are transcribed into the ticket at intake).
DEFAULTS = [
    ("attachments", 3, "years"),
    ("recordings", 180, "days"),
    ("customer_pii", 3, "years"),
]
BASIS = "默认值(R33 未规定期限),请按《个人信息保护法》第十九条“实现处理目的所必要的最短时间”和本单位制度确认"
