"""The demo installation: a fictional municipality with its partners and one user per role.

Everything here is made idempotently (looked up by natural key first), so loading twice changes
nothing. The TOTP secret is public on purpose: these accounts exist only for demonstrations.
"""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from bereik.accounts.models import Membership, Organisation, ServiceAgreement, User
from bereik.accounts.roles import OrganisationKind, Role

MUNICIPALITY_CODE = "9999"
DEMO_PASSWORD = "demo-Bereik-2026"  # noqa: S105 (public demo credential)
# 20 bytes, shown to the user in base32 as DEMOKEY below.
DEMO_TOTP_KEY_HEX = "42455245494b2d44454d4f2d544f54502d4b4559"
DEMO_TOTP_BASE32 = "IJCVERKJJMWUIRKNJ4WVIT2UKAWUWRKZ"


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    role: Role
    organisation: str  # key into the organisations made below


DEMO_USERS = [
    DemoUser("beller", "Bas", "Beller", Role.AGENT, "contact_centre"),
    DemoUser("teamleider", "Tamara", "Teamleider", Role.SUPERVISOR, "contact_centre"),
    DemoUser("kwaliteit", "Koen", "Kwaliteit", Role.QUALITY_MANAGER, "contact_centre"),
    DemoUser("hulpverlener", "Hanna", "Hulpverlener", Role.SOCIAL_WORKER, "social_work"),
    DemoUser("coordinator", "Cora", "Coördinator", Role.COORDINATOR, "municipality"),
    DemoUser("beheerder", "Bram", "Beheerder", Role.FUNCTIONAL_ADMIN, "municipality"),
]


@dataclass
class DemoOrganisations:
    municipality: Organisation
    contact_centre: Organisation
    social_work: Organisation


def _organisation(name: str, kind: OrganisationKind, code: str | None = None) -> Organisation:
    lookup = {"municipality_code": code} if code else {"name": name, "kind": kind}
    organisation, _ = Organisation.objects.get_or_create(
        **lookup, defaults={"name": name, "kind": kind}
    )
    return organisation


@transaction.atomic
def load_organisations_and_users() -> DemoOrganisations:
    orgs = DemoOrganisations(
        municipality=_organisation(
            "Gemeente Voorbeeld", OrganisationKind.MUNICIPALITY, MUNICIPALITY_CODE
        ),
        contact_centre=_organisation("Contactcentrum Voorbeeld", OrganisationKind.CONTACT_CENTRE),
        social_work=_organisation("Sociaal Werk Voorbeeld", OrganisationKind.SOCIAL_WORK),
    )
    start = datetime.date(2025, 1, 1)
    for provider in (orgs.contact_centre, orgs.social_work):
        ServiceAgreement.objects.get_or_create(
            provider=provider, municipality=orgs.municipality, starts_on=start
        )
    for demo in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=demo.username,
            defaults={
                "first_name": demo.first_name,
                "last_name": demo.last_name,
                "email": f"{demo.username}@voorbeeld.invalid",
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        Membership.objects.get_or_create(
            user=user, organisation=getattr(orgs, demo.organisation), role=demo.role
        )
        if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            TOTPDevice.objects.create(user=user, name="demo", key=DEMO_TOTP_KEY_HEX, confirmed=True)
    return orgs


@dataclass
class DemoSummary:
    organisations: DemoOrganisations
    signal_count: int


def load() -> DemoSummary:
    from bereik.cases.models import Signal
    from bereik.demo.handover import load_demo_handovers
    from bereik.demo.lifecycle import load_demo_lifecycle
    from bereik.demo.outreach import load_demo_campaign
    from bereik.demo.signals import load_demo_signals

    organisations = load_organisations_and_users()
    municipality = organisations.municipality
    load_demo_signals(municipality)
    load_demo_campaign(municipality)
    load_demo_handovers(organisations)
    load_demo_lifecycle(municipality)
    # Counted at the end: the lifecycle demo adds earlier months' signals of some residents.
    signal_count = Signal.objects.filter(municipality=municipality).count()
    return DemoSummary(organisations=organisations, signal_count=signal_count)
