"""Residents, their signals and cases: the personal data at the centre of Bereik.

Every row belongs to one municipality (``municipality``), the tenant key used by
``bereik.accounts.access``.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from bereik.accounts.models import Organisation

from .workflow import CaseState, CaseTransition  # noqa: F401  (model registered with this app)


class PartnerType(models.TextChoices):
    """DDAS EnumSignaalpartnerType."""

    ENERGIE = "Energie", _("Energy")
    HUUR = "Huur", _("Rent")
    HYPOTHEEK = "Hypotheek", _("Mortgage")
    ZORG = "Zorg", _("Health insurance")
    CAK_ZORGVERZEKERINGEN = "CAK Zorgverzekeringen", _("CAK health insurance")
    WATER = "Water", _("Water")
    DUO = "DUO", _("DUO")
    BELASTINGDIENST = "Belastingdienst", _("Tax administration")
    CAK_EIGEN_BIJDRAGE = "CAK Eigen bijdrage", _("CAK personal contribution")
    DIENST_TOESLAGEN = "Dienst Toeslagen", _("Benefits service")
    OVERIGE = "Overige", _("Other")


class Resident(models.Model):
    # No index of its own: the composite indexes in Meta start with it (one index fewer to
    # write per row; a million rows an import).
    municipality = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    bsn = models.CharField(_("BSN"), max_length=9, blank=True)
    initials = models.CharField(_("initials"), max_length=20, blank=True)
    surname_prefix = models.CharField(_("surname prefix"), max_length=20, blank=True)
    surname = models.CharField(_("surname"), max_length=200, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    street = models.CharField(_("street"), max_length=200, blank=True)
    house_number = models.PositiveIntegerField(_("house number"), null=True, blank=True)
    house_number_addition = models.CharField(_("addition"), max_length=10, blank=True)
    postcode = models.CharField(_("postcode"), max_length=6, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    anonymised_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("resident")
        verbose_name_plural = _("residents")
        indexes = [
            models.Index(fields=["municipality", "bsn"], name="resident_bsn"),
            models.Index(
                fields=["municipality", "birth_date", "postcode", "house_number"],
                name="resident_address_identity",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return " ".join(p for p in (self.initials, self.surname_prefix, self.surname) if p)


class PhoneNumber(models.Model):
    class Kind(models.TextChoices):
        MOBILE = "mobile", _("Mobile")
        LANDLINE = "landline", _("Landline")
        UNKNOWN = "unknown", _("Unknown")

    class Status(models.TextChoices):
        VALID = "valid", _("Valid")
        INVALID = "invalid", _("Invalid")
        RETIRED = "retired", _("Retired (wrong person or not in service)")
        EXHAUSTED = "exhausted", _("Exhausted (maximum attempts)")

    class Source(models.TextChoices):
        SIGNAL = "signal", _("Signal")
        ENRICHMENT = "enrichment", _("Enrichment")
        MANUAL = "manual", _("Entered by staff")

    resident = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="phone_numbers")
    raw = models.CharField(_("as delivered"), max_length=64)
    e164 = models.CharField(_("number"), max_length=20, blank=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.UNKNOWN)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.VALID)
    source = models.CharField(max_length=12, choices=Source.choices, default=Source.SIGNAL)
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("phone number")
        verbose_name_plural = _("phone numbers")

    def __str__(self) -> str:
        return self.e164 or self.raw


class Case(models.Model):
    """One resident's case in one matching period, with all of its signals."""

    # No index of its own: the composite index in Meta starts with it (one index fewer to
    # write per row; a million rows an import).
    municipality = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    resident = models.ForeignKey(Resident, on_delete=models.PROTECT, related_name="cases")
    reference = models.CharField(_("reference"), max_length=20, unique=True)
    matching_period = models.DateField(_("matching period"), help_text=_("First day of month."))
    matched_on = models.DateField(_("matched on"))
    picked_up_on = models.DateField(_("picked up on"), null=True, blank=True)
    state = models.CharField(
        _("state"), max_length=30, choices=CaseState.choices, default=CaseState.NEW
    )
    end_result = models.CharField(_("end result"), max_length=60, blank=True)
    is_crisis = models.BooleanField(_("crisis"), default=False)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    recidive_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="recidives"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [models.Index(fields=["municipality", "matching_period", "state"])]

    def __str__(self) -> str:
        return self.reference


class Signal(models.Model):
    # No index of its own: the unique constraint in Meta starts with it (one index fewer to
    # write per row; a million rows an import).
    municipality = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="signals", null=True)
    resident = models.ForeignKey(Resident, on_delete=models.PROTECT, related_name="signals")
    source = models.CharField(_("source"), max_length=100)
    external_id = models.CharField(_("signal ID"), max_length=100, blank=True)
    fingerprint = models.CharField(max_length=64)
    partner_type = models.CharField(_("partner type"), max_length=30, choices=PartnerType.choices)
    partner_name = models.CharField(_("partner"), max_length=200, blank=True)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    arrears_since = models.DateField(_("arrears since"), null=True, blank=True)
    signal_date = models.DateField(_("signal date"))
    is_crisis = models.BooleanField(_("crisis signal"), default=False)
    warm_handover = models.BooleanField(_("warm handover requested"), default=False)
    status = models.CharField(_("status"), max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("signal")
        verbose_name_plural = _("signals")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "source", "fingerprint"], name="unique_signal_per_source"
            )
        ]

    def __str__(self) -> str:
        return f"{self.partner_type} {self.amount}"
