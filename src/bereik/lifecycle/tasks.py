"""Background work of the lifecycle app. Schedule ``apply_lifecycle_rules`` daily or after each
signal import (docs/lifecycle.md); it only makes proposals, never changes a case."""

from django.tasks import task

from bereik.accounts.models import Organisation
from bereik.accounts.roles import OrganisationKind

from . import services


@task()
def apply_lifecycle_rules(organisation_code: str | None = None) -> dict:
    municipalities = Organisation.objects.filter(
        kind=OrganisationKind.MUNICIPALITY, is_active=True
    ).order_by("pk")
    if organisation_code:
        municipalities = municipalities.filter(municipality_code=organisation_code)
    return {
        municipality.municipality_code: services.apply_rules(municipality=municipality)
        for municipality in municipalities
    }
