"""``manage.py seed_demo``: a realistic Jiangsu demo data set (org, customers, taxonomy,
routing rules and months of tickets with their events and work items)."""

import json

from django.core.management.base import BaseCommand

from complaintloop.demo import generator as demo


class Command(BaseCommand):
    help = "生成演示数据:组织、人员、客户、分类、路由规则和历史工单(可重复运行)"

    def add_arguments(self, parser):
        parser.add_argument("--orders", type=int, default=20000, help="工单数量")
        parser.add_argument("--months", type=int, default=6, help="覆盖最近几个月")
        parser.add_argument("--seed", type=int, default=42, help="随机种子(结果可复现)")
        parser.add_argument("--if-empty", action="store_true", help="已有工单时什么也不做")
        parser.add_argument("--batch", type=int, default=5000, help="每批插入的工单数")

    def handle(self, *args, **options):
        def progress(message: str) -> None:
            self.stdout.write(message)
            self.stdout.flush()

        result = demo.seed(
            orders=options["orders"],
            months=options["months"],
            seed=options["seed"],
            if_empty=options["if_empty"],
            batch=options["batch"],
            progress=progress,
        )
        self.stdout.write(json.dumps(result, ensure_ascii=False))
