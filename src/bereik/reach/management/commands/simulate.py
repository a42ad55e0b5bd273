import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from bereik.reach.engine import SimulationError
from bereik.reach.policies import POLICY_NAMES
from bereik.reach.report import comparison_table, reach_chart_svg
from bereik.reach.scenario import ScenarioError, load_scenario
from bereik.reach.services import compare


class Command(BaseCommand):
    help = (
        "Simulate a calling campaign from a scenario file (docs/simulator.md) under a scheduling "
        "policy, or compare several policies on the same residents and draws."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scenario", required=True, help="Scenario JSON file.")
        parser.add_argument("--policy", default="baseline", choices=POLICY_NAMES)
        parser.add_argument("--seed", type=int, default=1, help="First seed (default 1).")
        parser.add_argument("--runs", type=int, default=1, help="Seeded runs to pool.")
        parser.add_argument("--json", action="store_true", help="Print one JSON object.")
        parser.add_argument(
            "--compare",
            metavar="POLICIES",
            help="Comma-separated policies to compare on common random numbers, e.g. "
            "baseline,adaptive,oracle.",
        )
        parser.add_argument("--chart", metavar="FILE.svg", help="Write an SVG reach curve.")

    def handle(self, *args, **options):
        if options["runs"] < 1:
            raise CommandError("--runs must be at least 1")
        policies = [options["policy"]]
        if options["compare"]:
            policies = [name.strip() for name in options["compare"].split(",") if name.strip()]
            unknown = [name for name in policies if name not in POLICY_NAMES]
            if unknown or not policies:
                raise CommandError(
                    f"--compare: unknown policy {', '.join(unknown) or '(none)'}; "
                    f"expected some of {', '.join(POLICY_NAMES)}"
                )
        try:
            scenario = load_scenario(options["scenario"])
            summaries = compare(scenario, policies, seed=options["seed"], runs=options["runs"])
        except (ScenarioError, SimulationError) as error:
            raise CommandError(str(error)) from error
        if options["chart"]:
            Path(options["chart"]).write_text(
                reach_chart_svg(summaries, title=f"Reach by attempt: {scenario.name}"),
                encoding="utf-8",
            )
        if options["json"]:
            payload = (
                summaries[0]
                if not options["compare"]
                else {"policies": {summary["policy"]: summary for summary in summaries}}
            )
            self.stdout.write(json.dumps(payload, ensure_ascii=False))
        else:
            self.stdout.write(comparison_table(summaries))
