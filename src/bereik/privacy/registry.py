"""Where other apps plug their own personal data into the purge, the exit export and the inzage.

An app that stores personal data about residents or cases registers, from its ``AppConfig.ready``:

* a **purger**: ``register_purger("outreach", purge_outreach)`` where
  ``purge_outreach(*, case_ids: list[int], resident_ids: list[int]) -> dict[str, int]``
  deletes or anonymises the app's rows of those cases (and, for ``resident_ids``, rows that
  belong to the resident rather than to one case) and returns counts per category. It runs
  inside the purge batch's transaction: it must not commit, catch database errors or call
  external systems, and must be idempotent (running it twice for the same ids changes nothing
  the second time).
* an **exporter**: ``register_exporter("outreach", export_outreach)`` where
  ``export_outreach(*, municipality, resident_ids: list[int] | None) -> list[Table]`` returns the
  app's tables for the municipality (``resident_ids=None``: everything, for the exit export) or
  only the rows about those residents (for an inzage request). Every table describes its columns,
  so the export's README documents the whole file.
* a **sweeper**: ``register_sweeper("intake", sweep_intake)`` where
  ``sweep_intake(*, municipality, terms: dict[str, int], today) -> dict[str, int]`` deletes the
  app's personal data that belongs to no single case (such as import error reports) once past
  its own retention category's term in ``terms`` (months), and returns counts. It runs in its own
  transaction after the case batches of the municipality's purge; the same rules as for purgers.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

Purger = Callable[..., dict[str, int]]


@dataclass
class Column:
    name: str
    description: str


@dataclass
class Table:
    """One file of an export: ``name`` becomes ``<name>.csv`` and ``<name>.json``."""

    name: str
    description: str
    columns: list[Column]
    rows: Iterable[dict] = field(default_factory=list)


Exporter = Callable[..., list[Table]]

Sweeper = Callable[..., dict[str, int]]

_PURGERS: dict[str, Purger] = {}
_EXPORTERS: dict[str, Exporter] = {}
_SWEEPERS: dict[str, Sweeper] = {}


def register_purger(name: str, purger: Purger) -> None:
    """Register (or replace, for the same name) an app's purger."""
    _PURGERS[name] = purger


def register_exporter(name: str, exporter: Exporter) -> None:
    """Register (or replace, for the same name) an app's exporter."""
    _EXPORTERS[name] = exporter


def register_sweeper(name: str, sweeper: Sweeper) -> None:
    """Register (or replace, for the same name) an app's sweeper."""
    _SWEEPERS[name] = sweeper


def sweepers() -> dict[str, Sweeper]:
    return dict(_SWEEPERS)


def purgers() -> dict[str, Purger]:
    return dict(_PURGERS)


def exporters() -> dict[str, Exporter]:
    return dict(_EXPORTERS)


def unregister(name: str) -> None:
    """Remove a purger, exporter and sweeper by name (for tests)."""
    _PURGERS.pop(name, None)
    _EXPORTERS.pop(name, None)
    _SWEEPERS.pop(name, None)
