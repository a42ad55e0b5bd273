"""Account changes: two-factor enrolment and verification, recorded in the audit trail."""

from django.contrib.auth.signals import user_login_failed
from django.db import transaction
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from bereik.audit.models import AuditAction, AuditResult
from bereik.audit.services import record

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
        record(actor=actor, action=AuditAction.MFA_RESET, obj=user)
