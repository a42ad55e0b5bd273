"""Account changes: two-factor enrolment and verification, and user management by the functional
administrator. Every change is recorded in the audit trail, by field name, never by value."""

from typing import NamedTuple

import structlog
from axes.utils import reset as reset_login_failures
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from bereik.audit.models import AuditAction, AuditResult
from bereik.audit.services import record

from .models import Membership, Organisation, User
from .roles import Role, role_fits

logger = structlog.get_logger(__name__)

DEVICE_NAME = "authenticator"


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def pending_device(user) -> TOTPDevice:
    """The unconfirmed device a user is enrolling; created on first need, kept across reloads."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def verify_token(request, device: TOTPDevice, token: str) -> bool:
    """Check a TOTP code; a wrong code counts as a failed login towards the lockout."""
    user = request.user
    allowed, _ = device.verify_is_allowed()
    if allowed and device.verify_token(token):
        with transaction.atomic():
            if not device.confirmed:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                TOTPDevice.objects.filter(user=user, confirmed=False).delete()
                record(actor=user, action=AuditAction.MFA_ENROLLED, obj=user)
            otp_login(request, device)
            record(actor=user, action=AuditAction.LOGIN, obj=user)
        # Only a login with both factors clears earlier failures: a right password alone must not
        # restart the count, or the code could be guessed in endless rounds (AXES_RESET_ON_SUCCESS
        # is off for that reason).
        reset_login_failures(username=user.get_username())
        return True
    record(
        actor=user,
        action=AuditAction.LOGIN_FAILED,
        obj=user,
        result=AuditResult.FAILED,
        detail={"step": "totp"},
    )
    # axes listens to this signal: code failures count towards the same lockout as passwords.
    user_login_failed.send(
        sender=__name__, credentials={"username": user.get_username()}, request=request
    )
    return False


def reset_mfa(*, actor, user) -> None:
    """Remove a user's authenticator so they enrol again at next login (lost phone)."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        record(
            actor=actor,
            action=AuditAction.MFA_RESET,
            obj=user,
            organisation=_account_organisation(user),
        )


def record_password_failure(*, username: str, deactivated: bool = False) -> None:
    """Audit a failed password step. The typed user name is not stored: people type passwords
    into that field. A known account is referenced by its id."""
    user = User.objects.filter(username=username).first() if username else None
    detail = {"step": "password"}
    if deactivated:
        detail["reason"] = "deactivated"
    record(
        actor=None,
        action=AuditAction.LOGIN_FAILED,
        obj=user,
        result=AuditResult.FAILED,
        detail=detail,
    )


class UserCreated(NamedTuple):
    user: User
    mail_sent: bool


def _check_role_fits(role: Role | str, organisation: Organisation) -> None:
    if not role_fits(role, organisation.kind):
        raise ValidationError(
            _("The role %(role)s cannot be held in a %(kind)s.")
            % {
                "role": Role(role).label,
                "kind": organisation.get_kind_display().lower(),
            },
            code="role_does_not_fit",
        )


def _account_organisation(user: User) -> Organisation | None:
    """The organisation an account-wide change is filed under in the audit trail."""
    membership = user.memberships.select_related("organisation").order_by("pk").first()
    return membership.organisation if membership else user.managing_organisation


def create_user(
    *,
    actor,
    organisation: Organisation,
    username: str,
    first_name: str,
    last_name: str,
    email: str,
    roles: list[Role | str],
    base_url: str,
) -> UserCreated:
    """Create an account with roles in ``organisation``; the user chooses a password via e-mail.

    The account has no usable password until then, and enrols an authenticator at first login.
    """
    for role in roles:
        _check_role_fits(role, organisation)
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError(_("This user name is already taken."), code="username_taken")
    with transaction.atomic():
        user = User(
            username=username,
            first_name=first_name,
            last_name=last_name,
            email=email,
            managing_organisation=organisation,
        )
        user.set_unusable_password()
        user.save()
        for role in sorted(set(roles)):
            Membership.objects.create(user=user, organisation=organisation, role=role)
        record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=user,
            organisation=organisation,
            detail={
                "fields": ["username", "first_name", "last_name", "email", "memberships"],
                "roles": sorted(set(roles)),
            },
        )
    return UserCreated(user, send_password_set_email(actor=actor, user=user, base_url=base_url))


