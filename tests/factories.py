"""factory_boy factories shared by every test package."""

import datetime
from decimal import Decimal

import factory
from django_otp.plugins.otp_totp.models import TOTPDevice

from bereik.accounts.models import Membership, Organisation, ServiceAgreement, User
from bereik.accounts.roles import OrganisationKind, Role
from bereik.cases.models import Case, PartnerType, PhoneNumber, Resident, Signal

TEST_PASSWORD = "correct-horse-battery-staple"


class MunicipalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("municipality_code",)

    name = factory.Sequence(lambda n: f"Gemeente Test {n}")
    kind = OrganisationKind.MUNICIPALITY
    municipality_code = factory.Sequence(lambda n: f"{1000 + n:04d}")


class ProviderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Contactcentrum {n}")
    kind = OrganisationKind.CONTACT_CENTRE
    municipality_code = None

    class Params:
        social_work = factory.Trait(
            kind=OrganisationKind.SOCIAL_WORK,
            name=factory.Sequence(lambda n: f"Sociaal Werk {n}"),
        )


class ServiceAgreementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceAgreement

    provider = factory.SubFactory(ProviderFactory)
    municipality = factory.SubFactory(MunicipalityFactory)
    starts_on = datetime.date(2020, 1, 1)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"Gebruiker {n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.invalid")
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def totp(self, create, extracted, **kwargs):
        """Every test user has a confirmed authenticator unless ``totp=False``."""
        if create and extracted is not False:
            TOTPDevice.objects.create(user=self, name="test", confirmed=True)
        if create:
            self.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(MunicipalityFactory)
    role = Role.COORDINATOR


class ResidentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Resident

    municipality = factory.SubFactory(MunicipalityFactory)
    bsn = "111222333"
    initials = "J."
    surname = factory.Sequence(lambda n: f"Jansen{n}")
    birth_date = datetime.date(1980, 5, 17)
    street = "Dorpsstraat"
    house_number = factory.Sequence(lambda n: n + 1)
    postcode = "1234AB"
    city = "Voorbeeld"


class PhoneNumberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PhoneNumber

    resident = factory.SubFactory(ResidentFactory)
    raw = "06-12345678"
    e164 = "+31612345678"
    kind = PhoneNumber.Kind.MOBILE


class CaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Case

    municipality = factory.SubFactory(MunicipalityFactory)
    resident = factory.SubFactory(
        ResidentFactory, municipality=factory.SelfAttribute("..municipality")
    )
    reference = factory.Sequence(lambda n: f"VS-{n:06d}")
    matching_period = datetime.date(2026, 10, 1)
    matched_on = datetime.date(2026, 10, 3)


class SignalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Signal

    case = factory.SubFactory(CaseFactory)
    municipality = factory.SelfAttribute("case.municipality")
    resident = factory.SelfAttribute("case.resident")
    source = "test"
    external_id = factory.Sequence(lambda n: f"S{n}")
    fingerprint = factory.SelfAttribute("external_id")
    partner_type = PartnerType.ZORG
    partner_name = "Zorgverzekeraar Test"
    amount = Decimal("250.00")
    signal_date = datetime.date(2026, 10, 1)


# --- outreach ----------------------------------------------------------------------------------

from bereik.outreach.models import (  # noqa: E402
    CallingWindow,
    Campaign,
    MessageTemplate,
    QueueEntry,
    Script,
    ScriptVersion,
)
from bereik.outreach.scheduling import DEFAULT_WINDOWS  # noqa: E402


class ScriptFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Script
        skip_postgeneration_save = True

    municipality = factory.SubFactory(MunicipalityFactory)
    name = "Belscript"
    version = factory.RelatedFactory(
        "tests.factories.ScriptVersionFactory", factory_related_name="script", number=1
    )


class ScriptVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ScriptVersion

    script = factory.SubFactory(ScriptFactory, version=None)
    number = factory.Sequence(lambda n: n + 1)
    body = "Goedemiddag {naam}, u spreekt met {beller} namens {gemeente}."


class CampaignFactory(factory.django.DjangoModelFactory):
    """A campaign with the default calling windows (Mon-Fri 08:30-21:00, Sat 09:00-17:00)."""

    class Meta:
        model = Campaign
        skip_postgeneration_save = True

    municipality = factory.SubFactory(MunicipalityFactory)
    name = factory.Sequence(lambda n: f"Campagne {n}")
    starts_on = datetime.date(2026, 1, 1)
    caller_id = "079 123 4567"
    script = factory.SubFactory(ScriptFactory, municipality=factory.SelfAttribute("..municipality"))

    @factory.post_generation
    def windows(self, create, extracted, **kwargs):
        if create:
            for window in DEFAULT_WINDOWS if extracted is None else extracted:
                CallingWindow.objects.create(
                    campaign=self,
                    weekday=window.weekday,
                    starts_at=window.starts,
                    ends_at=window.ends,
                )


class QueueEntryFactory(factory.django.DjangoModelFactory):
    """A ready-to-call entry for a case in the call queue with one mobile number."""

    class Meta:
        model = QueueEntry

    campaign = factory.SubFactory(CampaignFactory)
    municipality = factory.SelfAttribute("campaign.municipality")
    case = factory.SubFactory(
        CaseFactory, municipality=factory.SelfAttribute("..municipality"), state="call_queue"
    )
    status = QueueEntry.Status.READY
    band = QueueEntry.Band.NORMAL
    entered_at = factory.LazyFunction(
        lambda: datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC)
    )
    next_attempt_at = factory.SelfAttribute("entered_at")
    current_number = factory.LazyAttribute(
        lambda entry: PhoneNumberFactory(resident=entry.case.resident)
    )


class MessageTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MessageTemplate

    municipality = factory.SubFactory(MunicipalityFactory)
    name = "Aankondiging"
    channel = "sms"
    body = "Beste {naam}, {gemeente} belt u binnenkort vanaf {terugbelnummer}."


# --- privacy -----------------------------------------------------------------------------------

from bereik.cases.workflow import CaseTransition  # noqa: E402
from bereik.privacy.models import LegalHold, Objection, PurgeRun  # noqa: E402


class ClosedCaseFactory(CaseFactory):
    """A closed case with its timeline: ``path`` states before closing, closed at ``closed_at``."""

    class Meta:
        model = Case
        skip_postgeneration_save = True

    state = "closed"
    end_result = "Definitief geen contact kunnen krijgen"
    closed_at = datetime.datetime(2025, 1, 15, 10, 0, tzinfo=datetime.UTC)
    path = ("call_queue", "exhausted")

    @classmethod
    def _create(cls, model_class, *args, closed_at=None, path=(), **kwargs):
        case = super()._create(model_class, *args, **kwargs)
        previous = "new"
        for state in (*path, "closed"):
            CaseTransition.objects.create(
                case=case,
                from_state=previous,
                to_state=state,
                end_result=case.end_result if state == "closed" else "",
                reason="Besproken met mevrouw Jansen",
                occurred_at=closed_at,
            )
            previous = state
        return case


class LegalHoldFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LegalHold

    case = factory.SubFactory(ClosedCaseFactory)
    municipality = factory.SelfAttribute("case.municipality")
    reason = "Bezwaarprocedure"
    placed_at = factory.LazyFunction(
        lambda: datetime.datetime(2025, 6, 1, 9, 0, tzinfo=datetime.UTC)
    )


class ObjectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Objection

    resident = factory.SubFactory(ResidentFactory)
    municipality = factory.SelfAttribute("resident.municipality")
    received_on = datetime.date(2026, 1, 5)
    channel = "letter"
    note = "Brief ontvangen"
    recorded_at = factory.LazyFunction(
        lambda: datetime.datetime(2026, 1, 5, 9, 0, tzinfo=datetime.UTC)
    )


class PurgeRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PurgeRun

    municipality = factory.SubFactory(MunicipalityFactory)
    started_at = factory.LazyFunction(
        lambda: datetime.datetime(2026, 3, 1, 2, 0, tzinfo=datetime.UTC)
    )
    finished_at = factory.SelfAttribute("started_at")
    reference_date = datetime.date(2026, 3, 1)
    status = "done"
    cases_purged = 2
    counts = factory.LazyFunction(lambda: {"residents": 2, "phone_numbers": 3})
    by_category = factory.LazyFunction(lambda: {"picked_up": 2})


# --- reporting ---------------------------------------------------------------------------------

from bereik.outreach.models import ContactAttempt, OutcomeCode  # noqa: E402
from bereik.outreach.scheduling import day_part  # noqa: E402


class ContactAttemptFactory(factory.django.DjangoModelFactory):
    """A phone attempt; pass ``outcome_code="bereikt"`` (a seeded code) and ``occurred_at``.
    ``reached`` and ``day_part`` follow from the outcome code and the time."""

    class Meta:
        model = ContactAttempt
        exclude = ("outcome_code",)

    case = factory.SubFactory(CaseFactory)
    municipality = factory.SelfAttribute("case.municipality")
    kind = ContactAttempt.Kind.PHONE
    outcome_code = "geen_gehoor"
    outcome = factory.LazyAttribute(lambda a: OutcomeCode.objects.get(code=a.outcome_code))
    occurred_at = datetime.datetime(2026, 10, 5, 8, 0, tzinfo=datetime.UTC)
    day_part = factory.LazyAttribute(lambda a: day_part(a.occurred_at).value)
    reached = factory.LazyAttribute(lambda a: a.outcome.ddas_reached)


# --- handover ----------------------------------------------------------------------------------

from bereik.handover.models import AppointmentSlot, Handover  # noqa: E402


class HandoverFactory(factory.django.DjangoModelFactory):
    """An open handover of a case with a help request, routed to ``social_work``."""

    class Meta:
        model = Handover

    case = factory.SubFactory(CaseFactory, state="reached_help")
    municipality = factory.SelfAttribute("case.municipality")
    social_work = None
    preferred_contact_time = "dinsdagmiddag"
    summary = "Huurachterstand, wil hulp bij een regeling."


class AppointmentSlotFactory(factory.django.DjangoModelFactory):
    """A 45-minute slot a week from now; pass ``organisation`` and ``social_worker``."""

    class Meta:
        model = AppointmentSlot

    starts_at = factory.LazyFunction(
        lambda: (datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=7)).replace(
            minute=0, second=0, microsecond=0
        )
    )
    ends_at = factory.LazyAttribute(lambda s: s.starts_at + datetime.timedelta(minutes=45))
    location = "Wijkcentrum De Brug"
