"""The lifecycle app's rows in the purge and in the exit export."""

import io
import json
import zipfile

from bereik.cases.workflow import CaseState
from bereik.lifecycle import services
from bereik.lifecycle.models import LifecycleRule, Proposal, RuleKind
from bereik.lifecycle.privacy import purge_lifecycle
from bereik.privacy.exports import write_municipality_export

from .conftest import IN_NOVEMBER, OCTOBER


def _proposal(municipality, case):
    rule = LifecycleRule.objects.create(
        municipality=municipality, kind=RuleKind.REFER_UNREACHED, purpose="Zorg", months=2
    )
    return Proposal.objects.create(
        municipality=municipality,
        rule=rule,
        action=Proposal.Action.REFERRAL,
        resident=case.resident,
        case=case,
        trigger_key="unreached:1",
        facts={"cases": [case.reference]},
        note="Mevrouw is verhuisd",
        status=Proposal.Status.REJECTED,
    )


def test_purge_empties_facts_and_note_once(municipality, make_case):
    case = make_case(CaseState.EXHAUSTED)
    proposal = _proposal(municipality, case)
    assert purge_lifecycle(case_ids=[case.pk], resident_ids=[]) == {"proposals": 1}
    proposal.refresh_from_db()
    assert (proposal.facts, proposal.note, proposal.status) == ({}, "", Proposal.Status.REJECTED)
    assert purge_lifecycle(case_ids=[case.pk], resident_ids=[]) == {"proposals": 0}


def test_exit_export_has_proposals_and_closed_cases(municipality, make_case):
    case = make_case(CaseState.EXHAUSTED)
    services.close_month(municipality=municipality, month=OCTOBER, now=IN_NOVEMBER)
    _proposal(municipality, case)
    target = io.BytesIO()
    write_municipality_export(municipality=municipality, target=target)
    archive = zipfile.ZipFile(target)
    closed = json.loads(archive.read("lifecycle_closed_cases.json"))
    assert [(row["case_id"], row["previous_state"]) for row in closed] == [(case.pk, "exhausted")]
    proposals = json.loads(archive.read("lifecycle_proposals.json"))
    assert proposals[0]["note"] == "Mevrouw is verhuisd"
    assert "lifecycle_proposals.csv" in archive.namelist()
