"""Background work of the handover app (django-tasks-db's worker in production, immediately in
tests)."""

from django.tasks import task

from bereik.accounts.models import Organisation

from . import services


@task()
def hand_over_queued_cases_of(municipality_id: int) -> int:
    """Handovers for the municipality's newly queued cases (``services.on_case_transitioned``)."""
    municipality = Organisation.objects.filter(pk=municipality_id).first()
    if municipality is None:
        return 0
    return services.hand_over_queued_cases(municipality=municipality)
