"""Request and response shapes of the API, with camelCase names (Dutch API Design Rules).
Every request serializer refuses fields it does not know."""

from django.utils.translation import gettext as _
from rest_framework import serializers

from bereik.cases.models import PartnerType
from bereik.cases.workflow import CaseState
from bereik.outreach.models import ContactAttempt

from .models import WebhookEvent
from .services import PHONE_FIELD, SIGNAL_FIELDS
from .webhooks import url_is_allowed

MAX_BATCH = 5000  # a large municipality's month fits in one request (about 1.7 MB)


class StrictSerializer(serializers.Serializer):
    """Unknown fields are an error, not silently ignored."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({name: [_("Unknown field.")] for name in unknown})
        return super().to_internal_value(data)


# --- signals -----------------------------------------------------------------------------------


class SignalInSerializer(StrictSerializer):
    """One signal (documentation of the item; values are validated by the intake, per item)."""

    signalId = serializers.CharField(max_length=100, help_text="The partner's or platform's ID.")
    partnerType = serializers.ChoiceField(choices=PartnerType.values)
    partnerName = serializers.CharField(max_length=200, required=False, allow_blank=True)
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)
    arrearsSince = serializers.DateField(required=False, allow_null=True)
    signalDate = serializers.DateField()
    crisis = serializers.BooleanField(required=False)
    warmHandover = serializers.BooleanField(required=False)
    bsn = serializers.CharField(max_length=9, required=False, allow_blank=True)
    initials = serializers.CharField(max_length=20, required=False, allow_blank=True)
    surnamePrefix = serializers.CharField(max_length=20, required=False, allow_blank=True)
    surname = serializers.CharField(max_length=200, required=False, allow_blank=True)
    birthDate = serializers.DateField(required=False, allow_null=True)
    street = serializers.CharField(max_length=200, required=False, allow_blank=True)
    houseNumber = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    houseNumberAddition = serializers.CharField(max_length=10, required=False, allow_blank=True)
    postcode = serializers.CharField(max_length=7, required=False, allow_blank=True)
    city = serializers.CharField(max_length=100, required=False, allow_blank=True)
    phoneNumbers = serializers.ListField(
        child=serializers.CharField(max_length=64), required=False, max_length=10
    )
    email = serializers.CharField(max_length=254, required=False, allow_blank=True)


assert set(SignalInSerializer._declared_fields) == set(SIGNAL_FIELDS) | {PHONE_FIELD}

_SCALAR = (str, int, float, bool, type(None))


class SignalBatchSerializer(StrictSerializer):
    municipalityCode = serializers.RegexField(
        r"^\d{4}$",
        required=False,
        help_text="CBS code of the municipality; may be left out when the token reaches one.",
    )
    source = serializers.RegexField(
        r"^[A-Za-z0-9 ._-]{1,100}$",
        required=False,
        default="api",
        help_text="The delivering platform (e.g. `ris`, `vps`); signal IDs are unique per source.",
    )
    allOrNothing = serializers.BooleanField(
        required=False, default=False, help_text="Store nothing when any signal is rejected."
    )
    signals = serializers.ListField(
        child=serializers.DictField(), min_length=1, max_length=MAX_BATCH
    )

    def validate_signals(self, items):
        errors = {}
        for index, item in enumerate(items):
            problems = {}
            for name, value in item.items():
                if name == PHONE_FIELD:
                    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                        problems[name] = [_("Give a list of phone numbers as text.")]
                elif name not in SIGNAL_FIELDS:
                    problems[name] = [_("Unknown field.")]
                elif not isinstance(value, _SCALAR):
                    problems[name] = [_("Give a single value.")]
            signal_id = item.get("signalId")
            if not isinstance(signal_id, (str, int)) or not str(signal_id).strip():
                problems["signalId"] = [_("Every signal needs its signalId.")]
            if problems:
                errors[index] = problems
        if errors:
            raise serializers.ValidationError(errors)
        return items


class ItemErrorSerializer(serializers.Serializer):
    index = serializers.IntegerField()
    field = serializers.CharField()
    message = serializers.CharField()


class SignalResultSerializer(serializers.Serializer):
    index = serializers.IntegerField()
    signalId = serializers.CharField(source="signal_id")
    status = serializers.ChoiceField(choices=["created", "duplicate", "rejected"])
    caseReference = serializers.CharField(source="case_reference", allow_null=True)
    errors = ItemErrorSerializer(many=True)
    warnings = ItemErrorSerializer(many=True)


class SignalBatchResultSerializer(serializers.Serializer):
    importRun = serializers.IntegerField(source="run.pk")
    status = serializers.CharField(source="run.status")
    message = serializers.CharField(source="run.message")
    received = serializers.SerializerMethodField()
    created = serializers.SerializerMethodField()
    duplicates = serializers.SerializerMethodField()
    rejected = serializers.SerializerMethodField()
    results = SignalResultSerializer(source="items", many=True)

    def get_received(self, batch) -> int:
        return len(batch.items)

    def get_created(self, batch) -> int:
        return batch.count("created")

    def get_duplicates(self, batch) -> int:
        return batch.count("duplicate")

    def get_rejected(self, batch) -> int:
        return batch.count("rejected")


# --- cases -------------------------------------------------------------------------------------


class CaseSignalSerializer(serializers.Serializer):
    signalId = serializers.CharField(source="external_id")
    source = serializers.CharField()
    partnerType = serializers.CharField(source="partner_type")
    signalDate = serializers.DateField(source="signal_date")
    status = serializers.CharField()


class CaseSerializer(serializers.Serializer):
    """A case without personal data: states, dates, the DDAS end result, signal IDs."""

    reference = serializers.CharField()
    municipalityCode = serializers.CharField(source="municipality.municipality_code")
    state = serializers.ChoiceField(choices=CaseState.values)
    matchingPeriod = serializers.SerializerMethodField()
    matchedOn = serializers.DateField(source="matched_on")
    pickedUpOn = serializers.DateField(source="picked_up_on", allow_null=True)
    endResult = serializers.CharField(source="end_result", allow_null=True)
    isCrisis = serializers.BooleanField(source="is_crisis")
    dueOn = serializers.DateField(source="due_on", allow_null=True)
    recidiveOf = serializers.CharField(
        source="recidive_of.reference", allow_null=True, default=None
    )
    updatedAt = serializers.DateTimeField(source="updated_at")
    signals = CaseSignalSerializer(many=True)

    def get_matchingPeriod(self, case) -> str:
        return case.matching_period.strftime("%Y-%m")

    def to_representation(self, case):
        data = super().to_representation(case)
        data["endResult"] = data["endResult"] or None
        return data


class CaseFilterSerializer(StrictSerializer):
    state = serializers.MultipleChoiceField(choices=CaseState.values, required=False)
    matchingPeriod = serializers.RegexField(
        r"^\d{4}-(0[1-9]|1[0-2])$", required=False, help_text="Month, `YYYY-MM`."
    )
    updatedSince = serializers.DateTimeField(required=False)
    municipalityCode = serializers.RegexField(r"^\d{4}$", required=False)
    page = serializers.IntegerField(required=False, min_value=1)
    pageSize = serializers.IntegerField(required=False, min_value=1, max_value=100)


# --- telephony -------------------------------------------------------------------------------


class ContactAttemptInSerializer(StrictSerializer):
    callId = serializers.CharField(
        max_length=100, help_text="The telephony system's id; a repeated id changes nothing."
    )
    phoneNumber = serializers.CharField(max_length=30, help_text="The number that was called.")
    startedAt = serializers.DateTimeField()
    durationSeconds = serializers.IntegerField(min_value=0, max_value=86400)
    resultCode = serializers.SlugField(
        max_length=40, help_text="An outcome code, e.g. `geen_gehoor`, `voicemail`, `bereikt`."
    )
    direction = serializers.ChoiceField(
        choices=ContactAttempt.Direction.values, default=ContactAttempt.Direction.OUTBOUND
    )
    caseReference = serializers.CharField(max_length=20, required=False, allow_blank=True)
    helpRequested = serializers.BooleanField(required=False, allow_null=True, default=None)
    noHelpReason = serializers.ChoiceField(
        choices=ContactAttempt.NoHelpReason.values, required=False, allow_blank=True
    )
    preferredContactTime = serializers.CharField(max_length=200, required=False, allow_blank=True)
    summary = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    callbackAt = serializers.DateTimeField(required=False, allow_null=True)


class ContactAttemptSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="attempt.pk")
    callId = serializers.CharField(source="call_id")
    caseReference = serializers.CharField(source="attempt.case.reference")
    resultCode = serializers.CharField(source="attempt.outcome.code")
    reached = serializers.BooleanField(source="attempt.reached")
    direction = serializers.CharField(source="attempt.direction")
    startedAt = serializers.DateTimeField(source="started_at")
    durationSeconds = serializers.IntegerField(source="duration_seconds")
    caseState = serializers.CharField(source="attempt.case.state")


class CallerLookupSerializer(StrictSerializer):
    phoneNumber = serializers.CharField(max_length=30)


class CallerCaseSerializer(serializers.Serializer):
    reference = serializers.CharField()
    municipalityCode = serializers.CharField(source="municipality.municipality_code")
    state = serializers.CharField()
    workspaceUrl = serializers.CharField(help_text="Where an agent opens the inbound call.")


class CallerSerializer(serializers.Serializer):
    phoneNumber = serializers.CharField()
    cases = CallerCaseSerializer(many=True)


# --- webhooks ----------------------------------------------------------------------------------


class WebhookSubscriptionInSerializer(StrictSerializer):
    url = serializers.URLField(max_length=500)
    events = serializers.MultipleChoiceField(choices=WebhookEvent.values, allow_empty=False)
    isActive = serializers.BooleanField(source="is_active", required=False, default=True)

    def validate_url(self, url):
        if not url_is_allowed(url):
            raise serializers.ValidationError(_("The receiver URL must use https."))
        return url


class WebhookSubscriptionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.URLField()
    events = serializers.ListField(child=serializers.ChoiceField(choices=WebhookEvent.values))
    isActive = serializers.BooleanField(source="is_active")
    createdAt = serializers.DateTimeField(source="created_at")


class WebhookSubscriptionCreatedSerializer(WebhookSubscriptionSerializer):
    secret = serializers.CharField(help_text="Signing secret; shown only in this response.")
