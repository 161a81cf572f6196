from django.core.management.base import BaseCommand, CommandError

from complaintloop.org.models import ApiToken, Staff


class Command(BaseCommand):
    help = "Issue an API bearer token for a staff member and print it once."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="cli")

    def handle(self, *args, username: str, name: str, **options):
        staff = Staff.objects.filter(username=username).first()
        if staff is None:
            raise CommandError(f"no staff member named {username!r}")
        _, key = ApiToken.issue(staff, name=name)
        self.stdout.write(key)
