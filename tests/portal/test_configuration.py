"""Configuration comes from registered environment variables and fails loudly on bad values."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from bereik.conf.env import env


def test_boolean_values(monkeypatch):
    monkeypatch.setenv("DEBUG", "ja")
    assert env("DEBUG") is True
    monkeypatch.setenv("DEBUG", "off")
    assert env("DEBUG") is False


def test_bad_boolean_names_the_variable(monkeypatch):
    monkeypatch.setenv("DEBUG", "perhaps")
    with pytest.raises(ImproperlyConfigured, match="DEBUG"):
        env("DEBUG")


def test_bad_number_names_the_variable(monkeypatch):
    monkeypatch.setenv("SESSION_IDLE_MINUTES", "half an hour")
    with pytest.raises(ImproperlyConfigured, match="SESSION_IDLE_MINUTES"):
        env("SESSION_IDLE_MINUTES")


def test_lists_are_split_on_commas(monkeypatch):
    monkeypatch.setenv("ALLOWED_HOSTS", "a.example, b.example,")
    assert env("ALLOWED_HOSTS") == ["a.example", "b.example"]


def test_required_variable_without_value(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY"):
        env("SECRET_KEY", None)


def test_unregistered_variable_is_a_programming_error():
    with pytest.raises(KeyError):
        env("NOT_A_BEREIK_SETTING")


def test_configuration_docs_are_current():
    call_command("config_docs", "--check")


def test_fixed_locale(settings):
    assert settings.TIME_ZONE == "Europe/Amsterdam"
    assert settings.LANGUAGE_CODE == "nl"


def test_database_connections_are_kept_between_requests(monkeypatch):
    from bereik.conf.settings.base import _database

    config = _database("postgres://bereik@db.example:5432/bereik")
    assert config["CONN_MAX_AGE"] == 600
    assert config["CONN_HEALTH_CHECKS"] is True
    monkeypatch.setenv("DATABASE_CONN_MAX_AGE", "0")
    assert _database("postgres://bereik@db.example:5432/bereik")["CONN_MAX_AGE"] == 0


def test_server_process_keeps_its_start_up_objects_out_of_full_collections():
    """The WSGI entry point freezes what the application loaded (see bereik.conf.runtime)."""
    import subprocess
    import sys

    probe = (
        "import gc, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'bereik.conf.settings.test'; "
        "before = gc.get_freeze_count(); import bereik.conf.wsgi; "
        "print(gc.get_freeze_count() - before)"
    )
    frozen = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    assert int(frozen) > 10_000
