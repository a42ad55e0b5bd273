"""Reads for outreach, always scoped to the municipalities where the user holds a permission."""

import copy
import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

import phonenumbers
from django.db import connection
from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from bereik.accounts.access import access_for, scope
from bereik.accounts.roles import Permission
from bereik.cases.models import Case, PhoneNumber, Resident
from bereik.cases.workflow import CaseState
from bereik.privacy.models import Objection

from .models import (
    TUNABLE_OUTCOME_FIELDS,
    Callback,
    Campaign,
    ContactAttempt,
    MessageTemplate,
    OutcomeCode,
    OutcomeSetting,
    QueueEntry,
    Script,
    ScriptVersion,
)
from .scheduling import (
    CallingCalendar,
    Candidate,
    DayPart,
    Window,
    day_part,
    day_parts_from_bits,
    dutch_public_holidays,
)

# How long after its time an untaken callback counts as missed (and, when it was reserved for one
# agent, falls to the whole team).
CALLBACK_GRACE = dt.timedelta(minutes=30)
# How many ready entries per campaign the ranking policy looks at per claim (the "hopper").
CANDIDATE_WINDOW = 12
# Cases an inbound caller may be talking about: everything not yet finished.
INBOUND_STATES = [
    CaseState.NEW,
    CaseState.ENRICHMENT,
    CaseState.LETTER_OR_VISIT,
    CaseState.CALL_QUEUE,
    CaseState.SOCIAL_WORK_QUEUE,
    CaseState.REACHED_HELP,
    CaseState.REACHED_NO_HELP,
    CaseState.EXHAUSTED,
]


# --- campaigns and calendars -------------------------------------------------------------------


def campaigns_for(user, permission: Permission = Permission.MANAGE_CAMPAIGNS) -> QuerySet:
    return scope(Campaign.objects.select_related("municipality", "script"), user, permission)


@lru_cache(maxsize=8)
def _holidays(first_year: int, last_year: int) -> frozenset[dt.date]:
    return dutch_public_holidays(range(first_year, last_year + 1))


def calendar_for(campaign: Campaign, *, around: dt.date | None = None) -> CallingCalendar:
    """The campaign's calling calendar: its weekday windows minus Dutch public holidays."""
    around = around or timezone.localdate()
    windows = tuple(
        Window(w.weekday, w.starts_at, w.ends_at)
        for w in sorted(campaign.windows.all(), key=lambda w: w.weekday)
    )
    return CallingCalendar(
        windows=windows, closed_dates=_holidays(around.year - 1, around.year + 2)
    )


def campaign_runs_on(campaign: Campaign, day: dt.date) -> bool:
    return (
        campaign.is_active
        and campaign.starts_on <= day
        and (campaign.ends_on is None or day <= campaign.ends_on)
    )


# The claim asks "which campaigns may this agent call for now?" on every "next resident". The answer
# changes rarely, so each process keeps each municipality's running campaigns for a moment, for
# all its agents (an agent's own claims are further apart than that). Edits show within
# CAMPAIGN_CACHE_TTL in other processes, at once in the one that saved them.
CAMPAIGN_CACHE_TTL = dt.timedelta(seconds=2)
_campaign_cache: dict[int, tuple[dt.datetime, list[Campaign]]] = {}
# The same holds for what every saved outcome needs: the campaign's calendar and the
# municipality's outcome settings. Saving windows or a setting forgets them in its own process.
_calendar_cache: dict[tuple[int, int], tuple[dt.datetime, CallingCalendar]] = {}
_settings_cache: dict[int, tuple[dt.datetime, dict[int, dict]]] = {}


def _fresh(cache: dict, key, now: dt.datetime):
    """What ``cache`` keeps under ``key`` if stored less than ``CAMPAIGN_CACHE_TTL`` before
    ``now``, else None."""
    cached = cache.get(key)
    if cached is not None and dt.timedelta(0) <= now - cached[0] < CAMPAIGN_CACHE_TTL:
        return cached[1]
    return None


