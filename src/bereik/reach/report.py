"""Summaries of simulated campaigns: the JSON object, the comparison table and the SVG chart.

Reach is the share of all residents in the campaign (callable cases) with right-party contact
(outcome ``bereikt``); AAPOR: I+P+R+O over all cases. Figures over several runs pool the runs'
counts, so ``dials_per_reached`` is total dials over total reached.
"""

import statistics
from collections.abc import Sequence
from xml.sax.saxutils import escape

from .engine import RunResult


def summarise(results: Sequence[RunResult], *, scenario: str, policy: str, seed: int) -> dict:
    residents = sum(r.residents for r in results)
    reached = sum(r.reached for r in results)
    dials = sum(r.dials for r in results)
    max_attempts = results[0].max_attempts
    cumulative, running = [], 0
    for attempt in range(max_attempts):
        running += sum(r.reached_at_attempt[attempt] for r in results)
        cumulative.append(round(running / residents, 4))
    segments = sorted({name for r in results for name in r.segment_size})
    by_segment = {}
    for name in segments:
        size = sum(r.segment_size.get(name, 0) for r in results)
        by_segment[name] = round(sum(r.segment_reached.get(name, 0) for r in results) / size, 4)
    days = [d for r in results for d in r.days_to_first_contact]
    run_reach = [r.reached / r.residents for r in results]
    return {
        "scenario": scenario,
        "policy": policy,
        "seed": seed,
        "runs": len(results),
        "residents_per_run": results[0].residents,
        "reach_by_attempt": cumulative,
        "reach": round(reached / residents, 4),
        "reach_stdev_between_runs": round(statistics.pstdev(run_reach), 4),
        "dials": round(dials / len(results), 1),
        "dials_per_reached": round(dials / reached, 3) if reached else None,
        "agent_hours_per_reached": (
            round(sum(r.agent_seconds for r in results) / 3600 / reached, 4) if reached else None
        ),
        "sms_sent": round(sum(r.sms_sent for r in results) / len(results), 1),
        "reach_by_segment": by_segment,
        "days_to_first_contact_median": statistics.median(days) if days else None,
        "dials_by_day_part": {
            part: round(sum(r.dials_by_day_part.get(part, 0) for r in results) / len(results), 1)
            for part in sorted({p for r in results for p in r.dials_by_day_part})
        },
    }


def comparison_table(summaries: Sequence[dict]) -> str:
    """A plain-text table, one row per policy, with the reach curve and the cost figures."""
    attempts = len(summaries[0]["reach_by_attempt"])
    headers = ["policy", *(f"a{k}" for k in range(1, attempts + 1))]
    headers += ["reach", "dials/reached", "hours/reached", "sms", "days to contact"]
    rows = []
    for summary in summaries:
        rows.append(
            [
                summary["policy"],
                *(f"{share * 100:.1f}" for share in summary["reach_by_attempt"]),
                f"{summary['reach'] * 100:.1f}%",
                f"{summary['dials_per_reached']:.2f}",
                f"{summary['agent_hours_per_reached']:.3f}",
                f"{summary['sms_sent']:.0f}",
                str(summary["days_to_first_contact_median"]),
            ]
        )
    segments = list(summaries[0]["reach_by_segment"])
    widths = [max(len(str(row[i])) for row in [headers, *rows]) for i in range(len(headers))]
    lines = ["  ".join(cell.rjust(w) for cell, w in zip(headers, widths, strict=True))]
    lines += ["  ".join(str(c).rjust(w) for c, w in zip(row, widths, strict=True)) for row in rows]
    lines.append("")
    name_width = max(len(s) for s in segments)
    lines.append(
        "reach by segment".ljust(name_width) + "".join(s["policy"].rjust(10) for s in summaries)
    )
    for segment in segments:
        lines.append(
            segment.ljust(name_width)
            + "".join(f"{s['reach_by_segment'][segment] * 100:9.1f}%" for s in summaries)
        )
    return "\n".join(lines)


COLOURS = ("#1f4e79", "#c0504d", "#2e7d32", "#7b3f99", "#b8860b")


def reach_chart_svg(summaries: Sequence[dict], *, title: str) -> str:
    """A hand-written SVG line chart: cumulative reach after each attempt, one line per policy."""
    width, height, left, right, top, bottom = 640, 400, 60, 150, 40, 50
    plot_w, plot_h = width - left - right, height - top - bottom
    attempts = len(summaries[0]["reach_by_attempt"])

    def x(attempt: int) -> float:
        return left + (attempt - 1) * plot_w / max(1, attempts - 1)

    def y(share: float) -> float:
        return top + plot_h * (1 - share)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">',
        f"<title>{escape(title)}</title>",
        '<rect width="100%" height="100%" fill="white"/>',
        f'<text x="{left}" y="22" font-size="15">{escape(title)}</text>',
    ]
    for tick in range(0, 101, 10):
        ty = y(tick / 100)
        parts.append(
            f'<line x1="{left}" y1="{ty:.1f}" x2="{left + plot_w}" y2="{ty:.1f}" stroke="#ddd"/>'
        )
        parts.append(f'<text x="{left - 8}" y="{ty + 4:.1f}" text-anchor="end">{tick}%</text>')
    for attempt in range(1, attempts + 1):
        parts.append(
            f'<text x="{x(attempt):.1f}" y="{top + plot_h + 18}" text-anchor="middle">'
            f"{attempt}</text>"
        )
    parts.append(
        f'<text x="{left + plot_w / 2:.1f}" y="{height - 10}" text-anchor="middle">attempt</text>'
    )
    for index, summary in enumerate(summaries):
        colour = COLOURS[index % len(COLOURS)]
        points = " ".join(
            f"{x(k):.1f},{y(share):.1f}"
            for k, share in enumerate(summary["reach_by_attempt"], start=1)
        )
        parts.append(
            f'<polyline fill="none" stroke="{colour}" stroke-width="2.5" points="{points}"/>'
        )
        for k, share in enumerate(summary["reach_by_attempt"], start=1):
            parts.append(f'<circle cx="{x(k):.1f}" cy="{y(share):.1f}" r="3" fill="{colour}"/>')
        legend_y = top + 20 * index + 10
        parts.append(
            f'<line x1="{left + plot_w + 15}" y1="{legend_y}" x2="{left + plot_w + 35}" '
            f'y2="{legend_y}" stroke="{colour}" stroke-width="2.5"/>'
        )
        parts.append(
            f'<text x="{left + plot_w + 40}" y="{legend_y + 4}">'
            f"{escape(summary['policy'])} {summary['reach'] * 100:.1f}%</text>"
        )
    parts.append("</svg>")
    return "\n".join(parts) + "\n"
