from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from bereik.accounts.models import Organisation
from bereik.accounts.roles import OrganisationKind
from bereik.privacy.exports import write_municipality_export


class Command(BaseCommand):
    help = _(
        "Write everything of one municipality to a ZIP file with CSV and JSON files and a "
        "description of every file and column (docs/exit-export.md). The export is audited."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--organisation", required=True, help=_("The municipality's CBS code, e.g. 0363.")
        )
        parser.add_argument("file", type=Path, help=_("The ZIP file to write."))

    def handle(self, *args, **options):
        try:
            municipality = Organisation.objects.get(
                municipality_code=options["organisation"], kind=OrganisationKind.MUNICIPALITY
            )
        except Organisation.DoesNotExist:
            raise CommandError(
                _("No municipality with code %(code)s.") % {"code": options["organisation"]}
            ) from None
        path: Path = options["file"]
        if not path.parent.is_dir():
            raise CommandError(_("Folder not found: %(path)s") % {"path": path.parent})
        manifest = write_municipality_export(municipality=municipality, target=path)
        rows = sum(table["rows"] for table in manifest["tables"])
        self.stdout.write(
            _("Wrote %(path)s: %(tables)d tables, %(rows)d rows.")
            % {"path": path, "tables": len(manifest["tables"]), "rows": rows}
        )