def forget_cached_campaigns() -> None:
    """Forget the per-process caches of campaigns, calendars and outcome settings."""
    _campaign_cache.clear()
    _calendar_cache.clear()
    _settings_cache.clear()


def cached_calendar(campaign: Campaign, now: dt.datetime) -> CallingCalendar:
    """``calendar_for(campaign)`` around ``now``, kept per process for ``CAMPAIGN_CACHE_TTL``."""
    today = timezone.localdate(now)
    key = (campaign.pk, today.year)
    calendar = _fresh(_calendar_cache, key, now)
    if calendar is None:
        calendar = calendar_for(campaign, around=today)
        _calendar_cache[key] = (now, calendar)
    return calendar


def callable_campaigns(user, now: dt.datetime) -> list[Campaign]:
    """Active campaigns the user may call for today, with their windows (briefly cached per
    municipality); the user's municipalities are asked every time."""
    municipality_ids = access_for(user).municipality_ids(Permission.WORK_CALL_QUEUE)
    campaigns, missing = [], []
    for municipality_id in municipality_ids:
        cached = _fresh(_campaign_cache, municipality_id, now)
        if cached is None:
            missing.append(municipality_id)
        else:
            campaigns.extend(cached)
    if missing:
        today = timezone.localdate(now)
        running: dict[int, list[Campaign]] = {municipality_id: [] for municipality_id in missing}
        for campaign in (
            Campaign.objects.filter(municipality_id__in=missing, is_active=True)
            .filter(starts_on__lte=today)
            .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
            .prefetch_related("windows")
        ):
            running[campaign.municipality_id].append(campaign)
        for municipality_id, found in running.items():
            _campaign_cache[municipality_id] = (now, found)
            campaigns.extend(found)
    return sorted(campaigns, key=lambda c: (-c.starts_on.toordinal(), c.name, c.pk))


def open_campaigns(user, now: dt.datetime) -> list[Campaign]:
    """Active campaigns the user may call for whose calling window is open now."""
    return [c for c in callable_campaigns(user, now) if cached_calendar(c, now).is_open(now)]


def active_campaign_for(municipality_id: int, day: dt.date) -> Campaign | None:
    return (
        Campaign.objects.filter(municipality_id=municipality_id, is_active=True, starts_on__lte=day)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day))
        .order_by("-starts_on", "pk")
        .first()
    )


# --- the queue ---------------------------------------------------------------------------------


def entry_held_by(user, now: dt.datetime) -> QueueEntry | None:
    """The entry the user holds a reservation of, if any (asked first by every claim)."""
    held = QueueEntry.objects.raw(_HELD_ENTRY_SQL, [user.pk, now])
    return next(iter(held), None)


_HELD_ENTRY_SQL = (
    f"SELECT * FROM {QueueEntry._meta.db_table} "  # noqa: S608 (model table name)
    "WHERE locked_by_id = %s AND locked_until > %s ORDER BY locked_until DESC LIMIT 1"
)


def promotion_due(campaign_id: int, now: dt.datetime) -> tuple[bool, bool]:
    """Whether the campaign has waiting entries whose time has come, and reserved callbacks
    nobody took within the grace period: one probe of two partial indexes, so that the claim
    (which asks once a second per process) only opens a write transaction when there is work."""
    with connection.cursor() as cursor:
        cursor.execute(
            _PROMOTION_DUE_SQL,
            [
                campaign_id,
                connection.ops.adapt_datetimefield_value(now),
                campaign_id,
                connection.ops.adapt_datetimefield_value(now - CALLBACK_GRACE),
            ],
        )
        waiting, callbacks = cursor.fetchone()
    return bool(waiting), bool(callbacks)


