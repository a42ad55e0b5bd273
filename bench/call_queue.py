"""Call-queue benchmark: many agents claiming and completing cases at once.

    uv run python bench/call_queue.py --database postgres://postgres@127.0.0.1:5432/bereik_bench_queue
    uv run python bench/call_queue.py --database sqlite:///var/bench-queue.sqlite3 --cases 200000

The database named is dropped and recreated. It is filled with ``--cases`` open cases in one
campaign (generated inside the database: ``generate_series`` on PostgreSQL, a recursive CTE on
SQLite), then ``--agents`` agents (threads spread over ``--processes`` processes, each thread with
its own connection) claim the next resident through ``services.claim_next`` and complete it
through ``services.record_outcome`` for ``--seconds``. Reported: claims per second, p50/p99 claim
latency, and duplicate assignments (a case claimed while another agent still held it).

The clock is virtual (a Tuesday 10:00 plus the real elapsed time) so the run is inside the
calling windows whenever it is started.
"""

import argparse
import datetime as dt
import itertools
import multiprocessing
import os
import random
import statistics
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
VIRTUAL_START = dt.datetime(2026, 11, 24, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=1)))


def configure(database: str) -> None:
    os.environ["DATABASE_URL"] = database
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bereik.conf.settings.test")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()


def recreate_database(database: str) -> None:
    parsed = urlparse(database)
    if parsed.scheme.startswith("postgres"):
        import psycopg

        name = parsed.path.lstrip("/")
        admin = parsed._replace(path="/postgres").geturl()
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    else:
        path = ROOT / parsed.path.lstrip("/") if database.startswith("sqlite:///") else None
        for suffix in ("", "-wal", "-shm"):
            if path is not None and Path(f"{path}{suffix}").exists():
                Path(f"{path}{suffix}").unlink()


def populate(cases: int, agents: int) -> dict:
    """Organisations, agents, one campaign and ``cases`` ready queue entries, made in the DB."""
    from django.core.management import call_command
    from django.db import connection

    from bereik.accounts.models import Membership, Organisation, ServiceAgreement, User
    from bereik.accounts.roles import OrganisationKind, Role
    from bereik.outreach import services

    call_command("migrate", verbosity=0)
    municipality = Organisation.objects.create(
        name="Gemeente Bench", kind=OrganisationKind.MUNICIPALITY, municipality_code="9001"
    )
    centre = Organisation.objects.create(name="Bench Contact", kind=OrganisationKind.CONTACT_CENTRE)
    ServiceAgreement.objects.create(
        provider=centre, municipality=municipality, starts_on=dt.date(2020, 1, 1)
    )
    agent_ids = []
    for n in range(agents):
        user = User.objects.create(username=f"bench-agent-{n}")
        Membership.objects.create(user=user, organisation=centre, role=Role.AGENT)
        agent_ids.append(user.pk)
    campaign = services.create_campaign(
        actor=None, municipality=municipality, name="Bench", starts_on=dt.date(2026, 1, 1)
    )
    m, c = municipality.pk, campaign.pk
    started = time.perf_counter()
    postgres = connection.vendor == "postgresql"
    series = (
        f"generate_series(1, {cases}) AS n"
        if postgres
        else f"(WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < {cases}) "
        "SELECT n FROM s)"
    )
    now = "now()" if postgres else "datetime('now')"
    crisis = "(n % 100 = 0)"
    statements = [
        f"""INSERT INTO cases_resident (id, municipality_id, bsn, initials, surname_prefix,
            surname, street, house_number, house_number_addition, postcode, city, email,
            created_at)
            SELECT n, {m}, '', 'J.', '', 'Bench' || n, 'Dorpsstraat', n % 200 + 1, '', '1234AB',
                   'Bench', '', {now} FROM {series}""",
        f"""INSERT INTO cases_phonenumber (id, resident_id, raw, e164, kind, status, source,
            position, created_at)
            SELECT n, n, '0612345678', '+316' || (10000000 + n), 'mobile', 'valid', 'signal', 0,
                   {now} FROM {series}""",
        f"""INSERT INTO cases_case (id, municipality_id, resident_id, reference, matching_period,
            matched_on, state, end_result, is_crisis, created_at, updated_at)
            SELECT n, {m}, n, 'B-' || n, '2026-11-01', '2026-11-02', 'call_queue', '', {crisis},
                   {now}, {now} FROM {series}""",
        f"""INSERT INTO outreach_queueentry (case_id, campaign_id, municipality_id, status, band,
            is_crisis, rank_date, entered_at, next_attempt_at, current_number_id,
            day_parts_tried, attempts, locked_inbound, closed_reason, scheduled_by)
            SELECT n, {c}, {m}, 'ready', CASE WHEN {crisis} THEN 1 ELSE 2 END, {crisis},
                   '9999-12-31', '2026-11-02 09:00:00+00', '2026-11-02 09:00:00+00', n, 0, 0,
                   {"false" if postgres else "0"}, '', '' FROM {series}""",
    ]
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
        if postgres:
            for table in ("cases_resident", "cases_phonenumber", "cases_case"):
                cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), {cases})")
            cursor.execute("VACUUM ANALYZE")
            cursor.execute("CHECKPOINT")  # see reopen()
        else:
            cursor.execute("ANALYZE")
    return {"agent_ids": agent_ids, "generate_seconds": time.perf_counter() - started}


