"""Background work of the reporting app (django-tasks-db's worker in production)."""

from django.tasks import task

from . import services


@task()
def refresh_requested_figures(municipality_id: int) -> int:
    """The debounced refresh of one municipality's rollup (``services.request_figures_refresh``)."""
    return services.refresh_requested(municipality_id=municipality_id)