def _promotion_due_sql() -> str:
    entry = QueueEntry._meta.db_table
    waiting, ready = QueueEntry.Status.WAITING.value, QueueEntry.Status.READY.value
    return f"""
        SELECT EXISTS (SELECT 1 FROM {entry} WHERE campaign_id = %s AND status = '{waiting}'
                       AND next_attempt_at <= %s),
               EXISTS (SELECT 1 FROM {entry} WHERE campaign_id = %s AND status = '{ready}'
                       AND band = {QueueEntry.Band.CALLBACK.value}
                       AND callback_agent_id IS NOT NULL AND callback_due_at < %s)"""  # noqa: S608


_PROMOTION_DUE_SQL = _promotion_due_sql()


def _ready_entries_sql() -> str:
    tables = {
        "entry": QueueEntry._meta.db_table,
        "case": Case._meta.db_table,
        "resident": Resident._meta.db_table,
        "number": PhoneNumber._meta.db_table,
        "objection": Objection._meta.db_table,
    }
    # Written out rather than built by the ORM: this runs on every "next resident" of every
    # agent, and building the same query each time cost more than running it (docs/outreach.md).
    # Only model table names and a constant are formatted in; the values are parameters.
    return f"""
        SELECT q.*, c.state AS case_state, c.resident_id AS resident_id,
               r.birth_date AS birth_date, p.kind AS number_kind,
               EXISTS (SELECT 1 FROM {tables["objection"]} o
                       WHERE o.resident_id = c.resident_id AND o.withdrawn_at IS NULL)
                   AS resident_objects
        FROM {tables["entry"]} q
        JOIN {tables["case"]} c ON c.id = q.case_id
        JOIN {tables["resident"]} r ON r.id = c.resident_id
        LEFT JOIN {tables["number"]} p ON p.id = q.current_number_id
        WHERE q.campaign_id = %s AND q.status = '{QueueEntry.Status.READY.value}'
          AND (q.locked_until IS NULL OR q.locked_until <= %s)
          AND (q.callback_agent_id IS NULL OR q.callback_agent_id = %s)
        ORDER BY q.band, q.rank_date, q.entered_at, q.id
        LIMIT %s"""  # noqa: S608


def ready_entries(
    campaign_id: int, agent, now: dt.datetime, *, limit: int = CANDIDATE_WINDOW, lock=False
) -> list[QueueEntry]:
    """The first ready, unreserved entries of one campaign in ranking-index order
    (``queue_ready``), each with what the claim needs to know about its case (``case_state``),
    resident (``resident_id``, ``birth_date``, ``resident_objects``) and number (``number_kind``).

    ``lock`` (PostgreSQL) locks them ``FOR UPDATE SKIP LOCKED``: rows another claim is looking
    at this instant are skipped, not waited for.
    """
    sql = _READY_ENTRIES_SQL
    if lock and connection.features.has_select_for_update_skip_locked:
        sql += " FOR UPDATE OF q SKIP LOCKED"
    entries = list(QueueEntry.objects.raw(sql, [campaign_id, now, agent.pk, limit]))
    for entry in entries:
        if isinstance(entry.birth_date, str):  # SQLite gives an annotated date as text
            entry.birth_date = dt.date.fromisoformat(entry.birth_date)
    return entries


_READY_ENTRIES_SQL = _ready_entries_sql()


def as_candidate(entry: QueueEntry, campaign: Campaign, now: dt.datetime) -> Candidate:
    """The entry as a policy sees it (``ready_entries`` annotates the resident's birth date and
    the number's kind)."""
    last = entry.last_attempt_at
    called_today = last is not None and timezone.localdate(last) == timezone.localdate(now)
    return Candidate(
        key=entry.pk,
        entered_at=entry.entered_at,
        is_crisis=entry.is_crisis,
        due_on=None if entry.rank_date.year == 9999 else entry.rank_date,
        callback_due_at=entry.callback_due_at,
        callback_agent_id=entry.callback_agent_id,
        day_parts_tried=day_parts_from_bits(entry.day_parts_tried),
        attempts=entry.attempts,
        birth_date=getattr(entry, "birth_date", None),
        number_type=getattr(entry, "number_kind", None) or "",
        # At least one when the last attempt was today; the daily cap itself is enforced by
        # the schedule (``plan_next_attempt``), not by the ranking.
        attempts_today=1 if called_today else 0,
        attempts_left=max(0, campaign.max_attempts_per_number - entry.attempts),
        last_attempt_at=last,
        last_day_part=day_part(last) if last is not None else None,
    )


