"""Intake benchmark: generated signals imported end to end into SQLite and PostgreSQL, compared
in the same run with a straightforward django-import-export resource and a per-row ORM loop.

    uv run python bench/intake.py --rows 1000000 --sample 20000

Each database runs in its own process on a fresh database (SQLite: var/bench-intake.sqlite3;
PostgreSQL: database ``bereik_bench_intake`` on BENCH_POSTGRES_URL, default
postgres://postgres@127.0.0.1:5432). The figures go in docs/benchmarks.md, section "Intake".

Measured is the intake itself: read, normalise, validate, match, route and store, committed.
Receivers of ``bereik.cases.workflow.case_transitioned`` in other apps (handovers for cases routed
to the social workers' queue, webhook events) run after the intake has committed; they are
disconnected during the measurement (``--with-receivers`` keeps them).
"""

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PG_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")
PG_DB = "bereik_bench_intake"
SERVER = ("shared_buffers", "max_wal_size", "checkpoint_timeout")


def _setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bereik.conf.settings.local")
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ["DEBUG"] = "false"  # DEBUG keeps every query in memory
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _municipality(code: str):
    from bereik.accounts.models import Organisation
    from bereik.accounts.roles import OrganisationKind

    organisation, _ = Organisation.objects.get_or_create(
        municipality_code=code,
        defaults={"name": f"Benchmark {code}", "kind": OrganisationKind.MUNICIPALITY},
    )
    return organisation


def _ours(path: Path, code: str, today, *, receivers: bool = False) -> dict:
    from bereik.cases.workflow import case_transitioned
    from bereik.intake.services import import_file

    connected = list(case_transitioned.receivers)
    if not receivers:
        case_transitioned.receivers = []
        case_transitioned.sender_receivers_cache.clear()
    try:
        started = time.perf_counter()
        run = import_file(path, municipality=_municipality(code), source="bench", today=today)
        seconds = time.perf_counter() - started
    finally:
        case_transitioned.receivers = connected
        case_transitioned.sender_receivers_cache.clear()
    return {
        "rows": run.rows,
        "imported": run.imported,
        "cases": run.cases_created,
        "seconds": round(seconds, 2),
        "rows_per_s": round(run.rows / seconds),
    }


def _orm_loop(path: Path, code: str, today) -> dict:
    """The obvious way: normalise a row, then get_or_create resident and case, create the
    signal and its phone numbers, one query at a time."""
    from django.db import transaction

    from bereik.cases.matching import period_of
    from bereik.cases.models import Case, PhoneNumber, Resident, Signal
    from bereik.intake.readers import open_signal_file
    from bereik.intake.rows import parse_record

    municipality = _municipality(code)
    rows = 0
    started = time.perf_counter()
    with path.open("rb") as stream, transaction.atomic():
        signal_file = open_signal_file(stream)
        for record in signal_file.records:
            rows += 1
            parsed, _issues = parse_record(record, signal_file.label, today)
            if parsed is None:
                continue
            resident, created = Resident.objects.get_or_create(
                municipality=municipality,
                bsn=parsed.bsn,
                defaults={"surname": parsed.surname, "postcode": parsed.postcode},
            )
            if created:
                for phone in parsed.phones:
                    PhoneNumber.objects.create(resident=resident, raw=phone.raw, e164=phone.e164)
            period = period_of(parsed.signal_date)
            case, _ = Case.objects.get_or_create(
                municipality=municipality,
                resident=resident,
                matching_period=period,
                defaults={"reference": f"L{code}-{rows}", "matched_on": today},
            )
            Signal.objects.get_or_create(
                municipality=municipality,
                source="loop",
                fingerprint=parsed.fingerprint,
                defaults={
                    "case": case,
                    "resident": resident,
                    "partner_type": parsed.partner_type,
                    "amount": parsed.amount,
                    "signal_date": parsed.signal_date,
                },
            )
    seconds = time.perf_counter() - started
    return {"rows": rows, "seconds": round(seconds, 2), "rows_per_s": round(rows / seconds)}


