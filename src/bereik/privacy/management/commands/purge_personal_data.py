import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from bereik.accounts.models import Organisation
from bereik.accounts.roles import OrganisationKind
from bereik.privacy import selectors, services
from bereik.privacy.tasks import purge_personal_data


class Command(BaseCommand):
    help = _(
        "Remove or anonymise the personal data of cases past their retention term, keeping the "
        "anonymous figures. Run daily (cron or a systemd timer)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--organisation", help=_("Only this municipality (its CBS code, e.g. 0363).")
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help=_("Only count what would be purged; change nothing."),
        )
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help=_("Hand the purge to the background worker instead of running it here."),
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=services.DEFAULT_BATCH_SIZE,
            help=_("Cases per batch."),
        )
        parser.add_argument(
            "--date",
            type=datetime.date.fromisoformat,
            help=_("Measure the terms against this date (YYYY-MM-DD) instead of today."),
        )

    def handle(self, *args, **options):
        code = options["organisation"]
        municipalities = Organisation.objects.filter(
            kind=OrganisationKind.MUNICIPALITY, is_active=True
        ).order_by("pk")
        if code:
            municipalities = municipalities.filter(municipality_code=code)
            if not municipalities.exists():
                raise CommandError(_("No municipality with code %(code)s.") % {"code": code})
        if options["batch_size"] < 1:
            raise CommandError(_("The batch size must be at least 1."))
        today = options["date"] or timezone.localdate()
        if options["enqueue"]:
            result = purge_personal_data.enqueue(organisation_code=code)
            self.stdout.write(_("Purge queued: %(id)s") % {"id": result.id})
            return
        for municipality in municipalities:
            if options["dry_run"]:
                plan = selectors.purge_plan(municipality, today)
                self.stdout.write(
                    _(
                        "%(name)s: %(due)d cases due (%(categories)s), %(held)d under legal hold "
                        "(dry run, nothing changed)."
                    )
                    % {
                        "name": municipality.name,
                        "due": len(plan.due),
                        "categories": ", ".join(
                            f"{key} {value}" for key, value in plan.by_category().items()
                        ),
                        "held": len(plan.held),
                    }
                )
                continue
            try:
                run = services.purge_municipality(
                    municipality=municipality, today=today, batch_size=options["batch_size"]
                )
            except Exception as error:
                raise CommandError(
                    _(
                        "The purge of %(name)s stopped: %(error)s. Completed batches are kept; "
                        "run the command again to resume."
                    )
                    % {"name": municipality.name, "error": error.__class__.__name__}
                ) from error
            self.stdout.write(
                _("%(name)s: %(cases)d cases purged, %(held)d skipped (legal hold).")
                % {
                    "name": municipality.name,
                    "cases": run.cases_purged,
                    "held": run.skipped_legal_hold,
                }
            )
