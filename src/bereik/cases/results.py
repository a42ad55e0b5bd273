"""The DDAS end results of a case (EnumEindresultaat). Values are the DDAS texts, so a closed
case's ``end_result`` goes into the national delivery as it is."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class EndResult(models.TextChoices):
    NOT_PICKED_UP_REPEAT = "Niet opgepakt: herhaalde melding", _("Not picked up: repeated signal")
    NOT_PICKED_UP_UNJUSTIFIED = (
        "Niet opgepakt: onterecht signaal",
        _("Not picked up: unjustified signal"),
    )
    DECEASED = "Inwoner is overleden", _("Resident has died")
    NOT_A_RESIDENT = (
        "Persoon is geen inwoner (meer) in de gemeente",
        _("Person is not (or no longer) a resident of the municipality"),
    )
    NOT_PICKED_UP_OTHER = "Niet opgepakt: andere reden", _("Not picked up: other reason")
    KNOWN_TO_DEBT_COUNSELLING = (
        "Inwoner al bekend bij schuldhulpverlening",
        _("Resident already known to debt counselling"),
    )
    OTHER_PROGRAMME = (
        "Inwoner heeft al een ander lopend traject",
        _("Resident already has another running programme"),
    )
    NO_CONTACT = "Definitief geen contact kunnen krijgen", _("Definitively no contact")
    NO_REACTION_AFTER_CONTACT = (
        "Geen reactie na eerder contact",
        _("No reaction after earlier contact"),
    )
    NO_HELP_WANTED = (
        "Inwoner hoeft geen hulp vanuit vroegsignalering",
        _("Resident does not want help from vroegsignalering"),
    )
    PAID_OR_ARRANGED = (
        "Inwoner heeft zelf al betaald/betalingsregeling getroffen",
        _("Resident has paid or made a payment arrangement"),
    )
    BUDGET_ADVICE = "(Budget)advies en/of quick fix", _("(Budget) advice and/or quick fix")
    FINANCIAL_FOLLOW_UP = (
        "Vervolghulp en/of verwijzing financieel",
        _("Financial follow-up help and/or referral"),
    )
    REFERRAL_WITHOUT_CONTACT = "Verwijzing zonder contact", _("Referral without contact")
    NON_FINANCIAL_FOLLOW_UP = (
        "Vervolghulp en/of verwijzing niet financieel",
        _("Non-financial follow-up help and/or referral"),
    )


# The results a social worker can register after a handover (the rest belong to intake, calling
# and month-end closure).
FOLLOW_UP_RESULTS = (
    EndResult.BUDGET_ADVICE,
    EndResult.FINANCIAL_FOLLOW_UP,
    EndResult.NON_FINANCIAL_FOLLOW_UP,
    EndResult.KNOWN_TO_DEBT_COUNSELLING,
    EndResult.OTHER_PROGRAMME,
    EndResult.NO_REACTION_AFTER_CONTACT,
    EndResult.NO_HELP_WANTED,
    EndResult.PAID_OR_ARRANGED,
)
