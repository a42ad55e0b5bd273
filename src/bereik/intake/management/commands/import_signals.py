import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from bereik.accounts.models import Organisation
from bereik.accounts.roles import OrganisationKind
from bereik.intake.models import ImportRun
from bereik.intake.services import DEFAULT_SOURCE, import_file, run_report


class Command(BaseCommand):
    help = _(
        "Import a signal file (CSV, XLSX or DDAS JSON) for one municipality: check every row, "
        "store the valid ones, match them into cases and route the new cases."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--organisation", required=True, help=_("The municipality's CBS code, e.g. 0363.")
        )
        parser.add_argument(
            "--source",
            default=DEFAULT_SOURCE,
            help=_("Where the file comes from (RIS, VPS, a partner); part of the duplicate key."),
        )
        parser.add_argument(
            "--all-or-nothing",
            action="store_true",
            help=_("Import nothing when any row has an error."),
        )
        parser.add_argument(
            "--json", action="store_true", help=_("Print the result as one JSON object.")
        )

    def handle(self, *args, **options):
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(_("File not found: %(path)s") % {"path": path})
        try:
            municipality = Organisation.objects.get(
                municipality_code=options["organisation"], kind=OrganisationKind.MUNICIPALITY
            )
        except Organisation.DoesNotExist:
            raise CommandError(
                _("No municipality with code %(code)s.") % {"code": options["organisation"]}
            ) from None
        mode = (
            ImportRun.Mode.ALL_OR_NOTHING
            if options["all_or_nothing"]
            else ImportRun.Mode.VALID_ROWS
        )
        run = import_file(path, municipality=municipality, source=options["source"], mode=mode)
        report = run_report(run)
        if options["json"]:
            self.stdout.write(json.dumps(report, ensure_ascii=False))
        else:
            self._print(report)
        if run.status == ImportRun.Status.FAILED:
            raise SystemExit(1)

    def _print(self, report: dict) -> None:
        if report["message"]:
            self.stdout.write(report["message"])
        self.stdout.write(
            _(
                "%(rows)d rows: %(imported)d imported, %(rejected)d rejected, %(duplicates)d "
                "duplicates; %(created)d cases created, %(updated)d cases updated."
            )
            % {
                "rows": report["rows"],
                "imported": report["imported"],
                "rejected": report["rejected"],
                "duplicates": report["duplicates"],
                "created": report["cases_created"],
                "updated": report["cases_updated"],
            }
        )
        for kind in ("errors", "warnings"):
            for issue in report[kind][:50]:
                row = issue["row"] if issue["row"] is not None else "-"
                self.stdout.write(f"  {row}\t{issue['column']}\t{issue['message']}")
            if len(report[kind]) > 50:
                self.stdout.write(_("  … and %(count)d more") % {"count": len(report[kind]) - 50})
