"""How report values are written: shares as percentages, missing ratios as "–", suppressed
counts as "< n", amounts in euros, Dutch number formatting."""

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from bereik.reporting.tables import MONEY, SHARE, SUPPRESSED

register = template.Library()


@register.simple_tag
def report_value(value, kind: str = "count", min_count: int = 5) -> str:
    if value is None:
        return "–"
    if value == SUPPRESSED:
        return _("< %(n)s") % {"n": min_count}
    if isinstance(value, str):
        return value
    if kind == SHARE:
        return f"{number_format(round(value * 100, 1), 1)}%"
    if kind == MONEY:
        return f"€ {number_format(round(value, 2), 2, force_grouping=True)}"
    if isinstance(value, float) and not value.is_integer():
        return number_format(round(value, 1), 1)
    return number_format(int(value), force_grouping=True)


@register.filter
def cell_kind(table, index: int) -> str:
    return table.columns[index].kind
