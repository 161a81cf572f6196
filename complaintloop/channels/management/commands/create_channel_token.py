from django.core.management.base import BaseCommand, CommandError

from complaintloop.channels.services import media
from complaintloop.core.errors import DomainError
from complaintloop.org.models import ApiToken


class Command(BaseCommand):
    help = (
        "Create (or reuse) the integration account of a unit for the voicemail/fax "
        "endpoints and print a new bearer token once."
    )

    def add_arguments(self, parser):
        parser.add_argument("unit", help="code of the unit that takes the calls, e.g. NJ-KF")
        parser.add_argument("--name", default="voicemail-fax")

    def handle(self, *args, unit: str, name: str, **options):
        try:
            staff = media.integration_account(unit)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        _token, key = ApiToken.issue(staff, name=name)
        self.stderr.write(f"account {staff.username}")
        self.stdout.write(key)
