"""Reporting settings of a municipality: the contact centre's tariff (for the cost figures), the
minimum count below which exported cells are suppressed, and the DDAS supplier code."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from bereik.accounts.models import Organisation

DEFAULT_MIN_CELL_COUNT = 5
DEFAULT_SUPPLIER_CODE = "BEREIK"


class ReportSettings(models.Model):
    municipality = models.OneToOneField(
        Organisation, on_delete=models.PROTECT, related_name="report_settings"
    )
    price_per_callable_record = models.DecimalField(
        _("price per callable record (EUR)"),
        max_digits=8,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("What the contact centre bills per record with a usable phone number."),
    )
    monthly_fee = models.DecimalField(
        _("fixed fee per month (EUR)"),
        max_digits=10,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("A fixed amount per month on top of the price per record, if any."),
    )
    min_cell_count = models.PositiveSmallIntegerField(
        _("minimum count in exported reports"),
        default=DEFAULT_MIN_CELL_COUNT,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_(
            "Counts below this number are suppressed in reports that leave the municipality "
            "(Excel and PDF), so no resident can be recognised."
        ),
    )
    ddas_supplier_code = models.CharField(
        _("DDAS supplier code"),
        max_length=40,
        default=DEFAULT_SUPPLIER_CODE,
        help_text=_("The “codeGegevensleverancier” the national monitor (CBS) knows you by."),
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("report settings")
        verbose_name_plural = _("report settings")

    def __str__(self) -> str:
        return str(self.municipality)
