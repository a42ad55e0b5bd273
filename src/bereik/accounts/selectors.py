"""Reading accounts as a functional administrator sees them.

A functional administrator of organisation X manages the users with a membership in X, and the
accounts X's administrators created that have no membership (yet). Users of other organisations do
not exist for them: asking for one by id gives 404, exactly like an id that was never used.
"""

from dataclasses import dataclass

from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from .access import access_for
from .models import Membership, Organisation, User
from .roles import Permission, Role


def administered_organisations(admin) -> list[Organisation]:
    """The organisations whose users ``admin`` manages; 403 when there are none."""
    organisations = access_for(admin).organisations_with(Permission.MANAGE_USERS)
    if not organisations:
        raise PermissionDenied
    return sorted(set(organisations), key=lambda organisation: organisation.name)


def users_managed_by(
    admin,
    *,
    query: str = "",
    organisation: Organisation | None = None,
    role: Role | str = "",
    active: bool | None = None,
) -> QuerySet[User]:
    """The users ``admin`` may see, filtered, each with ``managed_memberships`` prefetched.

    ``managed_memberships`` holds only the memberships in the administrator's organisations: what
    a user does for another organisation is none of this administrator's business.
    """
    administered_ids = [o.pk for o in administered_organisations(admin)]
    organisation_ids = administered_ids
    if organisation is not None and organisation.pk in administered_ids:
        organisation_ids = [organisation.pk]
    in_scope = Membership.objects.filter(user=OuterRef("pk"), organisation_id__in=organisation_ids)
    if role:
        in_scope_with_role = in_scope.filter(role=role)
        users = User.objects.filter(Exists(in_scope_with_role))
    else:
        users = User.objects.filter(
            Exists(in_scope) | Q(managing_organisation_id__in=organisation_ids)
        )
    if query:
        users = users.filter(
            Q(username__icontains=query)
            | Q(first_name__icontains=query)
            | Q(last_name__icontains=query)
            | Q(email__icontains=query)
        )
    if active is not None:
        users = users.filter(is_active=active)
    managed_memberships = Prefetch(
        "memberships",
        queryset=Membership.objects.filter(organisation_id__in=administered_ids)
        .select_related("organisation")
        .order_by("organisation__name", "role"),
        to_attr="managed_memberships",
    )
    return users.prefetch_related(managed_memberships).order_by(
        "last_name", "first_name", "username"
    )


@dataclass(frozen=True)
class ManagedUser:
    """One user as an administrator sees them, and what that administrator may do with them."""

    user: User
    memberships: list[Membership]  # in the administrator's organisations only
    works_elsewhere: bool  # holds a membership in an organisation this administrator does not run
    has_authenticator: bool
    locked_out: bool

    @property
    def may_change_account(self) -> bool:
        """Account-wide changes (name, e-mail, deactivation, 2FA, unlock) affect every
        organisation the user works for, so only an administrator of all of them may make them."""
        return not self.works_elsewhere and not self.user.is_superuser


def get_managed_user(admin, pk: int) -> ManagedUser:
    """One user ``admin`` manages: 404 for anyone else's users, 403 for non-administrators."""
    organisation_ids = {o.pk for o in administered_organisations(admin)}
    try:
        user = users_managed_by(admin).get(pk=pk)
    except User.DoesNotExist:
        raise Http404 from None
    return ManagedUser(
        user=user,
        memberships=user.managed_memberships,
        works_elsewhere=user.memberships.exclude(organisation_id__in=organisation_ids).exists(),
        has_authenticator=TOTPDevice.objects.filter(user=user, confirmed=True).exists(),
        locked_out=is_locked_out(user.get_username()),
    )


def is_locked_out(username: str) -> bool:
    """Whether too many recent failed logins (password or code) lock this account now."""
    attempts = AccessAttempt.objects.filter(username=username)
    cool_off = get_cool_off()
    if cool_off is not None:
        attempts = attempts.filter(attempt_time__gte=timezone.now() - cool_off)
    failures = attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
    return failures >= settings.AXES_FAILURE_LIMIT


def count_active_users(admin) -> int:
    return users_managed_by(admin, active=True).count()
