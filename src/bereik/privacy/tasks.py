"""Background work of the privacy app, run by the task backend (django-tasks-db's worker in
production, immediately in tests). Schedule ``purge_personal_data`` daily (docs/privacy.md)."""

from django.tasks import task

from bereik.accounts.models import Organisation

from . import services


@task()
def purge_personal_data(organisation_code: str | None = None) -> dict:
    """Purge personal data past its retention term: one municipality, or all of them."""
    if organisation_code:
        municipality = Organisation.objects.get(municipality_code=organisation_code)
        runs = [services.purge_municipality(municipality=municipality)]
    else:
        runs = services.purge_all()
    return {
        "runs": [run.pk for run in runs],
        "cases_purged": sum(run.cases_purged for run in runs),
        "skipped_legal_hold": sum(run.skipped_legal_hold for run in runs),
    }
