"""A small fixed set of demo cases, until the intake's generator feeds the demo."""

import datetime
import random
from decimal import Decimal

from django.db import transaction

from bereik.cases.models import Case, PartnerType, PhoneNumber, Resident, Signal

_SURNAMES = ["Jansen", "de Vries", "Bakker", "Visser", "Smit", "Meijer", "de Boer", "Mulder"]
_STREETS = ["Dorpsstraat", "Kerkweg", "Molenlaan", "Stationsplein", "Schoolstraat"]
_PARTNERS = [
    (PartnerType.ZORG, "Zorgverzekeraar Voorbeeld"),
    (PartnerType.HUUR, "Woningcorporatie Voorbeeld"),
    (PartnerType.ENERGIE, "Energiebedrijf Voorbeeld"),
    (PartnerType.WATER, "Waterbedrijf Voorbeeld"),
]
DEMO_CASES = 25


@transaction.atomic
def load_demo_signals(municipality) -> int:
    existing = Signal.objects.filter(municipality=municipality, source="demo").count()
    if existing:
        return existing
    rng = random.Random(9999)
    period = datetime.date(2026, 10, 1)
    for index in range(DEMO_CASES):
        surname = rng.choice(_SURNAMES)
        prefix, _, last = surname.rpartition(" ")
        resident = Resident.objects.create(
            municipality=municipality,
            initials=rng.choice("ABCDEHJKMPS") + ".",
            surname_prefix=prefix,
            surname=last,
            birth_date=datetime.date(1950, 1, 1) + datetime.timedelta(days=rng.randrange(20000)),
            street=rng.choice(_STREETS),
            house_number=rng.randrange(1, 200),
            postcode=f"{rng.randrange(1000, 9999)}{rng.choice('ABCDEFGH')}{rng.choice('ABKLMNRS')}",
            city="Voorbeeld",
        )
        PhoneNumber.objects.create(
            resident=resident, raw=f"06{rng.randrange(10**7, 10**8)}", kind="mobile"
        )
        case = Case.objects.create(
            municipality=municipality,
            resident=resident,
            reference=f"DEMO-{index + 1:04d}",
            matching_period=period,
            matched_on=period + datetime.timedelta(days=2),
        )
        partner_type, partner_name = rng.choice(_PARTNERS)
        Signal.objects.create(
            municipality=municipality,
            case=case,
            resident=resident,
            source="demo",
            external_id=f"DEMO-{index + 1}",
            fingerprint=f"DEMO-{index + 1}",
            partner_type=partner_type,
            partner_name=partner_name,
            amount=Decimal(rng.randrange(80, 3000)),
            signal_date=period,
        )
    return DEMO_CASES