def _import_export(path: Path, code: str, today) -> dict:
    """A straightforward django-import-export ModelResource for Signal (the library's usual
    recipe: widgets for the fields, ``before_import_row`` to find or make resident and case)."""
    import tablib
    from import_export import fields, resources, widgets

    from bereik.cases.models import Case, Resident, Signal

    municipality = _municipality(code)

    class SignalResource(resources.ModelResource):
        amount = fields.Field(
            attribute="amount", column_name="bedrag", widget=widgets.DecimalWidget()
        )
        signal_date = fields.Field(
            attribute="signal_date",
            column_name="signaaldatum",
            widget=widgets.DateWidget("%Y-%m-%d"),
        )
        partner_type = fields.Field(attribute="partner_type", column_name="signaalpartner_type")
        external_id = fields.Field(attribute="external_id", column_name="signaal_id")

        class Meta:
            model = Signal
            import_id_fields = ("external_id",)
            fields = ("external_id", "partner_type", "amount", "signal_date")
            use_transactions = True

        def get_queryset(self):
            return Signal.objects.filter(municipality=municipality, source="import-export")

        def before_import_row(self, row, **kwargs):
            resident, _ = Resident.objects.get_or_create(
                municipality=municipality,
                bsn=row["bsn"] or "",
                defaults={"surname": row["achternaam"], "postcode": row["postcode"]},
            )
            period = row["signaaldatum"][:8] + "01"
            case, _ = Case.objects.get_or_create(
                municipality=municipality,
                resident=resident,
                matching_period=period,
                defaults={"reference": f"I{code}-{row['signaal_id']}", "matched_on": today},
            )
            row["_resident"], row["_case"] = resident, case

        def before_save_instance(self, instance, row, **kwargs):
            instance.municipality = municipality
            instance.source = "import-export"
            instance.fingerprint = instance.external_id
            instance.resident = row["_resident"]
            instance.case = row["_case"]

    with path.open(encoding="utf-8") as handle:
        dataset = tablib.Dataset().load(handle.read(), format="csv")
    started = time.perf_counter()
    result = SignalResource().import_data(dataset, raise_errors=True)
    seconds = time.perf_counter() - started
    return {
        "rows": len(dataset),
        "errors": len(result.row_errors()),
        "seconds": round(seconds, 2),
        "rows_per_s": round(len(dataset) / seconds),
    }


def worker(args) -> None:
    import datetime

    backend = args.worker
    if backend == "sqlite":
        database = ROOT / "var" / "bench-intake.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{database}{suffix}").unlink(missing_ok=True)
        _setup_django(f"sqlite:///{database}")
    else:
        import psycopg

        with psycopg.connect(f"{PG_URL}/postgres", autocommit=True) as connection:
            connection.execute(f"DROP DATABASE IF EXISTS {PG_DB}")
            connection.execute(f"CREATE DATABASE {PG_DB}")
            # The figures depend on them (docs/operations.md, "PostgreSQL for large imports").
            settings = {name: connection.execute(f"SHOW {name}").fetchone()[0] for name in SERVER}
        _setup_django(f"{PG_URL}/{PG_DB}")
    today = datetime.date(2026, 11, 20)
    result = {"backend": backend}
    if backend != "sqlite":
        result["server"] = settings
    receivers = args.with_receivers
    result["full"] = _ours(Path(args.full), "7001", today, receivers=receivers)
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    result["sample_ours"] = _ours(Path(args.sample_file), "7002", today, receivers=receivers)
    result["sample_orm_loop"] = _orm_loop(Path(args.sample_file), "7003", today)
    result["sample_import_export"] = _import_export(Path(args.sample_file), "7004", today)
    print(json.dumps(result))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--sample", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument(
        "--with-receivers",
        action="store_true",
        help="keep other apps' receivers of case moves connected (handovers, webhooks)",
    )
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--full", help=argparse.SUPPRESS)
    parser.add_argument("--sample-file", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args)
        return

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bereik.conf.settings.local")
    import django

    django.setup()
    from bereik.intake.generator import generate

    with tempfile.TemporaryDirectory() as directory:
        full = Path(directory) / "full.csv"
        sample = Path(directory) / "sample.csv"
        started = time.perf_counter()
        generate(full, rows=args.rows, seed=args.seed)
        print(f"generated {args.rows} rows in {time.perf_counter() - started:.1f} s", flush=True)
        with full.open(encoding="utf-8") as source, sample.open("w", encoding="utf-8") as target:
            reader, writer = csv.reader(source), csv.writer(target, lineterminator="\r\n")
            for index, row in enumerate(reader):
                if index > args.sample:
                    break
                writer.writerow(row)
        print(f"file: {full.stat().st_size / 1e6:.0f} MB", flush=True)
        for backend in args.backends.split(","):
            output = (
                subprocess.run(
                    [
                        sys.executable,
                        __file__,
                        "--worker",
                        backend,
                        "--full",
                        str(full),
                        "--sample-file",
                        str(sample),
                        *(["--with-receivers"] if args.with_receivers else []),
                    ],
                    check=True,
                    capture_output=True,
                    text=True,
                    cwd=ROOT,
                )
                .stdout.strip()
                .splitlines()[-1]
            )
            result = json.loads(output)
            full_rate = result["full"]["rows_per_s"]
            ours = result["sample_ours"]["rows_per_s"]
            loop = result["sample_orm_loop"]["rows_per_s"]
            iie = result["sample_import_export"]["rows_per_s"]
            print(f"\n== {backend} ==")
            if "server" in result:
                print(", ".join(f"{name} {value}" for name, value in result["server"].items()))
            print(
                f"end to end, {result['full']['rows']} rows: {result['full']['seconds']} s, "
                f"{full_rate} rows/s, peak RSS {result['peak_rss_mb']} MB"
            )
            print(f"sample {args.sample} rows, intake:            {ours} rows/s")
            print(f"sample {args.sample} rows, per-row ORM loop:  {loop} rows/s")
            print(f"sample {args.sample} rows, django-import-export: {iie} rows/s")
            print(
                f"ratios: intake/import-export {ours / iie:.0f}x (1M run: {full_rate / iie:.0f}x), "
                f"intake/ORM loop {ours / loop:.0f}x"
            )
            print(json.dumps(result))


if __name__ == "__main__":
    main()
