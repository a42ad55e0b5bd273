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


class MonthlyFigure(models.Model):
    """One count of the monthly rollup of the dashboard figures (``bereik.reporting.rollup``):
    for the cases of one municipality matched in one month, ``value`` of ``figure`` for ``key``
    (e.g. figure "outcome", key "Telefoon|7": the phone attempts with outcome code 7).

    Counts of distinct residents and phone numbers do not add up over months; they are stored
    split by ``since``: the previous month (before ``month``) in which the same resident or
    number already counted, so a period from A to B adds the rows with ``since`` empty or before
    A and counts each resident or number once. Aggregates only: no personal data."""

    municipality = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    figure = models.CharField(max_length=30)
    key = models.CharField(max_length=255, blank=True)
    since = models.DateField(null=True, blank=True)
    value = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["municipality", "month"], name="monthlyfigure_month")]

    def __str__(self) -> str:
        return f"{self.municipality_id} {self.month:%Y-%m} {self.figure}[{self.key}]={self.value}"


class FigureRefresh(models.Model):
    """When the rollup of one municipality-month was last computed (shown as "Bijgewerkt op")."""

    municipality = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    refreshed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["municipality", "month"], name="figurerefresh_unique")
        ]

    def __str__(self) -> str:
        return f"{self.municipality_id} {self.month:%Y-%m} {self.refreshed_at:%Y-%m-%d %H:%M}"


class FigureRefreshRequest(models.Model):
    """A municipality whose rollup is due for a refresh (a case moved since the last one). One
    row per municipality, so a burst of changes leads to one background refresh (debounce)."""

    municipality = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="+")
    requested_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.municipality_id} {self.requested_at:%Y-%m-%d %H:%M}"