# --- the workspace -----------------------------------------------------------------------------


def dialable_numbers(numbers: Iterable[PhoneNumber]) -> list[PhoneNumber]:
    """Of a resident's numbers (``resident.phone_numbers.all()``, prefetched or not), those that
    may be dialled, in their order."""
    return [n for n in numbers if n.status == PhoneNumber.Status.VALID]


def failed_attempts_on(number: PhoneNumber) -> int:
    """Outbound calls to the number without right-party contact, ever."""
    return attempts_on(number, timezone.localdate()).failed


ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class NumberAttempts:
    failed: int  # outbound calls to it without right-party contact, ever
    today: int  # outbound calls to it on the day asked


def attempts_on(number: PhoneNumber, day: dt.date) -> NumberAttempts:
    """The number's failed calls ever and its calls on ``day``, in one query (a saved outcome
    needs both)."""
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    counts = ContactAttempt.objects.filter(
        phone_number=number,
        kind=ContactAttempt.Kind.PHONE,
        direction=ContactAttempt.Direction.OUTBOUND,
    ).aggregate(
        failed=Count("pk", filter=~Q(outcome__right_party_contact=True)),
        today=Count("pk", filter=Q(occurred_at__gte=start, occurred_at__lt=start + ONE_DAY)),
    )
    return NumberAttempts(failed=counts["failed"], today=counts["today"])


def latest_script_version(campaign: Campaign | None) -> ScriptVersion | None:
    if campaign is None or campaign.script_id is None:
        return None
    return campaign.script.versions.order_by("-number").first()


def outcome_codes(municipality_id: int) -> QuerySet[OutcomeCode]:
    """The codes in use in one municipality, in its order. Each carries ``local_needs_note`` and
    ``local_requires_callback`` (its own settings, else the national defaults) for the form."""
    setting = OutcomeSetting.objects.filter(municipality_id=municipality_id, outcome=OuterRef("pk"))

    def local(name: str):
        return Coalesce(Subquery(setting.values(name)[:1]), F(name))

    return (
        OutcomeCode.objects.annotate(
            local_active=local("is_active"),
            local_position=local("position"),
            local_needs_note=local("needs_note"),
            local_requires_callback=local("requires_callback"),
        )
        .filter(local_active=True)
        .order_by("local_position", "pk")
    )


def with_local_settings(outcome: OutcomeCode, municipality_id: int) -> OutcomeCode:
    """The code as one municipality's queue applies it: a copy with its settings laid over the
    national defaults (the code itself when it has none). Applying it twice changes nothing."""
    if getattr(outcome, "settings_of", None) == municipality_id:
        return outcome
    local = copy.copy(outcome)
    for name, value in _settings_in(municipality_id).get(outcome.pk, {}).items():
        setattr(local, name, value)
    local.settings_of = municipality_id
    return local


def _settings_in(municipality_id: int) -> dict[int, dict]:
    """{outcome id: tunable fields} of one municipality, kept per process for
    ``CAMPAIGN_CACHE_TTL`` (read for every saved outcome, changed rarely)."""
    now = timezone.now()
    settings = _fresh(_settings_cache, municipality_id, now)
    if settings is None:
        settings = {
            row.pop("outcome_id"): row
            for row in OutcomeSetting.objects.filter(municipality_id=municipality_id).values(
                "outcome_id", *TUNABLE_OUTCOME_FIELDS
            )
        }
        _settings_cache[municipality_id] = (now, settings)
    return settings


