"""Development and demo profile: the embedded default (SQLite, console e-mail), debug on."""

from bereik.conf.env import env

from .base import *  # noqa: F403

DEBUG = env("DEBUG", "true")