def reopen(agents: int) -> dict:
    """Make every generated case callable again (for a second run on the same data)."""
    from django.db import connection

    from bereik.accounts.models import User

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE outreach_queueentry SET status = 'ready', locked_by_id = NULL, "
            "locked_until = NULL, lock_token = NULL, closed_reason = '', closed_at = NULL"
        )
        cursor.execute("UPDATE cases_case SET state = 'call_queue'")
        cursor.execute("UPDATE cases_phonenumber SET status = 'valid'")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")  # not an autovacuum storm during the measurement
            # Rewriting a million rows fills the write-ahead log: without this the checkpoint it
            # triggers would run during the measurement and bill the set-up to the agents.
            cursor.execute("CHECKPOINT")
    ids = list(
        User.objects.filter(username__startswith="bench-agent-")
        .order_by("pk")
        .values_list("pk", flat=True)[:agents]
    )
    return {"agent_ids": ids, "generate_seconds": time.perf_counter() - started}


def agent_loop(agent_id: int, seconds: float, pace: float, out: list, warmed, start) -> None:
    from django.db import connections

    from bereik.accounts.access import access_for
    from bereik.accounts.models import User
    from bereik.outreach import selectors, services
    from bereik.outreach.models import OutcomeCode

    try:
        agent = User.objects.get(pk=agent_id)
        outcomes = {o.code: o for o in OutcomeCode.objects.all()}
        rng = random.Random(agent_id)
        # Warm up what every request of a running server has warm: imports, the connection,
        # the holiday calendar. Process start-up is not what we measure.
        access_for(agent)
        selectors.open_campaigns(agent, VIRTUAL_START)
        warmed.wait()
        start.wait()
        clock_zero = time.perf_counter()
        deadline = clock_zero + seconds
        if pace:
            # Paced agents are already at work: their calls are spread, not all at the start
            # signal (which would measure a thundering herd that a working shift never sees).
            time.sleep(rng.uniform(0, 2 * pace))
        while time.perf_counter() < deadline:
            now = VIRTUAL_START + dt.timedelta(seconds=time.perf_counter() - clock_zero)
            started = time.perf_counter()
            entry = services.claim_next(agent=agent, now=now)
            latency = time.perf_counter() - started
            if entry is None:
                out.append(("empty", agent_id, None, started - clock_zero, latency, None))
                continue
            code = "bereikt" if rng.random() < 0.3 else "geen_gehoor"
            services.record_outcome(
                agent=agent,
                entry=entry,
                token=entry.lock_token,
                data=services.OutcomeInput(
                    outcomes[code],
                    phone_number=entry.current_number,
                    help_requested=rng.random() < 0.2 if code == "bereikt" else None,
                    no_help_reason="no_interest",
                ),
                now=now,
            )
            released = time.perf_counter() - clock_zero
            out.append(("claim", agent_id, entry.pk, started - clock_zero, latency, released))
            if pace:
                time.sleep(rng.uniform(0, 2 * pace))  # the next call, on average ``pace`` later
    finally:
        connections.close_all()