def outcome_settings_of(municipality_id: int) -> list[OutcomeCode]:
    """Every code (also those switched off) as this municipality applies it, in its order."""
    settings = {
        row["outcome_id"]: row
        for row in OutcomeSetting.objects.filter(municipality_id=municipality_id).values(
            "outcome_id", *TUNABLE_OUTCOME_FIELDS
        )
    }
    codes = []
    for outcome in OutcomeCode.objects.all():
        row = settings.get(outcome.pk)
        outcome.is_customised = row is not None
        for name in TUNABLE_OUTCOME_FIELDS if row else ():
            setattr(outcome, name, row[name])
        outcome.settings_of = municipality_id
        codes.append(outcome)
    return sorted(codes, key=lambda o: (o.position, o.pk))


def attempts_for(case: Case) -> QuerySet:
    return ContactAttempt.objects.filter(case=case).select_related(
        "outcome", "agent", "phone_number"
    )


def resident_age(birth_date: dt.date | None, today: dt.date) -> int | None:
    if birth_date is None:
        return None
    before_birthday = (today.month, today.day) < (birth_date.month, birth_date.day)
    return today.year - birth_date.year - before_birthday


def script_values(case: Case, campaign: Campaign | None, agent) -> dict[str, str]:
    """The placeholders a script or message may use: what the call needs, never the BSN."""
    resident = case.resident
    signals = list(case.signals.all())
    partners = sorted({s.partner_name or s.get_partner_type_display() for s in signals})
    total = sum((s.amount for s in signals), start=0)
    return {
        "naam": resident.display_name,
        "achternaam": " ".join(p for p in (resident.surname_prefix, resident.surname) if p),
        "gemeente": case.municipality.name,
        "partners": ", ".join(partners),
        "bedrag": f"€ {total:,.2f}".replace(",", "X").replace(".", ",").replace("X", "."),
        "beller": agent.get_full_name() or agent.get_username() if agent else "",
        "terugbelnummer": campaign.caller_id if campaign else "",
    }


def message_templates_for(municipality_id: int, channel: str | None = None) -> QuerySet:
    templates = MessageTemplate.objects.filter(municipality_id=municipality_id, is_active=True)
    return templates.filter(channel=channel) if channel else templates


def scripts_for(user) -> QuerySet:
    return scope(Script.objects.select_related("municipality"), user, Permission.MANAGE_RULES)


# --- inbound -----------------------------------------------------------------------------------


class UnparsableNumber(ValueError):
    pass


def normalise_number(raw: str) -> str:
    """E.164 for a Dutch or international number as typed or pasted; raises UnparsableNumber."""
    cleaned = (raw or "").strip()
    if cleaned.startswith("00"):
        cleaned = "+" + cleaned[2:]
    try:
        parsed = phonenumbers.parse(cleaned, "NL")
    except phonenumbers.NumberParseException:
        raise UnparsableNumber(raw) from None
    if not phonenumbers.is_valid_number(parsed):
        raise UnparsableNumber(raw)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def number_kind(e164: str) -> str:
    parsed = phonenumbers.parse(e164)
    number_type = phonenumbers.number_type(parsed)
    if number_type == phonenumbers.PhoneNumberType.MOBILE:
        return PhoneNumber.Kind.MOBILE
    if number_type == phonenumbers.PhoneNumberType.FIXED_LINE:
        return PhoneNumber.Kind.LANDLINE
    return PhoneNumber.Kind.UNKNOWN


def inbound_matches(user, e164: str) -> list[Case]:
    """Unfinished cases, in the municipalities the user calls for, of residents with this
    number (whatever the number's status: a retired number may still be theirs)."""
    return list(
        scope(Case.objects.all(), user, Permission.WORK_CALL_QUEUE)
        .filter(resident__phone_numbers__e164=e164, state__in=INBOUND_STATES)
        .select_related("resident", "municipality")
        .distinct()
        .order_by("-matching_period", "pk")
    )


