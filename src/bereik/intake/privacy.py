"""The intake's part in the retention purge: error reports quote values of the imported rows
(a rejected phone number, a BSN that failed the 11-proef), so they are deleted once past the
municipality's term for import reports. The run itself and its counts stay."""

import datetime

from django.db.models import Exists, OuterRef

from bereik.privacy.models import RetentionCategory
from bereik.privacy.selectors import add_months

from .models import ImportRun, RowIssue


def sweep_import_reports(*, municipality, terms: dict[str, int], today: datetime.date) -> dict:
    cutoff = add_months(today, -terms[RetentionCategory.IMPORT_REPORTS])
    runs = ImportRun.objects.filter(
        municipality=municipality,
        created_at__date__lt=cutoff,
        status__in=(ImportRun.Status.DONE, ImportRun.Status.FAILED),
    ).filter(Exists(RowIssue.objects.filter(run=OuterRef("pk"))))
    run_ids = list(runs.values_list("pk", flat=True))
    if not run_ids:
        return {}
    rows, _by_model = RowIssue.objects.filter(run_id__in=run_ids).delete()
    return {"import_reports": len(run_ids), "import_report_rows": rows}
