"""The demo shows the lifecycle: rules with purposes, a closed history month, proposals waiting,
and wrong numbers per label; loading again changes nothing."""

import pytest
from django.core.management import call_command

from bereik.accounts.models import Organisation
from bereik.demo import dataset
from bereik.lifecycle import months, selectors
from bereik.lifecycle.models import ClosureBatch, LifecycleRule, Proposal

pytestmark = pytest.mark.django_db


def test_demo_lifecycle():
    call_command("load_demo")
    municipality = Organisation.objects.get(municipality_code=dataset.MUNICIPALITY_CODE)
    assert LifecycleRule.objects.filter(municipality=municipality, is_active=True).count() == 3
    batch = ClosureBatch.objects.get(municipality=municipality)
    assert batch.case_count == 7
    actions = set(Proposal.objects.values_list("action", "rule__kind"))
    assert actions == {
        ("re_approach", "re_approach_refuser"),
        ("referral", "refer_unreached"),
        ("referral", "refer_growing_arrears"),
    }
    demo_month = months.next_month(batch.month)
    assert any(row.wrong for row in selectors.wrong_numbers(municipality, demo_month))
    counts = (Proposal.objects.count(), ClosureBatch.objects.count())
    call_command("load_demo")
    assert (Proposal.objects.count(), ClosureBatch.objects.count()) == counts
