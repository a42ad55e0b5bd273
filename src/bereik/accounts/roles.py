"""Roles and what each may do. Roles are fixed by the domain; their permissions live here, in one
table, so a reviewer can read who may do what in one place."""

from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganisationKind(models.TextChoices):
    MUNICIPALITY = "municipality", _("Municipality")
    CONTACT_CENTRE = "contact_centre", _("Contact centre")
    SOCIAL_WORK = "social_work", _("Social-work organisation")


class Role(models.TextChoices):
    AGENT = "agent", _("Agent")
    SUPERVISOR = "supervisor", _("Supervisor")
    QUALITY_MANAGER = "quality_manager", _("Quality manager")
    SOCIAL_WORKER = "social_worker", _("Social worker")
    COORDINATOR = "coordinator", _("Municipal coordinator")
    FUNCTIONAL_ADMIN = "functional_admin", _("Functional administrator")


class Permission(StrEnum):
    """Capabilities. Personal-data permissions are evaluated per municipality (see ``access``)."""

    VIEW_RESIDENT = "view_resident"  # name, address, age, phone numbers: what a call needs
    VIEW_BSN = "view_bsn"  # the citizen service number: only where the role needs it
    WORK_CALL_QUEUE = "work_call_queue"
    MANAGE_CAMPAIGNS = "manage_campaigns"
    REVIEW_QUALITY = "review_quality"
    HANDLE_HANDOVERS = "handle_handovers"
    IMPORT_SIGNALS = "import_signals"
    MANAGE_RULES = "manage_rules"  # routing, scripts, retention terms
    VIEW_REPORTS = "view_reports"
    MANAGE_USERS = "manage_users"
    VIEW_AUDIT = "view_audit"
    CLOSE_MONTH = "close_month"  # month-end closure and its undo
    PARTNER_FEEDBACK = "partner_feedback"  # picked-up feedback and wrong-number lists for partners


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.AGENT: frozenset({Permission.VIEW_RESIDENT, Permission.WORK_CALL_QUEUE}),
    Role.SUPERVISOR: frozenset(
        {
            Permission.VIEW_RESIDENT,
            Permission.WORK_CALL_QUEUE,
            Permission.MANAGE_CAMPAIGNS,
            Permission.VIEW_REPORTS,
            Permission.CLOSE_MONTH,
        }
    ),
    Role.QUALITY_MANAGER: frozenset({Permission.VIEW_RESIDENT, Permission.REVIEW_QUALITY}),
    Role.SOCIAL_WORKER: frozenset({Permission.VIEW_RESIDENT, Permission.HANDLE_HANDOVERS}),
    Role.COORDINATOR: frozenset(
        {
            Permission.VIEW_RESIDENT,
            Permission.VIEW_BSN,
            Permission.IMPORT_SIGNALS,
            Permission.MANAGE_RULES,
            Permission.VIEW_REPORTS,
            Permission.CLOSE_MONTH,
            Permission.PARTNER_FEEDBACK,
        }
    ),
    Role.FUNCTIONAL_ADMIN: frozenset(
        {Permission.MANAGE_USERS, Permission.VIEW_AUDIT, Permission.IMPORT_SIGNALS}
    ),
}

# Which organisation kinds a role can be held in. A municipality may run its own calling.
ROLE_ORGANISATION_KINDS: dict[Role, frozenset[OrganisationKind]] = {
    Role.AGENT: frozenset({OrganisationKind.CONTACT_CENTRE, OrganisationKind.MUNICIPALITY}),
    Role.SUPERVISOR: frozenset({OrganisationKind.CONTACT_CENTRE, OrganisationKind.MUNICIPALITY}),
    Role.QUALITY_MANAGER: frozenset(
        {OrganisationKind.CONTACT_CENTRE, OrganisationKind.MUNICIPALITY}
    ),
    Role.SOCIAL_WORKER: frozenset({OrganisationKind.SOCIAL_WORK, OrganisationKind.MUNICIPALITY}),
    Role.COORDINATOR: frozenset({OrganisationKind.MUNICIPALITY}),
    Role.FUNCTIONAL_ADMIN: frozenset(OrganisationKind),
}


def role_fits(role: Role | str, kind: OrganisationKind | str) -> bool:
    """Whether a role can be held in an organisation of this kind."""
    return OrganisationKind(kind) in ROLE_ORGANISATION_KINDS[Role(role)]
