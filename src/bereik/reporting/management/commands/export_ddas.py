from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bereik.reporting.ddas import DeliveryInvalid
from bereik.reporting.services import export_ddas

from ._common import municipality_by_code, parse_date, writable

_INVALID = gettext_lazy(
    "The delivery does not meet the national schema (%(count)d errors); nothing was written."
)


class Command(BaseCommand):
    help = _(
        "Write the DDAS delivery (national exchange model, JSON) of one municipality for a "
        "period, validated against the national schema. It holds BSNs; the export is audited."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--organisation", required=True, help=_("The municipality's CBS code, e.g. 0363.")
        )
        parser.add_argument("--from", required=True, dest="date_from", help="YYYY-MM-DD")
        parser.add_argument("--to", required=True, dest="date_to", help="YYYY-MM-DD")
        parser.add_argument("file", type=Path, help=_("The JSON file to write."))

    def handle(self, *args, **options):
        municipality = municipality_by_code(options["organisation"])
        date_from = parse_date(options["date_from"], "--from")
        date_to = parse_date(options["date_to"], "--to")
        if date_to < date_from:
            raise CommandError(_("--to lies before --from."))
        path = writable(options["file"])
        try:
            content = export_ddas(municipality=municipality, date_from=date_from, date_to=date_to)
        except DeliveryInvalid as exc:
            for error in exc.errors[:50]:
                self.stderr.write(str(error))
            raise CommandError(_INVALID % {"count": len(exc.errors)}) from None
        path.write_bytes(content)
        self.stdout.write(_("Wrote %(path)s.") % {"path": path})