def send_password_set_email(*, actor, user: User, base_url: str) -> bool:
    """Mail the user a one-time link to choose a password; False when the mail could not go."""
    path = reverse(
        "accounts:password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    context = {
        "user": user,
        "link": f"{base_url.rstrip('/')}{path}",
        "valid_days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
    }
    subject = render_to_string("accounts/password_set_subject.txt", context).strip()
    body = render_to_string("accounts/password_set_email.txt", context)
    try:
        send_mail(subject, body, None, [user.email])
    except OSError as error:  # SMTP and socket errors
        logger.warning("password_set_email_failed", user_id=user.pk, error=type(error).__name__)
        return False
    record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=user,
        organisation=_account_organisation(user),
        detail={"fields": [], "event": "password_set_email_sent"},
    )
    return True


def update_user(*, actor, user: User, first_name: str, last_name: str, email: str) -> list[str]:
    """Change name and e-mail address; returns the names of the fields that changed."""
    new = {"first_name": first_name, "last_name": last_name, "email": email}
    changed = [name for name, value in new.items() if getattr(user, name) != value]
    if not changed:
        return []
    with transaction.atomic():
        for name in changed:
            setattr(user, name, new[name])
        user.save(update_fields=changed)
        record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=user,
            organisation=_account_organisation(user),
            detail={"fields": changed},
        )
    return changed


def add_membership(
    *, actor, user: User, organisation: Organisation, role: Role | str
) -> Membership:
    """Give a user a role in an organisation (or reactivate that role if it was switched off)."""
    _check_role_fits(role, organisation)
    with transaction.atomic():
        membership = (
            Membership.objects.select_for_update()
            .filter(user=user, organisation=organisation, role=role)
            .first()
        )
        if membership is not None and membership.is_active:
            raise ValidationError(
                _("This user already has this role in this organisation."), code="duplicate"
            )
        if membership is None:
            membership = Membership.objects.create(user=user, organisation=organisation, role=role)
        else:
            membership.is_active = True
            membership.save(update_fields=["is_active"])
        record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=user,
            organisation=organisation,
            detail={"fields": ["memberships"], "added_role": str(role)},
        )
    return membership


def remove_membership(*, actor, membership: Membership) -> None:
    """Take a role away. Administrators cannot take away their own administrator role, so an
    organisation is never left without anyone who can manage it by accident."""
    if membership.user_id == actor.pk and membership.role == Role.FUNCTIONAL_ADMIN:
        raise ValidationError(
            _("You cannot remove your own administrator role. Ask another administrator."),
            code="own_admin_role",
        )
    with transaction.atomic():
        user, organisation, role = membership.user, membership.organisation, membership.role
        membership.delete()
        if not user.memberships.exists():
            # Keep the account in sight of this organisation's administrators.
            user.managing_organisation = organisation
            user.save(update_fields=["managing_organisation"])
        record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=user,
            organisation=organisation,
            detail={"fields": ["memberships"], "removed_role": role},
        )


def deactivate_user(*, actor, user: User) -> None:
    """Block an account: it can no longer log in, and a running session ends at its next request."""
    if user.pk == actor.pk:
        raise ValidationError(_("You cannot deactivate your own account."), code="self")
    _set_active(actor=actor, user=user, active=False)


def reactivate_user(*, actor, user: User) -> None:
    _set_active(actor=actor, user=user, active=True)


def _set_active(*, actor, user: User, active: bool) -> None:
    if user.is_active == active:
        return
    with transaction.atomic():
        user.is_active = active
        user.save(update_fields=["is_active"])
        record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=user,
            organisation=_account_organisation(user),
            detail={"fields": ["is_active"]},
        )


def unlock_user(*, actor, user: User) -> None:
    """Lift a lockout after too many failed logins, before its cool-off ends."""
    with transaction.atomic():
        reset_login_failures(username=user.get_username())
        record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=user,
            organisation=_account_organisation(user),
            detail={"fields": ["lockout"]},
        )
