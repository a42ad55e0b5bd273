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
