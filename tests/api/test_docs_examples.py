"""The curl examples in docs/api.md, run with curl against a live server: each must answer
with the status written above it."""

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from bereik.api.models import Scope
from bereik.outreach.defaults import seed_outcome_codes
from bereik.outreach.models import OutcomeCode
from tests.factories import QueueEntryFactory

DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"
EXAMPLE = re.compile(r"```sh\n# (\d{3})\n(curl .*?)\n```", re.DOTALL)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed"),
]


def examples() -> list[tuple[int, str]]:
    return [(int(status), command) for status, command in EXAMPLE.findall(DOC.read_text())]


def test_the_guide_has_examples_for_every_resource():
    commands = " ".join(command for _status, command in examples())
    for path in (
        "/signals",
        "/cases",
        "/contact-attempts",
        "/callers",
        "/handovers",
        "/figures",
        "/webhook-subscriptions",
    ):
        assert f"/api/v1{path}" in commands


def test_every_curl_example_works(live_server, municipality, make_token):
    seed_outcome_codes(OutcomeCode)  # a transactional test starts without the seeded data
    entry = QueueEntryFactory(campaign__municipality=municipality, case__reference="VS-DOC-1")
    _token, secret = make_token(municipality, *Scope.values)
    environment = {**os.environ, "BEREIK": live_server.url, "TOKEN": secret, "CASE": "VS-DOC-1"}
    assert entry.current_number.e164 == "+31612345678"
    found = examples()
    assert len(found) >= 7
    for expected, command in found:
        completed = subprocess.run(
            ["bash", "-c", command + ' -o /dev/stderr -w "%{http_code}"'],
            capture_output=True,
            text=True,
            env=environment,
            timeout=60,
            check=False,
        )
        assert completed.returncode == 0, (command, completed.stderr)
        assert int(completed.stdout) == expected, (command, completed.stderr)
        if expected >= 400:
            assert json.loads(completed.stderr)["status"] == expected