# --- supervisor --------------------------------------------------------------------------------


@dataclass
class Progress:
    open: int = 0
    in_progress: int = 0
    reached: int = 0
    exhausted: int = 0
    other_closed: int = 0
    attempts_by_day_part: dict[str, int] = field(default_factory=dict)
    attempts_today: int = 0
    agents_active: int = 0
    due_callbacks: list[Callback] = field(default_factory=list)
    missed_callbacks: int = 0


def progress(user, now: dt.datetime, *, campaign_id=None, municipality_id=None) -> Progress:
    """Live figures for the supervisor. Counts only: no personal data."""
    entries = scope(QueueEntry.objects.all(), user, Permission.MANAGE_CAMPAIGNS)
    attempts = scope(ContactAttempt.objects.all(), user, Permission.MANAGE_CAMPAIGNS)
    callbacks = scope(Callback.objects.all(), user, Permission.MANAGE_CAMPAIGNS)
    if campaign_id:
        entries = entries.filter(campaign_id=campaign_id)
        attempts = attempts.filter(campaign_id=campaign_id)
        callbacks = callbacks.filter(entry__campaign_id=campaign_id)
    if municipality_id:
        entries = entries.filter(municipality_id=municipality_id)
        attempts = attempts.filter(municipality_id=municipality_id)
        callbacks = callbacks.filter(municipality_id=municipality_id)

    result = Progress()
    locked = Q(locked_until__gt=now)
    counts = entries.aggregate(
        open=Count("pk", filter=~Q(status=QueueEntry.Status.CLOSED) & ~locked),
        in_progress=Count("pk", filter=locked),
        reached=Count("pk", filter=Q(closed_reason=QueueEntry.ClosedReason.REACHED) & ~locked),
        exhausted=Count("pk", filter=Q(closed_reason=QueueEntry.ClosedReason.EXHAUSTED) & ~locked),
        closed=Count("pk", filter=Q(status=QueueEntry.Status.CLOSED) & ~locked),
    )
    result.open = counts["open"]
    result.in_progress = counts["in_progress"]
    result.reached = counts["reached"]
    result.exhausted = counts["exhausted"]
    result.other_closed = counts["closed"] - counts["reached"] - counts["exhausted"]

    day_start = timezone.make_aware(dt.datetime.combine(timezone.localdate(now), dt.time.min))
    today = attempts.filter(occurred_at__gte=day_start, kind=ContactAttempt.Kind.PHONE)
    by_part = Counter(dict(today.values_list("day_part").annotate(n=Count("pk"))))
    result.attempts_by_day_part = {part.value: by_part.get(part.value, 0) for part in DayPart}
    result.attempts_today = sum(by_part.values())
    recent = attempts.filter(occurred_at__gte=now - dt.timedelta(minutes=15))
    agent_ids = set(recent.values_list("agent_id", flat=True)) | set(
        entries.filter(locked).values_list("locked_by_id", flat=True)
    )
    result.agents_active = len(agent_ids - {None})
    open_callbacks = callbacks.open()
    result.due_callbacks = list(
        open_callbacks.filter(due_at__lte=now + dt.timedelta(hours=1))
        .select_related("entry__case", "agent")
        .order_by("due_at")[:50]
    )
    result.missed_callbacks = open_callbacks.filter(due_at__lt=now - CALLBACK_GRACE).count()
    return result


def callback_is_missed(callback: Callback, now: dt.datetime) -> bool:
    return callback.fulfilled_at is None and callback.due_at < now - CALLBACK_GRACE


def my_callbacks(user, now: dt.datetime) -> QuerySet:
    return (
        scope(Callback.objects.open(), user, Permission.WORK_CALL_QUEUE)
        .filter(agent=user)
        .select_related("entry__case")
        .order_by("due_at")
    )


def can_manage(user, municipality_id: int) -> bool:
    return access_for(user).can(Permission.MANAGE_CAMPAIGNS, municipality_id)
