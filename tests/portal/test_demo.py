"""The demo installation: one user per role with the published TOTP key, a campaign with the
demo month's callable cases queued, and a second load that changes nothing."""

import io

import pytest
from django.core.management import call_command
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from bereik.accounts.models import Membership, Organisation, User
from bereik.accounts.roles import Role
from bereik.demo import dataset
from bereik.outreach.models import Campaign, QueueEntry

pytestmark = pytest.mark.django_db


def _counts():
    return (
        Organisation.objects.count(),
        User.objects.count(),
        Membership.objects.count(),
        TOTPDevice.objects.count(),
        Campaign.objects.count(),
        QueueEntry.objects.count(),
    )


def test_demo_has_one_user_per_role_with_the_published_key():
    call_command("load_demo")
    municipality = Organisation.objects.get(municipality_code=dataset.MUNICIPALITY_CODE)
    assert municipality.name == "Gemeente Voorbeeld"
    assert {m.role for m in Membership.objects.all()} == set(Role)
    for user in User.objects.all():
        assert user.check_password(dataset.DEMO_PASSWORD)
        device = TOTPDevice.objects.get(user=user, confirmed=True)
        assert device.verify_token(f"{TOTP(device.bin_key).token():06d}")


def test_demo_campaign_queues_the_callable_cases():
    call_command("load_demo")
    campaign = Campaign.objects.get()
    assert campaign.script is not None
    assert campaign.caller_id
    assert QueueEntry.objects.filter(campaign=campaign).count() > 100


def test_loading_the_demo_twice_changes_nothing():
    first = io.StringIO()
    call_command("load_demo", stdout=first)
    before = _counts()
    second = io.StringIO()
    call_command("load_demo", stdout=second)
    assert _counts() == before
    # The summary it prints counts what is there, so it is the same both times.
    assert second.getvalue() == first.getvalue()
