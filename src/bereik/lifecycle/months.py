"""The calendar of the month-end closure (docs/lifecycle.md, "When a month can be closed").

* A month can be closed from its **last working day** on (Monday to Friday, not a Dutch public
  holiday): calling goes on until then. Earlier, or a later month, is "in the future".
* A closure can be undone until the **last day of the calendar month after the closed month**
  (October's closure until 30 November): by then the next month's closure and the monthly
  delivery to the national monitor build on it.
"""

import calendar
import datetime as dt
import re

from bereik.outreach.scheduling import dutch_public_holidays

MONTH_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")


class MalformedMonth(ValueError):
    pass


def parse_month(text: str) -> dt.date:
    """``YYYY-MM`` -> the first day of that month. Raises ``MalformedMonth``."""
    match = MONTH_PATTERN.match((text or "").strip())
    if not match:
        raise MalformedMonth(text)
    year, month = int(match.group(1)), int(match.group(2))
    if not (1 <= month <= 12 and 2000 <= year <= 9998):
        raise MalformedMonth(text)
    return dt.date(year, month, 1)


def month_end(month: dt.date) -> dt.date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def next_month(month: dt.date) -> dt.date:
    return month_end(month) + dt.timedelta(days=1)


def previous_month(month: dt.date) -> dt.date:
    return (month.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def last_working_day(month: dt.date) -> dt.date:
    closed = dutch_public_holidays([month.year])
    day = month_end(month)
    while day.weekday() >= 5 or day in closed:
        day -= dt.timedelta(days=1)
    return day


def closable_from(month: dt.date) -> dt.date:
    """The first day the month may be closed."""
    return last_working_day(month)


def undo_deadline(month: dt.date) -> dt.date:
    """The last day a closure of this month can be undone."""
    return month_end(next_month(month))
