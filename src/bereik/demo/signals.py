"""A month of synthetic signals for the demo municipality, made by the intake's generator and
imported through the intake itself (so the demo shows an import run with its error report)."""

import datetime
import tempfile
from pathlib import Path

from django.utils import timezone

from bereik.cases.models import Signal
from bereik.intake.generator import generate
from bereik.intake.services import import_file

DEMO_SOURCE = "demo"
DEMO_ROWS = 500
DEMO_SEED = 2026


def demo_month(today: datetime.date) -> datetime.date:
    """The month before ``today``: a complete month of signals, none in the future."""
    return (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


def load_demo_signals(municipality) -> int:
    """Import the demo month once; when the demo has signals already, change nothing."""
    existing = Signal.objects.filter(municipality=municipality, source=DEMO_SOURCE).count()
    if existing:
        return existing
    today = timezone.localdate()
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "signalen-demo.csv"
        generate(path, rows=DEMO_ROWS, seed=DEMO_SEED, messy=True, month=demo_month(today))
        run = import_file(path, municipality=municipality, source=DEMO_SOURCE, today=today)
    return run.imported
