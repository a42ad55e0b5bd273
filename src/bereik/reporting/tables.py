"""The dashboard's figures as tables and KPIs: one structure rendered as HTML tables (the
accessible twin of every chart), as Excel sheets and in the PDF.

Suppression (``suppress``) hides small counts in reports that leave the municipality: every
count cell below the minimum (but above zero) becomes ``SUPPRESSED``, and so do the shares and
averages in the same row, which would otherwise reveal it.
"""

from dataclasses import dataclass, field, replace

from django.utils.translation import gettext as _

COUNT, SHARE, TEXT, DAYS, MONEY = "count", "share", "text", "days", "money"
SUPPRESSED = "suppressed"


@dataclass(frozen=True)
class Column:
    label: str
    kind: str = COUNT


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    columns: tuple[Column, ...]
    rows: tuple[tuple, ...]
    chart_column: int | None = None  # the column the chart draws, if the table has a chart
    note: str = ""
    suppressed: int = 0  # number of rows with suppressed cells

    @property
    def sheet_name(self) -> str:
        """An Excel sheet name: at most 31 characters, none of ``[]:*?/\\``."""
        name = self.title
        for char in "[]:*?/\\":
            name = name.replace(char, " ")
        return name[:31]


@dataclass(frozen=True)
class Kpi:
    key: str
    label: str
    value: object
    kind: str = COUNT
    note: str = ""


@dataclass
class Report:
    title: str
    municipality_names: list[str]
    period_start: str
    period_end: str
    kpis: list[Kpi] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    min_count: int = 5


def kpis(figures: dict) -> list[Kpi]:
    reach, aapor = figures["reach"], figures["aapor"]
    callable_ = figures["callable"]
    crisis, costs = figures["crisis"], figures["costs"]
    durations = figures["durations"]
    result = [
        Kpi("signals", _("Signals received"), figures["signals"]["received"]),
        Kpi("residents", _("Residents (counted once)"), figures["signals"]["residents"]),
        Kpi("not_picked_up", _("Not picked up"), figures["not_picked_up"]["total"]),
        Kpi("callable", _("Callable records"), callable_["callable"]),
        Kpi(
            "callable_share",
            _("Callable share after enrichment"),
            callable_["share_after_enrichment"],
            SHARE,
        ),
        Kpi("reached", _("Residents reached"), reach["reached"]),
        Kpi("reach", _("Reach (reached / callable)"), reach["reach"], SHARE),
        Kpi("help_requests", _("Help requests"), reach["help_requests"]),
        Kpi(
            "help_acceptance",
            _("Help acceptance (help requests / reached)"),
            reach["help_acceptance"],
            SHARE,
        ),
        Kpi("handed_over", _("Handed over to social work"), figures["handovers"]["handed_over"]),
        Kpi("con1", _("AAPOR contact rate (CON1)"), aapor["con1"], SHARE),
        Kpi("coop1", _("AAPOR cooperation rate (COOP1)"), aapor["coop1"], SHARE),
        Kpi("ref1", _("AAPOR refusal rate (REF1)"), aapor["ref1"], SHARE),
        Kpi("rr1", _("AAPOR response rate (RR1)"), aapor["rr1"], SHARE),
        Kpi(
            "days_to_contact",
            _("Median days from signal to first contact"),
            durations["signal_to_first_contact"]["median_days"],
            DAYS,
        ),
        Kpi(
            "crisis_within",
            _("Crisis signals handled within 3 working days"),
            crisis["share_within"],
            SHARE,
            _("%(within)s of %(total)s handled cases; %(pending)s still within the term")
            % {
                "within": crisis["within_deadline"],
                "total": crisis["within_deadline"] + crisis["late"],
                "pending": crisis["pending"],
            },
        ),
    ]
    if costs["tariff_set"]:
        result += [
            Kpi("cost_total", _("Costs"), costs["total"], MONEY),
            Kpi("cost_per_callable", _("Cost per callable record"), costs["per_callable"], MONEY),
            Kpi("cost_per_reached", _("Cost per reached resident"), costs["per_reached"], MONEY),
        ]
    else:
        result.append(Kpi("cost_total", _("Costs"), None, MONEY, _("No tariff set.")))
    satisfaction = figures["satisfaction"]
    result.append(
        Kpi(
            "satisfaction",
            _("Satisfaction (1-5)"),
            satisfaction["score"],
            DAYS,
            "" if satisfaction["measured"] else _("Not measured."),
        )
    )
    return result


