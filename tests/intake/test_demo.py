"""load_demo feeds a month of generated signals through the intake, once."""

import pytest
from django.core.management import call_command

from bereik.cases.models import Case, Signal
from bereik.intake.models import ImportRun

pytestmark = pytest.mark.django_db


def test_load_demo_imports_a_month_and_a_second_run_changes_nothing():
    call_command("load_demo")
    signals, cases, runs = Signal.objects.count(), Case.objects.count(), ImportRun.objects.count()
    assert 450 <= signals <= 500
    assert runs == 1
    assert ImportRun.objects.get().rejected > 0  # the demo shows an error report
    call_command("load_demo")
    assert (Signal.objects.count(), Case.objects.count(), ImportRun.objects.count()) == (
        signals,
        cases,
        runs,
    )
