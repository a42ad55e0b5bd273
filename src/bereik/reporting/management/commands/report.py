from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from bereik.reporting.forms import parse_month
from bereik.reporting.report import FORMATS
from bereik.reporting.services import export_report

from ._common import municipality_by_code, writable


class Command(BaseCommand):
    help = _(
        "Write the monthly report of one municipality as Excel or PDF: key figures, every table "
        "and chart, aggregates only with small counts suppressed. The export is audited."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--organisation", required=True, help=_("The municipality's CBS code, e.g. 0363.")
        )
        parser.add_argument("--month", required=True, help=_("The month as YYYY-MM."))
        parser.add_argument("--format", required=True, choices=FORMATS, dest="file_format")
        parser.add_argument("--output", required=True, type=Path, help=_("The file to write."))

    def handle(self, *args, **options):
        municipality = municipality_by_code(options["organisation"])
        try:
            start, end = parse_month(options["month"])
        except ValueError:
            raise CommandError(
                _("--month must be a month as YYYY-MM, not “%(value)s”.")
                % {"value": options["month"]}
            ) from None
        path = writable(options["output"])
        content = export_report(
            municipality=municipality,
            period_start=start,
            period_end=end,
            file_format=options["file_format"],
        )
        path.write_bytes(content)
        self.stdout.write(
            _("Wrote %(path)s: monthly report of %(name)s for %(month)s.")
            % {"path": path, "name": municipality.name, "month": options["month"]}
        )
