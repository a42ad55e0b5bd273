import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from bereik.intake.generator import generate


def _month(value: str) -> datetime.date:
    try:
        return datetime.datetime.strptime(value, "%Y-%m").date()
    except ValueError:
        raise CommandError(_("Give the month as YYYY-MM.")) from None


class Command(BaseCommand):
    help = _(
        "Write a deterministic file of synthetic, realistic Dutch signals (CSV, XLSX or DDAS JSON "
        "by the file's extension)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--rows", type=int, required=True)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--messy",
            action="store_true",
            help=_("Every format variation of real files, plus some defective and doubled rows."),
        )
        parser.add_argument("--month", default="2026-10", help=_("Signal month, YYYY-MM."))
        parser.add_argument("--headers", choices=("canonical", "nl", "en"), default=None)
        parser.add_argument("--encoding", default=None, help=_("e.g. utf-8, utf-8-sig, cp1252"))

    def handle(self, *args, **options):
        if options["rows"] < 0:
            raise CommandError(_("--rows must be zero or more."))
        stats = generate(
            options["file"],
            rows=options["rows"],
            seed=options["seed"],
            messy=options["messy"],
            month=_month(options["month"]),
            headers=options["headers"],
            encoding=options["encoding"],
        )
        self.stderr.write(
            _(
                "%(rows)d rows for %(residents)d residents written (%(defective)d defective, "
                "%(duplicated)d duplicated)."
            )
            % {
                "rows": stats.rows,
                "residents": stats.residents,
                "defective": stats.defective,
                "duplicated": stats.duplicated,
            }
        )
