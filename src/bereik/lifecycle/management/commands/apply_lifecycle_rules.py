import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from bereik.accounts.models import Organisation
from bereik.accounts.roles import OrganisationKind
from bereik.lifecycle import services
from bereik.lifecycle.models import RuleKind
from bereik.lifecycle.tasks import apply_lifecycle_rules


class Command(BaseCommand):
    help = _(
        "Run the re-approach and escalation rules and store proposals for the coordinator to "
        "review. Nothing happens to a resident until a coordinator confirms a proposal."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--organisation", help=_("Only this municipality (its CBS code); default: all.")
        )
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help=_("Hand the work to the background worker instead of running it here."),
        )
        parser.add_argument("--json", action="store_true", help=_("Print the result as JSON."))

    def handle(self, *args, **options):
        code = options["organisation"]
        municipalities = Organisation.objects.filter(
            kind=OrganisationKind.MUNICIPALITY, is_active=True
        ).order_by("pk")
        if code:
            municipalities = municipalities.filter(municipality_code=code)
            if not municipalities.exists():
                raise CommandError(_("No municipality with code %(code)s.") % {"code": code})
        if options["enqueue"]:
            result = apply_lifecycle_rules.enqueue(organisation_code=code)
            self.stdout.write(_("Rules queued: %(id)s") % {"id": result.id})
            return
        results = {}
        for municipality in municipalities:
            made = services.apply_rules(municipality=municipality)
            results[municipality.municipality_code] = made
            if not options["json"]:
                if not made:
                    self.stdout.write(_("%(name)s: no active rules.") % {"name": municipality.name})
                    continue
                self.stdout.write(
                    _("%(name)s: %(count)d new proposals.")
                    % {"name": municipality.name, "count": sum(made.values())}
                )
                for kind, count in made.items():
                    self.stdout.write(f"  {RuleKind(kind).label}: {count}")
        if options["json"]:
            self.stdout.write(json.dumps(results, indent=2))
