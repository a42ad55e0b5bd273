"""Background work runs through Django's tasks API on the database backend, on SQLite and
PostgreSQL, with several workers taking from one queue."""

import threading

import pytest
from django.core.management import call_command
from django.db import connection
from django.tasks import TaskResultStatus, task_backends

from tests.portal.background_tasks import multiply

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def _run_worker(errors: list | None = None):
    try:
        call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)
    except Exception as error:
        if errors is None:
            raise
        errors.append(error)
    finally:
        connection.close()


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = DB_TASKS
    task_backends._settings = None
    task_backends._connections = threading.local()
    yield
    task_backends._settings = None
    task_backends._connections = threading.local()


@pytest.mark.django_db(transaction=True)
def test_enqueued_task_is_run_by_the_database_worker(database_tasks):
    result = multiply.enqueue(6, 7)
    assert result.status == TaskResultStatus.READY
    _run_worker()
    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == 42


@pytest.mark.django_db(transaction=True)
def test_two_workers_run_every_task_exactly_once(database_tasks, monkeypatch):
    if connection.vendor == "sqlite":
        pytest.skip("the in-memory SQLite test database cannot be shared by concurrent writers")
    # Signal handlers can only be installed in the main thread; the claiming logic under test
    # (row locks in the database) is the same in a thread as in a worker process.
    from django_tasks_db.management.commands.db_worker import Worker

    monkeypatch.setattr(Worker, "configure_signals", lambda self: None)
    monkeypatch.setattr(Worker, "reset_signals", lambda self: None)
    results = [multiply.enqueue(n, 2) for n in range(20)]
    errors: list[Exception] = []
    workers = [threading.Thread(target=_run_worker, args=(errors,)) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert errors == []
    for n, result in enumerate(results):
        result.refresh()
        assert result.status == TaskResultStatus.SUCCESSFUL
        assert result.return_value == n * 2
        assert len(result.worker_ids) == 1
