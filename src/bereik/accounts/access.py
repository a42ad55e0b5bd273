"""The one door through which views, commands and the API obtain tenant-owned objects.

A membership grants access to municipalities: its own organisation when that is a municipality,
otherwise the municipalities its organisation has a current service agreement with. A permission
is granted for a municipality when at least one membership that reaches that municipality holds a
role with that permission. Everything personal is scoped this way, so staff of municipality A
never see anything of municipality B, whatever URL they guess.
"""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, Model, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from .models import Membership, Organisation, ServiceAgreement
from .roles import ROLE_PERMISSIONS, OrganisationKind, Permission, Role


@dataclass
class Access:
    """What one user may do where. Built once per request (see ``access_for``)."""

    user_id: int | None
    memberships: list[Membership] = field(default_factory=list)
    # permission -> municipality ids where it holds
    _grants: dict[Permission, set[int]] = field(default_factory=dict)

    def municipality_ids(self, permission: Permission) -> set[int]:
        return self._grants.get(permission, set())

    def has(self, permission: Permission) -> bool:
        """True when the user holds the permission anywhere (for navigation and menus)."""
        if permission in (Permission.MANAGE_USERS, Permission.VIEW_AUDIT):
            return any(permission in ROLE_PERMISSIONS[Role(m.role)] for m in self.memberships)
        return bool(self.municipality_ids(permission))

    def can(self, permission: Permission, municipality_id: int) -> bool:
        return municipality_id in self.municipality_ids(permission)

    @property
    def roles(self) -> set[Role]:
        return {Role(m.role) for m in self.memberships}

    def organisations_with(self, permission: Permission) -> list[Organisation]:
        """Organisations where the user holds a role with this organisation-level permission."""
        return [
            m.organisation for m in self.memberships if permission in ROLE_PERMISSIONS[Role(m.role)]
        ]


def _municipalities_reached(memberships: list[Membership]) -> dict[int, set[int]]:
    """Map organisation id -> municipality ids it currently reaches."""
    today = timezone.localdate()
    reached: dict[int, set[int]] = {}
    provider_ids = []
    for membership in memberships:
        organisation = membership.organisation
        if organisation.kind == OrganisationKind.MUNICIPALITY:
            reached[organisation.pk] = {organisation.pk}
        else:
            provider_ids.append(organisation.pk)
            reached.setdefault(organisation.pk, set())
    if provider_ids:
        agreements = ServiceAgreement.objects.filter(
            Q(ends_on__isnull=True) | Q(ends_on__gte=today),
            provider_id__in=provider_ids,
            starts_on__lte=today,
            municipality__is_active=True,
        ).values_list("provider_id", "municipality_id")
        for provider_id, municipality_id in agreements:
            reached[provider_id].add(municipality_id)
    return reached


def municipalities_reached_by(organisation: Organisation) -> set[int]:
    """The municipalities an organisation reaches today: itself, or those of its current
    service agreements (for API tokens, which belong to an organisation, not to a user)."""
    if not organisation.is_active:
        return set()
    return _municipalities_reached([Membership(organisation=organisation)])[organisation.pk]


def organisations_reaching(municipality_id: int) -> QuerySet[Organisation]:
    """The organisations that reach a municipality today, as one query: the municipality itself
    and the providers with a current service agreement (the inverse of
    ``municipalities_reached_by``)."""
    today = timezone.localdate()
    agreements = ServiceAgreement.objects.filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=today),
        provider=OuterRef("pk"),
        municipality_id=municipality_id,
        municipality__is_active=True,
        starts_on__lte=today,
    )
    return Organisation.objects.filter(is_active=True).filter(
        Q(pk=municipality_id, kind=OrganisationKind.MUNICIPALITY)
        | (~Q(kind=OrganisationKind.MUNICIPALITY) & Exists(agreements))
    )


def access_for(user) -> Access:
    """Compute a user's access. Cached on the user object for the rest of the request."""
    cached = getattr(user, "_bereik_access", None)
    if cached is not None:
        return cached
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Access(user_id=None)
    memberships = list(
        Membership.objects.filter(user=user, is_active=True, organisation__is_active=True)
        .select_related("organisation")
        .order_by("organisation__name", "role")
    )
    reached = _municipalities_reached(memberships)
    grants: dict[Permission, set[int]] = {}
    for membership in memberships:
        for permission in ROLE_PERMISSIONS[Role(membership.role)]:
            grants.setdefault(permission, set()).update(reached[membership.organisation_id])
    access = Access(user_id=user.pk, memberships=memberships, _grants=grants)
    user._bereik_access = access
    return access


def municipalities_for(user, permission: Permission) -> QuerySet[Organisation]:
    """The municipalities where the user holds the permission, by name (for choices and menus)."""
    ids = access_for(user).municipality_ids(permission)
    return Organisation.objects.filter(pk__in=ids).order_by("name")


def scope(
    queryset: QuerySet, user, permission: Permission, *, via: str = "municipality"
) -> QuerySet:
    """Restrict a queryset of tenant-owned rows to the municipalities where the permission holds.

    ``via`` is the lookup path from the model to its municipality (e.g. ``case__municipality``).
    """
    ids = access_for(user).municipality_ids(permission)
    return queryset.filter(**{f"{via}_id__in": ids})


def get_for_user(
    user,
    queryset: QuerySet | type[Model],
    permission: Permission,
    *,
    via: str = "municipality",
    **lookup,
):
    """Fetch one tenant-owned object or raise.

    Outside the user's municipalities the object does not exist for them (404, so guessing an id
    reveals nothing); a user without the permission anywhere gets 403.
    """
    if isinstance(queryset, type):
        queryset = queryset._default_manager.all()
    if not access_for(user).has(permission):
        raise PermissionDenied
    try:
        return scope(queryset, user, permission, via=via).get(**lookup)
    except queryset.model.DoesNotExist:
        raise Http404 from None


def require(user, permission: Permission) -> None:
    """Raise 403 unless the user holds the permission somewhere."""
    if not access_for(user).has(permission):
        raise PermissionDenied
