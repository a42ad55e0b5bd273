"""Matching signals into residents and cases, set-based, chunk by chunk.

* A resident is recognised by BSN, else by birth date + postcode + house number (+ addition) +
  surname (case, accents, spaces and the prefix's position ignored). A resident found by address
  identity is never matched to a row with a different BSN.
* One case per resident per matching period (the calendar month of the signal date); several
  signals in the period join that case.
* A signal from the same partner (type and name) as an earlier signal of the resident within the
  recidive window, whose amount did not grow, is a *repeat*: status "Niet opgepakt: herhaalde
  melding". A case whose signals are all repeats is closed with that end result.
* A new case of a resident who had a case in the recidive window before its period is recidive,
  linked to the most recent such case.

The matcher holds only keys (BSN → resident, case keys, fingerprints) between chunks, so memory
grows with the number of residents, not with the file. Routing (which queue a case goes to) is
the intake's business and happens after matching.
"""

import datetime
import itertools
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

from django.db.models.functions import Length

from .bulk import allocate_ids, insert, one_of, probe
from .models import Case, PhoneNumber, Resident, Signal
from .workflow import CaseState

STATUS_OPEN = "Nog niet opgepakt"
STATUS_REPEAT = "Niet opgepakt: herhaalde melding"
STATUS_UNJUSTIFIED = "Niet opgepakt: onterecht signaal"
RESULT_REPEAT = STATUS_REPEAT  # EnumEindresultaat uses the same words
RESULT_UNJUSTIFIED = STATUS_UNJUSTIFIED
NOT_PICKED_UP_RESULTS = frozenset({RESULT_REPEAT, RESULT_UNJUSTIFIED})


