"""Reporting benchmark: the dashboard and the monthly report on a national-scale dataset.

    uv run python bench/reporting.py --database postgres://postgres@127.0.0.1:5432/bereik_bench_reporting
    uv run python bench/reporting.py --database ... --scale 0.1      # a tenth of the data
    uv run python bench/reporting.py --database ... --reuse          # keep the generated data

The database named is dropped and recreated (unless ``--reuse``) and filled inside PostgreSQL
(``INSERT ... SELECT generate_series``) with, at scale 1: 300 municipalities, 800,000 residents
and cases matched over the 12 months of 2025, 1,000,000 signals (a quarter of the cases have two)
and about 4,000,000 contact attempts (1-11 per callable case; 70% of callable cases reached on
their last attempt, 20% of those with a help request), call-queue entries for 85% of the cases,
handover transitions for the help requests and not-picked-up closures for 8%, and one phone
number per callable case (the attempts' number; "wrong person" on it retires it). The
municipality of a case is a hash of its number, so every municipality gets the national mix.

Then the monthly rollup the dashboard reads (``reporting.rollup``) is refreshed for every
municipality, timed (``--workers`` processes; ``--no-refresh`` skips it with ``--reuse``).

Measured (server side, wall time, ``--runs`` each): the dashboard page (the view through the test
client: figures, tables, charts and template) for one municipality-year and for all
municipalities (a contact centre serving all 300), the monthly XLSX of one municipality, and
the dashboard of one municipality with a partner-type filter (computed live, not from the rollup).
Reported: p50/p95/max per measurement.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

MUNICIPALITIES = 300
CASES = 800_000
SIGNALS = 1_000_000


def configure(database: str) -> None:
    os.environ["DATABASE_URL"] = database
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bereik.conf.settings.test")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()


def recreate_database(database: str) -> None:
    import psycopg

    parsed = urlparse(database)
    name = parsed.path.lstrip("/")
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


GENERATE = [
    """INSERT INTO cases_resident (id, municipality_id, bsn, initials, surname_prefix, surname,
         street, house_number_addition, postcode, city, email, created_at)
       SELECT n, {municipality_of_n}, '', 'A.', '', 'Inwoner ' || n, 'Straat', '', '1234AB',
         'Plaats', '', now()
       FROM generate_series(1, {cases}) n""",
    # h decides the route: h < 8 not picked up, h < 15 not callable (letter), else callable
    """INSERT INTO cases_case (id, municipality_id, resident_id, reference, matching_period,
         matched_on, state, end_result, is_crisis, created_at, updated_at)
       SELECT n, {municipality_of_n}, n, 'B-' || n,
         date_trunc('month', d)::date, d,
         CASE WHEN h < 8 THEN 'closed' WHEN h < 15 THEN 'letter_or_visit' ELSE 'call_queue' END,
         CASE WHEN h < 8 THEN 'Niet opgepakt: onterecht signaal' ELSE '' END,
         n % 50 = 0, now(), now()
       FROM (SELECT n, ('2025-01-01'::date + (n::bigint * 7919 % 365)::int) AS d,
                    (n * 2654435761::bigint) % 100 AS h
             FROM generate_series(1, {cases}) n) s""",
    """INSERT INTO cases_signal (municipality_id, case_id, resident_id, source, external_id,
         fingerprint, partner_type, partner_name, amount, signal_date, is_crisis, warm_handover,
         status, created_at)
       SELECT c.municipality_id, c.id, c.resident_id, 'bench', 'S' || n, 'S' || n,
         (ARRAY['Energie','Huur','Zorg','Water'])[1 + n % 4],
         (ARRAY['Eneco','Vattenfall','Woonstad','Ymere','CZ','VGZ','Vitens','Evides'])[1 + n % 8],
         75 + n % 2000, c.matched_on - 2, c.is_crisis, false, '', now()
       FROM generate_series(1, {signals}) n JOIN cases_case c ON c.id = 1 + (n - 1) % {cases}""",
    """INSERT INTO outreach_queueentry (case_id, campaign_id, municipality_id, status, band,
         is_crisis, rank_date, entered_at, next_attempt_at, day_parts_tried, attempts,
         locked_inbound, closed_reason)
       SELECT id, municipality_id, municipality_id, 'closed', 2, is_crisis, '9999-12-31',
         matched_on::timestamptz, matched_on::timestamptz, 0, 0, false, 'reached'
       FROM cases_case WHERE state = 'call_queue'""",
    # one phone number per callable case, delivered with its signal (id = the case's id)
    """INSERT INTO cases_phonenumber (id, resident_id, raw, e164, kind, status, source, position,
         created_at)
       SELECT id, resident_id, '06' || (10000000 + id), '+316' || (10000000 + id), 'mobile',
         'valid', 'signal', 0, now()
       FROM cases_case WHERE state = 'call_queue'""",
    # attempts: 1-11 per callable case, one day apart, hours 8-20
    """INSERT INTO outreach_contactattempt (municipality_id, case_id, campaign_id, kind,
         direction, occurred_at, day_part, reached, outcome_id, help_requested, no_help_reason,
         preferred_contact_time, summary, objection, phone_number_id)
       SELECT c.municipality_id, c.id, c.municipality_id, 'Telefoon',
         CASE WHEN k % 9 = 0 THEN 'inbound' ELSE 'outbound' END,
         t,
         CASE WHEN extract(isodow FROM t) = 6 THEN 'zaterdag'
              WHEN extract(hour FROM t) < 12 THEN 'ochtend'
              WHEN extract(hour FROM t) < 18 THEN 'middag' ELSE 'avond' END,
         reached,
         CASE WHEN reached THEN {bereikt} WHEN k % 7 = 0 THEN {verkeerd_persoon}
              WHEN k % 2 = 0 THEN {voicemail} ELSE {geen_gehoor} END,
         CASE WHEN reached THEN c.id % 5 = 0 END,
         CASE WHEN reached AND c.id % 5 <> 0 THEN
           (ARRAY['already_solved', 'paid_or_arranged', 'helped_elsewhere',
                  'no_interest'])[1 + c.id % 4]
           ELSE '' END,
         '', '', false, c.id
       FROM cases_case c
       CROSS JOIN LATERAL generate_series(1, 1 + (c.id * 31) % 11) k
       CROSS JOIN LATERAL (SELECT
         (c.matched_on + (k + 1)::int)::timestamp
           + make_interval(hours => (8 + (c.id + k) % 13)::int) AS t_local,
         k = 1 + (c.id * 31) % 11 AND (c.id::bigint * 40503) % 100 < 70 AS reached) a
       CROSS JOIN LATERAL (SELECT a.t_local AT TIME ZONE 'Europe/Amsterdam' AS t) b
       WHERE c.state = 'call_queue'""",
    """INSERT INTO cases_casetransition (case_id, from_state, to_state, reason, end_result,
         occurred_at)
       SELECT case_id, 'reached_help', 'handed_over', '', '', occurred_at + interval '2 days'
       FROM outreach_contactattempt WHERE help_requested""",
    "SELECT setval(pg_get_serial_sequence('cases_case', 'id'), {cases})",
    "SELECT setval(pg_get_serial_sequence('cases_resident', 'id'), {cases})",
    "SELECT setval(pg_get_serial_sequence('cases_phonenumber', 'id'), {cases})",
]

# The municipality of resident and case n: from other digits of the same hash as the route (h),
# so every municipality gets the national mix of routes, crisis cases and partners.
MUNICIPALITY_OF_N = "1 + ((n * 2654435761::bigint) / 100) % {m}"


def _database_defaults() -> None:
    """Give the generated tables' columns their Django defaults in the database, so the raw
    INSERTs below keep working when a model gains a field with a default."""
    from django.apps import apps
    from django.db import connection
    from psycopg import sql

    raw = connection.connection
    with connection.cursor() as cursor:
        for label in (
            "cases.Resident",
            "cases.Case",
            "cases.Signal",
            "cases.PhoneNumber",
            "outreach.QueueEntry",
            "outreach.ContactAttempt",
            "cases.CaseTransition",
        ):
            model = apps.get_model(label)
            for field in model._meta.concrete_fields:
                if field.primary_key or field.null:
                    continue
                value = field.get_db_prep_save(field.get_default(), connection)
                if value is None or callable(value):
                    continue
                cursor.execute(
                    f'ALTER TABLE "{model._meta.db_table}" ALTER COLUMN "{field.column}" '
                    f"SET DEFAULT {sql.Literal(value).as_string(raw)}"
                )


def _organisations() -> None:
    """Municipalities 1..300, the contact centre 301 serving them all, one campaign each (the
    ORM, so every field gets its default)."""
    import datetime as dt

    from bereik.accounts.models import Organisation, ServiceAgreement
    from bereik.accounts.roles import OrganisationKind
    from bereik.outreach.models import Campaign

    Organisation.objects.bulk_create(
        [
            Organisation(
                id=n,
                name=f"Gemeente {n}",
                kind=OrganisationKind.MUNICIPALITY,
                municipality_code=f"{n:04d}",
            )
            for n in range(1, MUNICIPALITIES + 1)
        ]
        + [
            Organisation(
                id=MUNICIPALITIES + 1,
                name="Contactcentrum Bench",
                kind=OrganisationKind.CONTACT_CENTRE,
            )
        ]
    )
    ServiceAgreement.objects.bulk_create(
        [
            ServiceAgreement(
                provider_id=MUNICIPALITIES + 1, municipality_id=n, starts_on=dt.date(2020, 1, 1)
            )
            for n in range(1, MUNICIPALITIES + 1)
        ]
    )
    Campaign.objects.bulk_create(
        [
            Campaign(id=n, municipality_id=n, name="Campagne 2025", starts_on=dt.date(2025, 1, 1))
            for n in range(1, MUNICIPALITIES + 1)
        ]
    )
    from django.db import connection

    with connection.cursor() as cursor:
        for table in ("accounts_organisation", "outreach_campaign"):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"
            )


def populate(scale: float) -> None:
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    _database_defaults()
    _organisations()
    sizes = {
        "m": MUNICIPALITIES,
        "cases": max(1000, int(CASES * scale)),
        "signals": max(1250, int(SIGNALS * scale)),
    }
    from bereik.outreach.models import OutcomeCode

    sizes.update(OutcomeCode.objects.values_list("code", "id"))
    sizes["municipality_of_n"] = MUNICIPALITY_OF_N.format(**sizes)
    with connection.cursor() as cursor:
        for statement in GENERATE:
            started = time.perf_counter()
            cursor.execute(statement.format(**sizes))
            elapsed = time.perf_counter() - started
            print(f"  {statement.split()[2]:<28} {elapsed:7.1f} s", flush=True)
    connection.cursor().execute("VACUUM ANALYZE")


def _refresh_one(municipality_id: int) -> dict:
    from bereik.accounts.models import Organisation
    from bereik.reporting.services import refresh_figures

    return refresh_figures(municipality=Organisation.objects.get(pk=municipality_id))


def refresh_rollup(workers: int) -> None:
    """The monthly rollup of every municipality (what ``bereik refresh_figures`` does), timed,
    with ``workers`` processes (one municipality at a time each)."""
    from concurrent.futures import ProcessPoolExecutor

    from django.db import connection, connections

    from bereik.accounts.models import Organisation
    from bereik.accounts.roles import OrganisationKind

    ids = list(
        Organisation.objects.filter(kind=OrganisationKind.MUNICIPALITY).values_list("pk", flat=True)
    )
    connections.close_all()  # the workers (forked) open their own
    started = time.perf_counter()
    with ProcessPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(_refresh_one, ids))
    with connection.cursor() as cursor:  # planner statistics for the new rows (autovacuum would)
        cursor.execute("ANALYZE reporting_monthlyfigure")
    elapsed = time.perf_counter() - started
    rows = sum(r["rows"] for r in results)
    months = sum(r["months"] for r in results)
    print(
        f"rollup refreshed ({workers} workers): {months:,} municipality-months, {rows:,} rows "
        f"in {elapsed:.0f} s ({elapsed * workers / len(ids):.1f} s per municipality)",
        flush=True,
    )


def users():
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from bereik.accounts.models import Membership, Organisation, User
    from bereik.accounts.roles import Role

    made = {}
    for name, organisation_id, role in (
        ("bench-coordinator", 1, Role.COORDINATOR),
        ("bench-supervisor", MUNICIPALITIES + 1, Role.SUPERVISOR),
    ):
        user, _ = User.objects.get_or_create(username=name)
        Membership.objects.get_or_create(
            user=user, organisation=Organisation.objects.get(pk=organisation_id), role=role
        )
        TOTPDevice.objects.get_or_create(user=user, name="bench", defaults={"confirmed": True})
        made[name] = user
    return made


def client_for(user):
    from django.test import Client
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    session["otp_device_id"] = TOTPDevice.objects.get(user=user).persistent_id
    session.save()
    return client


def measure(label: str, runs: int, action) -> dict:
    action()  # warm up (connection, caches, template loading)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    row = {
        "label": label,
        "p50": statistics.median(times),
        "p95": p95,
        "max": times[-1],
    }
    figures = "  ".join(f"{key} {row[key]:8.0f} ms" for key in ("p50", "p95", "max"))
    print(f"{label:<55} {figures}")
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", required=True, help="postgres://... (dropped and recreated)")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument(
        "--generate-only", action="store_true", help="generate the data, measure nothing"
    )
    parser.add_argument("--workers", type=int, default=2, help="processes for the refresh")
    parser.add_argument(
        "--no-refresh",
        action="store_true",
        help="keep the monthly rollup as it is (with --reuse: as the last run left it)",
    )
    args = parser.parse_args()
    if not urlparse(args.database).scheme.startswith("postgres"):
        parser.error("the benchmark needs PostgreSQL")
    if not args.reuse:
        recreate_database(args.database)
    configure(args.database)
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["*"]
    if not args.reuse:
        started = time.perf_counter()
        print(f"generating at scale {args.scale}:")
        populate(args.scale)
        print(f"generated in {time.perf_counter() - started:.0f} s")
    if args.generate_only:
        return
    from django.core.management import call_command
    from django.db import connection

    if args.reuse:
        call_command("migrate", verbosity=0)
    if not args.no_refresh:
        refresh_rollup(args.workers)

    with connection.cursor() as cursor:
        for table in ("cases_signal", "cases_case", "outreach_contactattempt"):
            cursor.execute(f"SELECT count(*) FROM {table}")
            print(f"{table}: {cursor.fetchone()[0]:,}")

    made = users()
    coordinator = client_for(made["bench-coordinator"])
    supervisor = client_for(made["bench-supervisor"])
    year = {"start": "2025-01-01", "end": "2025-12-31"}

    def page(client, params):
        def run():
            response = client.get("/rapportage/", params)
            assert response.status_code == 200, response.status_code
            assert b"kpi-reach" in response.content

        return run

    def xlsx():
        response = coordinator.get(
            "/rapportage/maandrapportage/", {"month": "2025-06", "format": "xlsx"}
        )
        assert response.status_code == 200, response.status_code

    measure("dashboard, one municipality, 2025", args.runs, page(coordinator, year))
    measure(
        "dashboard, one municipality, June 2025",
        args.runs,
        page(coordinator, {"start": "2025-06-01", "end": "2025-06-30"}),
    )
    measure("monthly XLSX, one municipality, June 2025", max(3, args.runs // 4), xlsx)
    measure(
        "dashboard, one municipality, 2025, partner type Zorg (live)",
        max(3, args.runs // 4),
        page(coordinator, {**year, "partner_type": "Zorg"}),
    )
    measure(
        "dashboard, all 300 municipalities, 2025", max(3, args.runs // 4), page(supervisor, year)
    )


if __name__ == "__main__":
    main()
