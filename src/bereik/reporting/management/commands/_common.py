"""Shared argument handling of the reporting commands."""

import datetime as dt
from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from bereik.accounts.models import Organisation
from bereik.accounts.roles import OrganisationKind


def municipality_by_code(code: str) -> Organisation:
    try:
        return Organisation.objects.get(municipality_code=code, kind=OrganisationKind.MUNICIPALITY)
    except Organisation.DoesNotExist:
        raise CommandError(_("No municipality with code %(code)s.") % {"code": code}) from None


def parse_date(value: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(
            _("%(option)s must be a date as YYYY-MM-DD, not “%(value)s”.")
            % {"option": option, "value": value}
        ) from None


def writable(path: Path) -> Path:
    if not path.parent.is_dir():
        raise CommandError(_("Folder not found: %(path)s") % {"path": path.parent})
    return path