def worker_process(database, agent_ids, seconds, pace, audit_chains, ready, go, queue):
    configure(database)
    from django.conf import settings

    settings.AUDIT_CHAINS = audit_chains
    out: list = []
    warmed = threading.Barrier(len(agent_ids) + 1)
    start = threading.Event()
    threads = [
        threading.Thread(target=agent_loop, args=(a, seconds, pace, out, warmed, start))
        for a in agent_ids
    ]
    for thread in threads:
        thread.start()
    warmed.wait()
    from bereik.conf.runtime import settle_garbage_collector

    settle_garbage_collector()  # as the WSGI entry point does once the application is loaded
    ready.put(os.getpid())
    go.wait()
    start.set()
    for thread in threads:
        thread.join()
    queue.put(out)


def duplicates(claims: list) -> int:
    """Claims of a case made while an earlier claim of it had not been completed."""
    by_entry: dict[int, list] = {}
    for _kind, agent, entry, started, latency, released in claims:
        by_entry.setdefault(entry, []).append((started + latency, released, agent))
    count = 0
    for held in by_entry.values():
        held.sort()
        for (_, released, _a), (claimed_at, _, _b) in itertools.pairwise(held):
            if claimed_at < released:
                count += 1
    return count


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--agents", type=int, default=50)
    parser.add_argument("--processes", type=int, default=10)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument(
        "--pace",
        type=float,
        default=0.0,
        help="mean seconds between an agent's completion and its next claim (0: flat out)",
    )
    parser.add_argument(
        "--reuse", action="store_true", help="keep the generated database; reopen every case"
    )
    parser.add_argument(
        "--audit-chains",
        default="",
        help="comma-separated numbers of audit chains to compare in one run, e.g. 1,16 "
        "(default: the setting)",
    )
    args = parser.parse_args()

    if not args.reuse:
        recreate_database(args.database)
    configure(args.database)
    from django.conf import settings
    from django.db import connection, connections

    info = reopen(args.agents) if args.reuse else populate(args.cases, args.agents)
    vendor = connection.vendor
    connections.close_all()
    print(
        f"{vendor}: {args.cases:,} open cases generated in {info['generate_seconds']:.1f} s; "
        f"{args.agents} agents in {args.processes} processes for {args.seconds} s, "
        f"pace {args.pace} s",
        flush=True,
    )
    variants = [int(n) for n in args.audit_chains.split(",") if n] or [settings.AUDIT_CHAINS]
    for number, audit_chains in enumerate(variants):
        if number:
            reopen(args.agents)
            connections.close_all()
        print(f"\n-- audit chains: {audit_chains}", flush=True)
        measure(args, info["agent_ids"], audit_chains)


def measure(args, agent_ids: list[int], audit_chains: int) -> None:
    context = multiprocessing.get_context("spawn")
    queue, ready, go = context.Queue(), context.Queue(), context.Event()
    groups = [agent_ids[i :: args.processes] for i in range(args.processes)]
    processes = [
        context.Process(
            target=worker_process,
            args=(args.database, group, args.seconds, args.pace, audit_chains, ready, go, queue),
        )
        for group in groups
        if group
    ]
    for process in processes:
        process.start()
    for _ in processes:
        ready.get()
    attempts_before = _attempts()
    go.set()  # every agent starts at the same moment, after start-up
    results = [row for _ in processes for row in queue.get()]
    for process in processes:
        process.join()

    claims = [r for r in results if r[0] == "claim"]
    empties = [r for r in results if r[0] == "empty"]
    latencies_ms = [r[4] * 1000 for r in claims]
    from bereik.outreach.models import QueueEntry

    still_locked = QueueEntry.objects.filter(locked_by__isnull=False).count()
    rate = len(claims) / args.seconds
    print(f"claims: {len(claims):,} ({rate:,.1f}/s), empty claims: {len(empties)}")
    print(
        f"claim latency ms: p50 {percentile(latencies_ms, 50):.2f}, "
        f"p90 {percentile(latencies_ms, 90):.2f}, p99 {percentile(latencies_ms, 99):.2f}, "
        f"max {max(latencies_ms, default=float('nan')):.2f}, "
        f"mean {statistics.fmean(latencies_ms) if latencies_ms else float('nan'):.2f}"
    )
    print(f"duplicate assignments: {duplicates(claims)}")
    print(
        f"attempts written: {_attempts() - attempts_before:,}; entries still reserved: "
        f"{still_locked}",
        flush=True,
    )


def _attempts() -> int:
    from bereik.outreach.models import ContactAttempt

    return ContactAttempt.objects.count()


if __name__ == "__main__":
    main()