def tables(figures: dict) -> list[Table]:
    """Every table of the dashboard, in page order."""
    callable_ = figures["callable"]
    reach = figures["reach"]
    aapor = figures["aapor"]
    handovers = figures["handovers"]
    durations = figures["durations"]
    crisis = figures["crisis"]
    result = [
        Table(
            "funnel",
            _("From signal to help request"),
            (Column(_("Step"), TEXT), Column(_("Number")), Column(_("Share"), SHARE)),
            (
                (_("Signals received"), figures["signals"]["received"], None),
                (_("Cases (residents per matching period)"), figures["signals"]["cases"], None),
                (
                    _("Cases with several signals"),
                    figures["signals"]["cases_with_several_signals"],
                    None,
                ),
                (_("Not picked up"), figures["not_picked_up"]["total"], None),
                (_("Picked up"), callable_["cases_picked_up"], None),
                (
                    _("Callable without enrichment"),
                    callable_["callable_without_enrichment"],
                    callable_["share_before_enrichment"],
                ),
                (
                    _("Callable after enrichment"),
                    callable_["callable"],
                    callable_["share_after_enrichment"],
                ),
                (_("Sent to enrichment"), callable_["sent_to_enrichment"], None),
                (
                    _("Number found by enrichment"),
                    callable_["enrichment_found"],
                    callable_["enrichment_success"],
                ),
                (_("Reached"), reach["reached"], reach["reach"]),
                (_("Help requests"), reach["help_requests"], reach["help_acceptance"]),
                (_("Handed over"), handovers["handed_over"], None),
            ),
            chart_column=1,
        ),
        Table(
            "not_picked_up",
            _("Not picked up, by reason"),
            (Column(_("Reason"), TEXT), Column(_("Number of cases"))),
            tuple((r["label"], r["cases"]) for r in figures["not_picked_up"]["by_reason"]),
        ),
        Table(
            "partner_types",
            _("Results per partner type"),
            (
                Column(_("Partner type"), TEXT),
                Column(_("Signals")),
                Column(_("Number of cases")),
                Column(_("Reached")),
                Column(_("Reach"), SHARE),
            ),
            tuple(
                (r["label"], r["signals"], r["cases"], r["reached"], r["reach"])
                for r in figures["by_partner_type"]
            ),
            chart_column=4,
        ),
        Table(
            "aapor",
            _("AAPOR dispositions of callable cases"),
            (Column(_("Disposition"), TEXT), Column(_("Number of cases"))),
            tuple((_aapor_label(code), aapor["counts"][code]) for code in aapor["counts"]),
            note=_(
                "CON1 = (I+P+R+O) / (I+P+R+O+NC+UH+UO); COOP1 = I / (I+P+R+O); "
                "REF1 = R / (I+P+R+O+NC+UH+UO); RR1 = I / (I+P+R+O+NC+UH+UO)."
            ),
        ),
        Table(
            "aapor_rates",
            _("AAPOR rates"),
            (Column(_("Rate"), TEXT), Column(_("Value"), SHARE)),
            (
                (_("Contact rate (CON1)"), aapor["con1"]),
                (_("Cooperation rate (COOP1)"), aapor["coop1"]),
                (_("Refusal rate (REF1)"), aapor["ref1"]),
                (_("Response rate (RR1)"), aapor["rr1"]),
            ),
            chart_column=1,
        ),
        Table(
            "outcomes",
            _("Outcomes of the attempts"),
            (Column(_("Outcome"), TEXT), Column(_("Attempts")), Column(_("Share"), SHARE)),
            tuple((r["label"], r["attempts"], r["share"]) for r in figures["outcomes"]),
            chart_column=1,
        ),
        Table(
            "reach_curve",
            _("Reach by attempt number"),
            (
                Column(_("Attempt"), TEXT),
                Column(_("First reached at this attempt")),
                Column(_("Reached so far")),
                Column(_("Reach so far"), SHARE),
            ),
            tuple(
                (r["label"], r["reached"], r["cumulative"], r["reach"])
                for r in figures["reach_curve"]
            ),
            chart_column=3,
        ),
        Table(
            "day_parts",
            _("Contact rate by day-part"),
            (
                Column(_("Day-part"), TEXT),
                Column(_("Attempts")),
                Column(_("Reached")),
                Column(_("Contact rate"), SHARE),
            ),
            tuple(
                (r["label"], r["attempts"], r["reached"], r["contact_rate"])
                for r in figures["day_parts"]
            ),
            chart_column=3,
        ),
        Table(
            "weekdays",
            _("Contact rate by weekday"),
            (
                Column(_("Weekday"), TEXT),
                Column(_("Attempts")),
                Column(_("Reached")),
                Column(_("Contact rate"), SHARE),
            ),
            tuple(
                (r["label"], r["attempts"], r["reached"], r["contact_rate"])
                for r in figures["weekdays"]
            ),
            chart_column=3,
        ),
        Table(
            "wrong_numbers",
            _("Wrong numbers per partner label"),
            (
                Column(_("Partner label"), TEXT),
                Column(_("Phone numbers delivered")),
                Column(_("Wrong number or not in service")),
                Column(_("Share wrong"), SHARE),
            ),
            tuple(
                (r["label"], r["delivered"], r["wrong"], r["share"])
                for r in figures["wrong_numbers"]
            ),
            chart_column=3,
        ),
        Table(
            "no_help_reasons",
            _("Reasons for no help"),
            (Column(_("Reason"), TEXT), Column(_("Number of cases")), Column(_("Share"), SHARE)),
            tuple((r["label"], r["cases"], r["share"]) for r in figures["no_help_reasons"]),
            chart_column=1,
        ),
        Table(
            "directions",
            _("Outbound and inbound conversations"),
            (
                Column(_("Direction"), TEXT),
                Column(_("Conversations")),
                Column(_("Help requests")),
                Column(_("Conversion"), SHARE),
            ),
            tuple(
                (r["label"], r["conversations"], r["help_requests"], r["conversion"])
                for r in figures["directions"]
            ),
            chart_column=1,
        ),
    ]
    handover_rows = [(_("Handed over"), handovers["handed_over"])]
    if handovers["appointments_booked"] is not None:
        handover_rows.append((_("Appointments booked"), handovers["appointments_booked"]))
        handover_rows += [
            (_("Handovers: %(status)s") % {"status": r["label"]}, r["handovers"])
            for r in handovers["by_status"]
        ]
        handover_rows += [
            (_("Appointments booked, %(direction)s") % {"direction": r["label"]}, r["appointments"])
            for r in handovers["appointments_by_direction"]
        ]
    handover_rows += [
        (_("Follow-up result: %(result)s") % {"result": r["label"]}, r["cases"])
        for r in handovers["follow_up_results"]
    ]
    result += [
        Table(
            "handovers",
            _("Handovers and follow-up results"),
            (Column(_("Item"), TEXT), Column(_("Number"))),
            tuple(handover_rows),
        ),
        Table(
            "end_results",
            _("End results (DDAS)"),
            (
                Column(_("End result"), TEXT),
                Column(_("Number of cases")),
                Column(_("Share"), SHARE),
            ),
            tuple((r["label"], r["cases"], r["share"]) for r in figures["end_results"]),
            chart_column=1,
        ),
        Table(
            "durations",
            _("Lead times (calendar days)"),
            (
                Column(_("From signal to"), TEXT),
                Column(_("Number of cases")),
                Column(_("Median days"), DAYS),
                Column(_("Mean days"), DAYS),
            ),
            tuple(
                (label, d["cases"], d["median_days"], d["mean_days"])
                for label, d in (
                    (_("first contact"), durations["signal_to_first_contact"]),
                    (_("handover"), durations["signal_to_handover"]),
                )
            ),
        ),
        Table(
            "crisis",
            _("Crisis signals (3 working days)"),
            (Column(_("Status"), TEXT), Column(_("Number of cases"))),
            (
                (_("Handled within 3 working days"), crisis["within_deadline"]),
                (_("Handled late or not handled in time"), crisis["late"]),
                (_("Not handled yet, still within the term"), crisis["pending"]),
            ),
        ),
    ]
    return result


def _aapor_label(code: str) -> str:
    from bereik.outreach.models import AaporClass

    return str(dict(AaporClass.choices)[code])


def suppress(table: Table, min_count: int) -> Table:
    """The table with counts in ``1..min_count-1`` and the shares, days and amounts of their
    rows replaced by ``SUPPRESSED``."""
    rows, suppressed = [], 0
    for row in table.rows:
        hide = any(
            column.kind == COUNT and isinstance(value, int) and 0 < value < min_count
            for column, value in zip(table.columns, row, strict=True)
        )
        if hide:
            suppressed += 1
            row = tuple(
                SUPPRESSED if column.kind != TEXT and value is not None else value
                for column, value in zip(table.columns, row, strict=True)
            )
        rows.append(row)
    return replace(table, rows=tuple(rows), suppressed=suppressed)


def suppress_kpis(items: list[Kpi], min_count: int) -> list[Kpi]:
    return [
        replace(k, value=SUPPRESSED)
        if k.kind == COUNT and isinstance(k.value, int) and 0 < k.value < min_count
        else k
        for k in items
    ]
