"""Make an API token from the command line (installation, automation). Prints the token once."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from bereik.accounts.models import Organisation
from bereik.api import services
from bereik.api.models import Scope


class Command(BaseCommand):
    help = "Create an API token for an organisation and print it (it is shown only once)."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True, help="The application, e.g. 'RIS koppeling'.")
        organisation = parser.add_mutually_exclusive_group(required=True)
        organisation.add_argument("--municipality-code", help="CBS code, e.g. 0363.")
        organisation.add_argument("--organisation-id", type=int)
        parser.add_argument(
            "--scope",
            action="append",
            required=True,
            choices=Scope.values,
            help="Repeat for several scopes.",
        )
        parser.add_argument("--days", type=int, default=365, help="Valid for; 0: no expiry.")

    def handle(self, *args, **options):
        if options["municipality_code"]:
            organisation = Organisation.objects.filter(
                municipality_code=options["municipality_code"]
            ).first()
        else:
            organisation = Organisation.objects.filter(pk=options["organisation_id"]).first()
        if organisation is None:
            raise CommandError("No such organisation.")
        days = options["days"]
        expires_at = timezone.now() + dt.timedelta(days=days) if days > 0 else None
        try:
            _token, secret = services.create_token(
                actor=None,
                organisation=organisation,
                name=options["name"],
                scopes=options["scope"],
                expires_at=expires_at,
            )
        except ValidationError as invalid:
            raise CommandError(" ".join(invalid.messages)) from None
        self.stdout.write(secret)
