"""Reach benchmark: baseline vs adaptive vs oracle on every shipped scenario.

    uv run python bench/reach.py                       # 200 seeded runs per scenario, 2 processes
    uv run python bench/reach.py --runs 20 --processes 1 --scenario scenarios/calibrated.json

Every seed generates one population (the scenario's ``residents``) and one set of per-attempt
draws that all three policies share (common random numbers), with the same capacity and the same
7-attempt cap. Reported per scenario: reach, dials per reached resident, agent-hours per reached
resident, SMS sent, reach per segment and its change against baseline, and the share of the
baseline-to-oracle gap that adaptive closes; then the issue's targets, met or not.
``--without-sms-effect`` reruns the scenarios with SMS having no effect on answering (a
sensitivity check, not one of the issue's targets).
"""

import argparse
import dataclasses
import multiprocessing
import os
import platform
import time
from pathlib import Path

import django

# The simulator is pure Python, but its module imports the outreach app's models.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bereik.conf.settings.local")
django.setup()

from bereik.reach.report import summarise  # noqa: E402
from bereik.reach.scenario import load_scenario  # noqa: E402
from bereik.reach.services import run_seeds  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]

POLICIES = ("baseline", "adaptive", "oracle")


def _load(path: Path, *, without_sms_effect: bool):
    scenario = load_scenario(path)
    if without_sms_effect:  # sensitivity: how much of the gain rests on the SMS assumption
        scenario = dataclasses.replace(
            scenario, sms_answer_multiplier=1.0, sms_recognises_caller=False
        )
    return scenario


def _chunk(args):
    path, seeds, without_sms_effect = args
    return run_seeds(_load(path, without_sms_effect=without_sms_effect), POLICIES, seeds)


def bench_scenario(
    path: Path, *, runs: int, first_seed: int, processes: int, without_sms_effect: bool = False
) -> dict:
    seeds = list(range(first_seed, first_seed + runs))
    chunks = [(path, seeds[i::processes], without_sms_effect) for i in range(processes)]
    if processes == 1:
        parts = [_chunk(chunks[0])]
    else:
        with multiprocessing.Pool(processes) as pool:
            parts = pool.map(_chunk, chunks)
    scenario = _load(path, without_sms_effect=without_sms_effect)
    return {
        name: summarise(
            [r for part in parts for r in part[name]],
            scenario=scenario.name,
            policy=name,
            seed=first_seed,
        )
        for name in POLICIES
    }


def verdict(summaries: dict) -> tuple[list[str], bool]:
    base, adaptive, oracle = (summaries[p] for p in POLICIES)
    lines, ok = [], True
    gain = (adaptive["reach"] - base["reach"]) * 100
    ratio = adaptive["dials_per_reached"] / base["dials_per_reached"]
    gap = oracle["reach"] - base["reach"]
    closed = (adaptive["reach"] - base["reach"]) / gap if gap > 0 else float("nan")
    worst_segment, worst_delta = min(
        (
            (name, (adaptive["reach_by_segment"][name] - share) * 100)
            for name, share in base["reach_by_segment"].items()
        ),
        key=lambda item: item[1],
    )
    checks = [
        (f"reach +{gain:.1f} points (target >= +5)", gain >= 5),
        (f"dials/reached x{ratio:.2f} of baseline (target <= 0.80)", ratio <= 0.8),
        (
            f"worst segment {worst_segment} {worst_delta:+.1f} points (target >= -2)",
            worst_delta >= -2,
        ),
    ]
    for text, met in checks:
        lines.append(f"  {'MET    ' if met else 'NOT MET'} {text}")
        ok = ok and met
    lines.append(f"  adaptive closes {closed * 100:.0f}% of the baseline-to-oracle gap")
    return lines, ok


def report(summaries: dict, seconds: float) -> str:
    base = summaries["baseline"]
    lines = [
        f"### {base['scenario']}: {base['runs']} runs x {base['residents_per_run']} residents "
        f"({seconds:.0f} s)",
        "",
        "| policy | reach | dials/reached | agent-hours/reached | SMS per run | "
        "days to contact (median) | reach after attempts 1-7 |",
        "|---|---|---|---|---|---|---|",
    ]
    for name in POLICIES:
        s = summaries[name]
        curve = "/".join(f"{share * 100:.0f}" for share in s["reach_by_attempt"])
        lines.append(
            f"| {name} | {s['reach'] * 100:.1f}% | {s['dials_per_reached']:.2f} | "
            f"{s['agent_hours_per_reached']:.3f} | {s['sms_sent']:.0f} | "
            f"{s['days_to_first_contact_median']} | {curve} |"
        )
    lines += ["", "| segment | baseline | adaptive | delta | oracle |", "|---|---|---|---|---|"]
    for segment, share in base["reach_by_segment"].items():
        adaptive = summaries["adaptive"]["reach_by_segment"][segment]
        oracle = summaries["oracle"]["reach_by_segment"][segment]
        lines.append(
            f"| {segment} | {share * 100:.1f}% | {adaptive * 100:.1f}% | "
            f"{(adaptive - share) * 100:+.1f} | {oracle * 100:.1f}% |"
        )
    checks, _ = verdict(summaries)
    lines += ["", "```", *checks, "```", ""]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", action="append", help="Scenario file (repeatable).")
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument(
        "--without-sms-effect",
        action="store_true",
        help="Sensitivity run: the scenarios with SMS having no effect on answering.",
    )
    args = parser.parse_args()
    paths = (
        [Path(p) for p in args.scenario]
        if args.scenario
        else sorted((ROOT / "scenarios").glob("*.json"))
    )
    print(
        f"# Reach benchmark: {args.runs} runs per scenario, seeds {args.seed}-"
        f"{args.seed + args.runs - 1}, {args.processes} processes, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}"
        + (", SMS without effect (sensitivity)" if args.without_sms_effect else "")
        + "\n"
    )
    all_met = True
    started = time.perf_counter()
    for path in paths:
        scenario_started = time.perf_counter()
        summaries = bench_scenario(
            path,
            runs=args.runs,
            first_seed=args.seed,
            processes=args.processes,
            without_sms_effect=args.without_sms_effect,
        )
        print(report(summaries, time.perf_counter() - scenario_started), flush=True)
        all_met = verdict(summaries)[1] and all_met
    print(f"Total {time.perf_counter() - started:.0f} s. All targets met: {all_met}.")


if __name__ == "__main__":
    main()
