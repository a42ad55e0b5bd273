from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from bereik.demo import dataset


class Command(BaseCommand):
    help = _(
        "Create the demo installation (Gemeente Voorbeeld, its partners, one user per role and "
        "a month of synthetic signals). Running it again changes nothing."
    )

    def handle(self, *args, **options):
        summary = dataset.load()
        self.stdout.write(
            _("Demo ready: %(orgs)s, %(users)d users, %(signals)d signals.")
            % {
                "orgs": summary.organisations.municipality.name,
                "users": len(dataset.DEMO_USERS),
                "signals": summary.signal_count,
            }
        )
