"""Background work of the intake, run by the task backend (django-tasks-db's worker in
production, immediately in tests)."""

from django.tasks import task

from .models import ImportRun
from .services import fail_stale_runs, process_stored_run


@task()
def import_signals(run_id: int) -> dict:
    fail_stale_runs()  # runs whose worker was killed: failed, their uploads deleted
    run = process_stored_run(ImportRun.objects.select_related("municipality").get(pk=run_id))
    return {"status": run.status, "rows": run.rows, "imported": run.imported}
