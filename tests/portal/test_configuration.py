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
