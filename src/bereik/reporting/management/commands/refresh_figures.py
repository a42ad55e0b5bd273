"""``bereik refresh_figures [--organisation CODE] [--month YYYY-MM] [--requested]``: recompute the
monthly rollup the dashboard reads (docs/reporting.md, "Precomputed figures")."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from bereik.accounts.models import Organisation
from bereik.accounts.roles import OrganisationKind
from bereik.reporting import services
from bereik.reporting.forms import parse_month

from ._common import municipality_by_code


class Command(BaseCommand):
    help = _(
        "Recompute the precomputed monthly figures of the results dashboard: every month of "
        "every municipality, or only the municipality and month given."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--organisation", help=_("Only this municipality (its CBS code); default: all.")
        )
        parser.add_argument("--month", help=_("Only this month (YYYY-MM); default: all months."))
        parser.add_argument(
            "--requested",
            action="store_true",
            help=_("Only the municipalities with changes since their last refresh."),
        )

    def handle(self, *args, **options):
        month = None
        if options["month"]:
            try:
                month, _end = parse_month(options["month"])
            except ValueError:
                raise CommandError(_("Give the month as YYYY-MM, e.g. 2026-10.")) from None
        if options["requested"]:
            done = services.refresh_requested()
            self.stdout.write(_("Municipalities refreshed: %(count)d") % {"count": done})
            return
        if options["organisation"]:
            municipalities = [municipality_by_code(options["organisation"])]
        else:
            municipalities = Organisation.objects.filter(
                kind=OrganisationKind.MUNICIPALITY
            ).order_by("pk")
        for municipality in municipalities:
            result = services.refresh_figures(municipality=municipality, month=month)
            self.stdout.write(
                _("%(name)s: %(months)d months, %(rows)d figures.")
                % {"name": municipality.name, **result}
            )
        if not options["organisation"] and not month:
            services.analyze_figures()