def period_of(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


@lru_cache(maxsize=8192)  # called per signal and per month of a recidive window; few distinct days
def months_before(day: datetime.date, months: int) -> datetime.date:
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    # clamp the day to the target month's length
    next_month = datetime.date(year + (month == 12), month % 12 + 1, 1)
    last_day = (next_month - datetime.timedelta(days=1)).day
    return datetime.date(year, month, min(day.day, last_day))


@lru_cache(maxsize=65536)
def surname_match_key(prefix: str, surname: str) -> str:
    decomposed = unicodedata.normalize("NFKD", prefix + surname)
    return "".join(ch for ch in decomposed if ch.isalnum()).lower()


def _signal_date(row: tuple) -> datetime.date:
    return row[6]


@dataclass(slots=True)
class CaseAssessment:
    """What routing needs to know about one case touched by a run."""

    case_id: int
    state: str
    end_result: str
    created: bool
    matching_period: datetime.date
    total: Decimal
    is_crisis: bool
    warm_handover: bool
    all_repeat: bool
    has_valid_phone: bool
    signal_ids: list[int]
    # This run's signals of residents the run made, known by fingerprint (their ids come from
    # the database and were never read back); like ``signal_ids``, repeats left out.
    signal_fingerprints: list[str] = field(default_factory=list)


class SignalMatcher:
    """Stores normalised signals (objects with the attributes of ``intake.rows.ParsedSignal``)
    for one municipality and source, recognising residents and cases.

    Call ``add`` per chunk, then ``assess`` once; run everything inside one transaction.
    """

    def __init__(self, municipality, source: str, *, today: datetime.date, recidive_months=6):
        self.municipality = municipality
        self.source = source
        self.today = today
        self.recidive_months = recidive_months
        self._by_bsn: dict[str, int] = {}
        self._by_identity: dict[tuple, tuple[int, str]] = {}
        self._created_residents: set[int] = set()  # made by this run: nothing stored before
        self._phone_keys: dict[int, list[str]] = {}  # per resident whose numbers were loaded
        self._case_lookups: set[tuple[int, datetime.date]] = set()
        self._cases: dict[tuple[int, datetime.date], int] = {}
        self._fingerprints: set[str] = set()
        self._next_sequence: dict[datetime.date, int] = {}
        # Cases made by this run, stored only once routed (``store_created``) so that they go in
        # with their final fields instead of being updated several times: pk -> (resident,
        # reference, matching period). Signals refer to them before; foreign keys are deferred.
        self._pending: dict[int, tuple[int, str, datetime.date]] = {}
        self._last_case_id = 0  # of the pending ones, so that SQLite hands out no id twice
        self._recidive: dict[int, int] = {}  # pending case -> earlier case, for the chunk assessed
        # What assessment needs of the signals of residents made by this run (all their signals
        # are this run's): resident -> rows shaped like ``_assess_chunk``'s query, with the
        # fingerprint in place of the id, in insertion (hence id) order. Saves reading them back.
        # Most residents have one signal: that row is kept without a list around it (memory).
        self._run_signals: dict[int, tuple | list[tuple]] = {}
        self._valid_phone: set[int] = set()  # residents made by this run with a valid number
        self._partner_keys: dict[str, str] = {}  # partner name -> casefolded, shared
        self._source_had_signals: bool | None = None  # decided at the first chunk
        self.created_cases: set[int] = set()
        self.updated_cases: set[int] = set()
        self.imported = 0

    # --- storing ---------------------------------------------------------------------------

    def add(self, signals: list) -> list:
        """Store one chunk. Returns the signals skipped as duplicates (already stored from this
        source, or earlier in this run)."""
        fresh, duplicates = self._split_duplicates(signals)
        if not fresh:
            return duplicates
        resident_ids = self._resolve_residents(fresh)
        self._store_phones(fresh, resident_ids)
        case_ids = self._resolve_cases(fresh, resident_ids)
        self._keep_run_signals(fresh, resident_ids, case_ids)
        insert(
            Signal,
            [
                {
                    "municipality_id": self.municipality.pk,
                    "case_id": case_id,
                    "resident_id": resident_id,
                    "source": self.source,
                    "external_id": s.external_id,
                    "fingerprint": s.fingerprint,
                    "partner_type": s.partner_type,
                    "partner_name": s.partner_name,
                    "amount": s.amount,
                    "arrears_since": s.arrears_since,
                    "signal_date": s.signal_date,
                    "is_crisis": s.is_crisis,
                    "warm_handover": s.warm_handover,
                    "status": STATUS_OPEN,
                }
                for s, resident_id, case_id in zip(fresh, resident_ids, case_ids, strict=True)
            ],
        )
        self.imported += len(fresh)
        return duplicates

    def _keep_run_signals(self, signals, resident_ids, case_ids) -> None:
        created, kept, names = self._created_residents, self._run_signals, self._partner_keys
        for s, resident_id, case_id in zip(signals, resident_ids, case_ids, strict=True):
            if resident_id not in created:
                continue
            name = names.get(s.partner_name)
            if name is None:
                name = names[s.partner_name] = s.partner_name.casefold()
            row = (
                s.fingerprint,
                case_id,
                resident_id,
                s.partner_type,
                name,
                s.amount,
                s.signal_date,
                s.is_crisis,
                s.warm_handover,
                STATUS_OPEN,
            )
            earlier = kept.get(resident_id)
            if earlier is None:
                kept[resident_id] = row
            elif type(earlier) is tuple:
                kept[resident_id] = [earlier, row]
            else:
                earlier.append(row)

    def _split_duplicates(self, signals):
        fresh, duplicates, seen = [], [], self._fingerprints
        if self._source_had_signals is None:
            # The run holds the municipality's lock, so no other run adds signals of this source
            # meanwhile: when there were none, only this run's own fingerprints can repeat.
            self._source_had_signals = Signal.objects.filter(
                municipality=self.municipality, source=self.source
            ).exists()
        candidates = [s.fingerprint for s in signals if s.fingerprint not in seen]
        if not self._source_had_signals:
            candidates = []
        stored = {
            row[0]
            for row in probe(
                Signal,
                ["fingerprint"],
                "fingerprint",
                candidates,
                municipality=self.municipality,
                source=self.source,
            )
        }
        for signal in signals:
            if signal.fingerprint in seen or signal.fingerprint in stored:
                duplicates.append(signal)
            else:
                seen.add(signal.fingerprint)
                fresh.append(signal)
        return fresh, duplicates

    def _identity(self, s) -> tuple | None:
        if not (s.birth_date and s.postcode and s.house_number and s.surname):
            return None
        return (
            s.birth_date,
            s.postcode,
            s.house_number,
            s.house_number_addition.upper(),
            surname_match_key(s.surname_prefix, s.surname),
        )

    def _resolve_residents(self, signals) -> list[int]:
        """Resident id per signal, creating residents not seen before."""
        wanted_bsns = {s.bsn for s in signals if s.bsn and s.bsn not in self._by_bsn}
        if wanted_bsns:
            for pk, bsn in sorted(
                probe(Resident, ["id", "bsn"], "bsn", wanted_bsns, municipality=self.municipality)
            ):
                self._by_bsn.setdefault(bsn, pk)
        with_bsn, without_bsn = set(), set()
        for s in signals:
            if not (s.bsn and s.bsn in self._by_bsn):
                key = self._identity(s)
                if key is not None and key not in self._by_identity:
                    (with_bsn if s.bsn else without_bsn).add(key)
        # A row with an unknown BSN can only be a resident known without BSN.
        self._load_identities(with_bsn, blank_bsn_only=True)
        self._load_identities(without_bsn, blank_bsn_only=False)
        result: list[int | None] = []
        new_residents: dict[object, tuple] = {}  # key -> (signal, identity)
        pending: list[tuple[int, object]] = []  # (index in result, key into new_residents)
        bsn_updates: dict[int, str] = {}
        for index, s in enumerate(signals):
            pk = self._by_bsn.get(s.bsn) if s.bsn else None
            identity = self._identity(s)
            if pk is None and identity is not None:
                found = self._by_identity.get(identity)
                if found and found[1] in ("", s.bsn):
                    pk = found[0]
                    if s.bsn and not found[1]:
                        bsn_updates[pk] = s.bsn
                        self._by_bsn[s.bsn] = pk
                        self._by_identity[identity] = (pk, s.bsn)
            if pk is not None:
                result.append(pk)
                continue
            key = ("bsn", s.bsn) if s.bsn else ("identity", identity)
            if key not in new_residents:
                new_residents[key] = (s, identity)
            result.append(None)
            pending.append((index, key))
        if new_residents:
            ids = allocate_ids(Resident, len(new_residents))
            insert(
                Resident,
                [
                    {
                        "id": pk,
                        "municipality_id": self.municipality.pk,
                        "bsn": s.bsn,
                        "initials": s.initials,
                        "surname_prefix": s.surname_prefix,
                        "surname": s.surname,
                        "birth_date": s.birth_date,
                        "street": s.street,
                        "house_number": s.house_number,
                        "house_number_addition": s.house_number_addition,
                        "postcode": s.postcode,
                        "city": s.city,
                        "email": s.email,
                    }
                    for pk, (s, _identity) in zip(ids, new_residents.values(), strict=True)
                ],
            )
            new_ids = {}
            for pk, (key, (s, identity)) in zip(ids, new_residents.items(), strict=True):
                new_ids[key] = pk
                self._created_residents.add(pk)
                self._phone_keys[pk] = []
                if s.bsn:
                    self._by_bsn[s.bsn] = pk
                if identity is not None:
                    self._by_identity.setdefault(identity, (pk, s.bsn))
            for index, key in pending:
                result[index] = new_ids[key]
        for pk, bsn in bsn_updates.items():
            Resident.objects.filter(pk=pk, bsn="").update(bsn=bsn)
        return result

    def _load_identities(self, identities: set, *, blank_bsn_only: bool) -> None:
        if not identities:
            return
        columns = [
            "id",
            "bsn",
            "birth_date",
            "postcode",
            "house_number",
            "house_number_addition",
            "surname_prefix",
            "surname",
        ]
        birth_dates = {key[0] for key in identities}
        postcodes = {key[1] for key in identities}
        numbers = {key[2] for key in identities}
        if blank_bsn_only:
            # The residents without BSN are few: the (municipality, bsn) index finds them all.
            rows = (
                Resident.objects.filter(
                    one_of("birth_date", birth_dates),
                    one_of("postcode", postcodes),
                    one_of("house_number", numbers),
                    municipality=self.municipality,
                    bsn="",
                )
                .order_by("pk")
                .values_list(*columns)
            )
        else:
            # The same rows, found per birth date in the address-identity index instead of by
            # filtering every resident of the municipality (a cost that grew with the run).
            rows = sorted(
                probe(
                    Resident,
                    columns,
                    "birth_date",
                    birth_dates,
                    any_of={"postcode": postcodes, "house_number": numbers},
                    municipality=self.municipality,
                )
            )
        for row in rows:
            pk, bsn, birth, postcode, number, addition, prefix, surname = row
            key = (birth, postcode, number, addition.upper(), surname_match_key(prefix, surname))
            self._by_identity.setdefault(key, (pk, bsn))

    def _store_phones(self, signals, resident_ids):
        unknown = {pk for pk in resident_ids if pk not in self._phone_keys}
        if unknown:
            for pk in unknown:
                self._phone_keys.setdefault(pk, [])
            for resident_id, e164, raw in PhoneNumber.objects.filter(
                one_of("resident_id", unknown)
            ).values_list("resident_id", "e164", "raw"):
                self._phone_keys[resident_id].append(e164 or raw)
        new_numbers = []
        valid, invalid = PhoneNumber.Status.VALID.value, PhoneNumber.Status.INVALID.value
        for s, resident_id in zip(signals, resident_ids, strict=True):
            keys = self._phone_keys[resident_id]
            for phone in s.phones:
                key = phone.e164 or phone.raw
                if key in keys:
                    continue
                if phone.valid and resident_id in self._created_residents:
                    self._valid_phone.add(resident_id)
                new_numbers.append(
                    {
                        "resident_id": resident_id,
                        "raw": phone.raw,
                        "e164": phone.e164,
                        "kind": phone.kind,
                        "status": valid if phone.valid else invalid,
                        "source": PhoneNumber.Source.SIGNAL.value,
                        "position": len(keys),
                    }
                )
                keys.append(key)
        insert(PhoneNumber, new_numbers)

    def _resolve_cases(self, signals, resident_ids) -> list[int]:
        lookups = {
            (pk, period_of(s.signal_date))
            for pk, s in zip(resident_ids, signals, strict=True)
            if pk not in self._created_residents
        } - self._case_lookups
        if lookups:
            for pk, resident_id, period in Case.objects.filter(
                one_of("resident_id", {key[0] for key in lookups}),
                one_of("matching_period", {key[1] for key in lookups}),
                municipality=self.municipality,
            ).values_list("pk", "resident_id", "matching_period"):
                self._cases.setdefault((resident_id, period), pk)
            self._case_lookups |= lookups
        new_cases: dict[tuple, dict] = {}
        for s, resident_id in zip(signals, resident_ids, strict=True):
            key = (resident_id, period_of(s.signal_date))
            if key in self._cases:
                if self._cases[key] not in self.created_cases:
                    self.updated_cases.add(self._cases[key])
            elif key not in new_cases:
                new_cases[key] = self._reference(key[1])
        if new_cases:
            ids = allocate_ids(Case, len(new_cases), after=self._last_case_id)
            self._last_case_id = ids[-1]
            for pk, (key, reference) in zip(ids, new_cases.items(), strict=True):
                self._cases[key] = pk
                self.created_cases.add(pk)
                self._pending[pk] = (key[0], reference, key[1])
        return [
            self._cases[(resident_id, period_of(s.signal_date))]
            for s, resident_id in zip(signals, resident_ids, strict=True)
        ]

    def _reference(self, period: datetime.date) -> str:
        """``<gemeentecode>-<yymm>-<sequence>``, numbered per municipality and period."""
        prefix = f"{self.municipality.municipality_code}-{period:%y%m}-"
        if period not in self._next_sequence:
            last = (
                Case.objects.filter(reference__startswith=prefix)
                .order_by(Length("reference").desc(), "-reference")
                .values_list("reference", flat=True)
                .first()
            )
            self._next_sequence[period] = int(last.rsplit("-", 1)[1]) + 1 if last else 1
        sequence = self._next_sequence[period]
        self._next_sequence[period] = sequence + 1
        return f"{prefix}{sequence:06d}"

    # --- assessing -------------------------------------------------------------------------

    def assess(self, chunk_size: int = 2000):
        """Yield lists of ``CaseAssessment`` for every case created or updated by this run, after
        marking repeat signals and linking recidive cases."""
        touched = sorted(self.created_cases | self.updated_cases)
        for start in range(0, len(touched), chunk_size):
            yield self._assess_chunk(touched[start : start + chunk_size])

    def _assess_chunk(self, case_ids: list[int]) -> list[CaseAssessment]:
        pending = self._pending
        stored = [pk for pk in case_ids if pk not in pending]
        found = {
            row[0]: row
            for row in Case.objects.filter(one_of("pk", stored)).values_list(
                "pk", "resident_id", "matching_period", "state", "end_result"
            )
        }
        cases = {}
        for pk in case_ids:
            if pk in pending:
                resident_id, _reference, period = pending[pk]
                cases[pk] = (pk, resident_id, period, CaseState.NEW.value, "")
            elif pk in found:
                cases[pk] = found[pk]
        resident_ids = {row[1] for row in cases.values()}
        earliest = months_before(min(row[2] for row in cases.values()), self.recidive_months)
        history = defaultdict(list)  # (resident, partner type, partner name) -> signals
        signals_by_case = defaultdict(list)
        # Residents made by this run have only this run's signals, kept by ``add``; the others'
        # come from the database (earlier runs' signals count for repeats too). Rows of one
        # resident come from one side, ordered by date and then id (insertion order).
        made = self._created_residents
        stored_residents = {pk for pk in resident_ids if pk not in made}
        rows = []
        for resident_id in resident_ids:
            if resident_id in made:
                kept = self._run_signals.get(resident_id, [])
                if type(kept) is tuple:
                    kept = [kept]
                rows.extend(row for row in kept if row[6] >= earliest)
        rows.sort(key=_signal_date)  # stable: insertion order within a date
        if stored_residents:
            rows.extend(self._stored_signals(stored_residents, earliest))
        for row in rows:
            history[(row[2], row[3], row[4].casefold())].append(row)
            if row[1] in cases:
                signals_by_case[row[1]].append(row)
        repeats: set[int | str] = set()
        for rows in history.values():
            for previous, current in itertools.pairwise(rows):
                if current[1] not in cases:
                    continue
                window_start = months_before(current[6], self.recidive_months)
                if previous[6] >= window_start and current[5] <= previous[5]:
                    repeats.add(current[0])
        to_repeat = [
            row[0]
            for rows in signals_by_case.values()
            for row in rows
            if row[0] in repeats and row[9] == STATUS_OPEN
        ]
        self._set_status([key for key in to_repeat if type(key) is int], STATUS_REPEAT)
        self.mark_signals([key for key in to_repeat if type(key) is str], STATUS_REPEAT)
        self._link_recidive(cases)
        valid_phone = self._valid_phone & resident_ids
        if stored_residents:
            valid_phone.update(
                PhoneNumber.objects.filter(
                    one_of("resident_id", stored_residents), status=PhoneNumber.Status.VALID
                ).values_list("resident_id", flat=True)
            )
        assessments = []
        for pk, (_pk, resident_id, period, state, end_result) in cases.items():
            rows = signals_by_case.get(pk, [])
            latest_per_partner = {}
            for row in rows:  # ordered by date: the last one per partner counts
                latest_per_partner[(row[3], row[4].casefold())] = row[5]
            kept = [row[0] for row in rows if row[0] not in repeats]
            assessments.append(
                CaseAssessment(
                    case_id=pk,
                    state=state,
                    end_result=end_result,
                    created=pk in self.created_cases,
                    matching_period=period,
                    total=sum(latest_per_partner.values(), Decimal(0)),
                    is_crisis=any(row[7] for row in rows if row[0] not in repeats),
                    warm_handover=any(row[8] for row in rows),
                    all_repeat=bool(rows) and all(row[0] in repeats for row in rows),
                    has_valid_phone=resident_id in valid_phone,
                    signal_ids=[key for key in kept if type(key) is int],
                    signal_fingerprints=[key for key in kept if type(key) is str],
                )
            )
        return assessments

    def _set_status(self, signal_ids: list[int], status: str) -> None:
        if signal_ids:
            Signal.objects.filter(one_of("pk", signal_ids)).update(status=status)

    def mark_signals(self, fingerprints: list[str], status: str) -> None:
        """Set the status of signals this run stored, given by fingerprint (unique per
        municipality and source)."""
        if fingerprints:
            found = probe(
                Signal,
                ["id"],
                "fingerprint",
                fingerprints,
                municipality=self.municipality,
                source=self.source,
            )
            self._set_status([row[0] for row in found], status)

    def _stored_signals(self, resident_ids, earliest):
        return (
            Signal.objects.filter(one_of("resident_id", resident_ids), signal_date__gte=earliest)
            .order_by("signal_date", "pk")
            .values_list(
                "pk",
                "case_id",
                "resident_id",
                "partner_type",
                "partner_name",
                "amount",
                "signal_date",
                "is_crisis",
                "warm_handover",
                "status",
            )
        )

    def _link_recidive(self, cases: dict) -> None:
        """Find the earlier case of each new case in the chunk (stored with it, see
        ``store_created``): the latest case of the resident in the recidive window before the
        new case's period, from the database or made by this run."""
        self._recidive = {}
        created = {pk: row for pk, row in cases.items() if pk in self.created_cases}
        if not created:
            return
        earliest = months_before(min(row[2] for row in created.values()), self.recidive_months)
        previous = defaultdict(list)
        # Residents made by this run have no cases but the run's own (in ``self._cases``).
        stored_residents = {
            row[1] for row in created.values() if row[1] not in self._created_residents
        }
        if stored_residents:
            for pk, resident_id, period in Case.objects.filter(
                one_of("resident_id", stored_residents), matching_period__gte=earliest
            ).values_list("pk", "resident_id", "matching_period"):
                previous[resident_id].append((period, pk))
        for pk, (_pk, resident_id, period, _state, _result) in created.items():
            window_start = months_before(period, self.recidive_months)
            earlier = [
                (other_period, other)
                for other_period, other in previous[resident_id]
                if window_start <= other_period < period
            ]
            month = window_start  # periods are first days of months, and so is this
            while month < period:
                other = self._cases.get((resident_id, month))
                if other is not None:
                    earlier.append((month, other))
                month = months_before(month, -1)
            if earlier:
                self._recidive[pk] = max(earlier)[1]

    def store_created(self, fields: dict[int, dict]) -> None:
        """Store new cases of the chunk just assessed with the fields routing decided
        (``state``, ``end_result``, ``is_crisis``, ``due_on``, ``picked_up_on``) and their
        recidive link; routing records their move from "new" (``transition_many``'s
        ``entered_ids``). Every new case must pass through here."""
        rows = []
        for pk, values in fields.items():
            resident_id, reference, period = self._pending.pop(pk)
            rows.append(
                {
                    "id": pk,
                    "municipality_id": self.municipality.pk,
                    "resident_id": resident_id,
                    "reference": reference,
                    "matching_period": period,
                    "matched_on": self.today,
                    "state": CaseState.NEW.value,
                    "end_result": "",
                    "recidive_of_id": self._recidive.get(pk),
                    **values,
                }
            )
        insert(Case, rows)
