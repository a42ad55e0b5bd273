import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from bereik.accounts.models import Organisation
from bereik.accounts.roles import OrganisationKind
from bereik.lifecycle import selectors, services


class Command(BaseCommand):
    help = _(
        "Month-end closure: close the cases of one matching period without contact or without a "
        "help request, with their DDAS end result, as one batch that can be undone in the UI."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--organisation", required=True, help=_("The municipality's CBS code, e.g. 0363.")
        )
        parser.add_argument("--month", required=True, help=_("The matching period, YYYY-MM."))
        parser.add_argument(
            "--dry-run", action="store_true", help=_("Only show what would be closed.")
        )
        parser.add_argument("--json", action="store_true", help=_("Print the result as JSON."))

    def handle(self, *args, **options):
        code = options["organisation"]
        municipality = Organisation.objects.filter(
            kind=OrganisationKind.MUNICIPALITY, municipality_code=code
        ).first()
        if municipality is None:
            raise CommandError(_("No municipality with code %(code)s.") % {"code": code})
        try:
            month = services.parse_month(options["month"])
            services.check_closable(month, timezone.localdate())
            if options["dry_run"]:
                plan = selectors.closure_plan(municipality, month)
                self._report(plan, options, batch=None)
                return
            batch = services.close_month(municipality=municipality, month=month)
        except services.LifecycleError as error:
            raise CommandError(error.message) from None
        self._report(selectors.closure_plan(municipality, month), options, batch=batch)

    def _report(self, plan, options, batch):
        counts = batch.counts if batch is not None else plan.counts()
        skipped = batch.skipped if batch is not None else plan.skipped_counts()
        total = batch.case_count if batch is not None else len(plan.to_close)
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        "organisation": plan.municipality.municipality_code,
                        "month": f"{plan.month:%Y-%m}",
                        "dry_run": batch is None,
                        "batch": batch.pk if batch is not None else None,
                        "closed": total,
                        "per_end_result": counts,
                        "skipped": skipped,
                        "left_open": plan.left_open,
                    },
                    indent=2,
                    ensure_ascii=False,
                )
            )
            return
        if batch is None:
            self.stdout.write(
                _(
                    "%(month)s, %(name)s: %(count)d cases would be closed (dry run, nothing "
                    "changed)."
                )
                % {"month": f"{plan.month:%Y-%m}", "name": plan.municipality.name, "count": total}
            )
        else:
            self.stdout.write(
                _("%(month)s, %(name)s: %(count)d cases closed (batch %(batch)d).")
                % {
                    "month": f"{plan.month:%Y-%m}",
                    "name": plan.municipality.name,
                    "count": total,
                    "batch": batch.pk,
                }
            )
        for result, count in counts.items():
            self.stdout.write(f"  {result}: {count}")
        if skipped:
            self.stdout.write(_("Skipped:"))
            for reason, count in skipped.items():
                self.stdout.write(f"  {selectors.SKIP_REASONS[reason]}: {count}")
