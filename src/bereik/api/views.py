"""The API's resources (``/api/v1/...``). Each view parses input, calls one service or selector
and shapes the answer; scoping to the token's municipalities happens in the selectors."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from bereik.accounts.models import Organisation
from bereik.outreach.selectors import UnparsableNumber, normalise_number

from . import selectors, services
from . import serializers as s
from .base import ApiView
from .models import Scope, WebhookSubscription
from .pagination import MAX_PAGE_SIZE, PagePagination
from .problems import PROBLEM_CONTENT_TYPE, Conflict, Unprocessable

PROBLEM = inline_serializer(
    "Problem",
    {
        "type": serializers.CharField(),
        "code": serializers.CharField(),
        "title": serializers.CharField(),
        "status": serializers.IntegerField(),
        "detail": serializers.CharField(),
        "instance": serializers.CharField(),
        "invalidParams": inline_serializer(
            "InvalidParam",
            {
                "name": serializers.CharField(),
                "code": serializers.CharField(),
                "reason": serializers.CharField(),
            },
            many=True,
            required=False,
        ),
    },
)


PAGE_PARAMETERS = [
    OpenApiParameter("page", OpenApiTypes.INT, description="Page number, from 1."),
    OpenApiParameter(
        "pageSize", OpenApiTypes.INT, description=f"Items per page (at most {MAX_PAGE_SIZE})."
    ),
]


class PageLinksSerializer(serializers.Serializer):
    self = serializers.URLField()
    first = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    next = serializers.URLField(allow_null=True)
    last = serializers.URLField(allow_null=True)


def paginated(name: str, item) -> object:
    """The schema of a page of ``item`` (see ``pagination.PagePagination``)."""
    return inline_serializer(
        name,
        {
            "count": serializers.IntegerField(),
            "page": serializers.IntegerField(),
            "pageSize": serializers.IntegerField(),
            "links": PageLinksSerializer(),
            "results": item(many=True),
        },
    )


def problems(*codes: int) -> dict:
    return {
        (code, PROBLEM_CONTENT_TYPE): OpenApiResponse(PROBLEM, description="A problem.")
        for code in (401, 403, 429, *codes)
    }


def _camel_errors(errors: dict, mapping: dict) -> dict:
    return {mapping.get(name, name): messages for name, messages in errors.items()}


def _municipality(client, code: str | None) -> Organisation:
    """The municipality a write is for: the given code, or the token's only municipality."""
    ids = client.municipality_ids
    if code:
        municipality = Organisation.objects.filter(municipality_code=code, pk__in=ids).first()
        if municipality is None:
            raise ValidationError({"municipalityCode": [_("Not one of your municipalities.")]})
        return municipality
    if len(ids) != 1:
        raise ValidationError(
            {"municipalityCode": [_("Your token reaches several municipalities: give one.")]}
        )
    return Organisation.objects.get(pk=next(iter(ids)))


class SignalBatchView(ApiView):
    required_scope = Scope.SIGNALS_WRITE
    audit_object_type = "cases.signal"

    @extend_schema(
        operation_id="signals_create",
        summary="Deliver a batch of signals",
        description=(
            "The same validation, matching and routing as a file import. Idempotent by "
            f"`signalId` per `source`. At most {s.MAX_BATCH} signals per request. Answers with "
            "a result per signal (`created`, `duplicate` or `rejected` with its errors)."
        ),
        request=inline_serializer(
            "SignalBatch",
            {
                "municipalityCode": serializers.RegexField(r"^\d{4}$", required=False),
                "source": serializers.RegexField(r"^[A-Za-z0-9 ._-]{1,100}$", required=False),
                "allOrNothing": serializers.BooleanField(required=False),
                "signals": s.SignalInSerializer(many=True),
            },
        ),
        responses={200: s.SignalBatchResultSerializer, **problems(400, 413, 415)},
        tags=["signals"],
    )
    def post(self, request):
        batch = s.SignalBatchSerializer(data=request.data)
        batch.is_valid(raise_exception=True)
        data = batch.validated_data
        municipality = _municipality(self.client, data.get("municipalityCode"))
        result = services.deliver_signals(
            token=self.client.token,
            municipality=municipality,
            source=data["source"].strip(),
            items=data["signals"],
            all_or_nothing=data["allOrNothing"],
        )
        self.audit_detail = {
            "received": len(result.items),
            "created": result.count("created"),
            "rejected": result.count("rejected"),
        }
        return Response(s.SignalBatchResultSerializer(result).data)


class CaseListView(ApiView):
    required_scope = Scope.CASES_READ
    audit_object_type = "cases.case"

    @extend_schema(
        operation_id="cases_list",
        summary="List cases",
        parameters=[
            OpenApiParameter(
                "state", OpenApiTypes.STR, many=True, enum=s.CaseState.values, explode=True
            ),
            OpenApiParameter("matchingPeriod", OpenApiTypes.STR, description="`YYYY-MM`."),
            OpenApiParameter("updatedSince", OpenApiTypes.DATETIME),
            OpenApiParameter("municipalityCode", OpenApiTypes.STR),
            *PAGE_PARAMETERS,
        ],
        responses={200: paginated("PaginatedCaseList", s.CaseSerializer), **problems(400, 404)},
        tags=["cases"],
    )
    def get(self, request):
        params = request.query_params
        filters = s.CaseFilterSerializer(
            data={key: params.getlist(key) if key == "state" else params.get(key) for key in params}
        )
        filters.is_valid(raise_exception=True)
        cases = selectors.cases_for(self.client, **filters.validated_data)
        paginator = PagePagination()
        page = paginator.paginate_queryset(cases, request, view=self)
        return paginator.get_paginated_response(s.CaseSerializer(page, many=True).data)


class CaseDetailView(ApiView):
    required_scope = Scope.CASES_READ
    audit_object_type = "cases.case"

    @extend_schema(
        operation_id="cases_retrieve",
        summary="One case",
        responses={200: s.CaseSerializer, **problems(404)},
        tags=["cases"],
    )
    def get(self, request, reference: str):
        case = selectors.case_for(self.client, reference)
        self.audit_detail = {"case": case.pk}
        return Response(s.CaseSerializer(case).data)


class ContactAttemptView(ApiView):
    required_scope = Scope.ATTEMPTS_WRITE
    audit_object_type = "outreach.contactattempt"

    @extend_schema(
        operation_id="contact_attempts_create",
        summary="Register a finished call (telephony)",
        description=(
            "Matched to the case with this phone number in a call queue of the token's "
            "municipalities (give `caseReference` when several match) and registered as the "
            "agent workspace would. A repeated `callId` returns the first registration (200)."
        ),
        request=s.ContactAttemptInSerializer,
        responses={
            201: s.ContactAttemptSerializer,
            200: s.ContactAttemptSerializer,
            **problems(400, 409, 415, 422),
        },
        tags=["contact-attempts"],
    )
    def post(self, request):
        incoming = s.ContactAttemptInSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        d = incoming.validated_data
        report = services.CallReport(
            call_id=d["callId"],
            phone_number=d["phoneNumber"],
            started_at=d["startedAt"],
            duration_seconds=d["durationSeconds"],
            result_code=d["resultCode"],
            direction=d["direction"],
            case_reference=d.get("caseReference", ""),
            help_requested=d.get("helpRequested"),
            no_help_reason=d.get("noHelpReason", ""),
            preferred_contact_time=d.get("preferredContactTime", ""),
            summary=d.get("summary", ""),
            callback_at=d.get("callbackAt"),
        )
        try:
            call, created = services.register_call(
                token=self.client.token,
                municipality_ids=self.client.municipality_ids,
                report=report,
            )
        except DjangoValidationError as invalid:
            raise ValidationError(
                _camel_errors(
                    invalid.message_dict,
                    {
                        "phone_number": "phoneNumber",
                        "result_code": "resultCode",
                        "help_requested": "helpRequested",
                        "no_help_reason": "noHelpReason",
                        "callback_at": "callbackAt",
                        "objection": "resultCode",
                    },
                )
            ) from None
        except services.CallNotMatched as unmatched:
            raise (Conflict if unmatched.conflict else Unprocessable)(unmatched.message) from None
        self.audit_detail = {"attempt": call.attempt_id, "created": created}
        return Response(
            s.ContactAttemptSerializer(call).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class CallerView(ApiView):
    required_scope = Scope.CALLERS_READ
    audit_object_type = "cases.case"

    @extend_schema(
        operation_id="callers_retrieve",
        summary="Look up an inbound caller",
        description="Open cases, in the token's municipalities, of residents with this number.",
        parameters=[OpenApiParameter("phoneNumber", OpenApiTypes.STR, required=True)],
        responses={200: s.CallerSerializer, **problems(400)},
        tags=["callers"],
    )
    def get(self, request):
        lookup = s.CallerLookupSerializer(data=request.query_params.dict())
        lookup.is_valid(raise_exception=True)
        try:
            e164 = normalise_number(lookup.validated_data["phoneNumber"])
        except UnparsableNumber:
            raise ValidationError(
                {"phoneNumber": [_("This is not a valid phone number.")]}
            ) from None
        cases = selectors.callers_cases(self.client, e164)
        for case in cases:
            case.workspaceUrl = request.build_absolute_uri(
                reverse("outreach:inbound_start", args=[case.pk])
            )
        self.audit_detail = {"cases": [case.pk for case in cases]}
        return Response(s.CallerSerializer({"phoneNumber": e164, "cases": cases}).data)


class WebhookSubscriptionListView(ApiView):
    required_scope = Scope.WEBHOOKS_WRITE
    audit_object_type = "api.webhooksubscription"

    @extend_schema(
        operation_id="webhook_subscriptions_list",
        summary="List webhook subscriptions",
        parameters=PAGE_PARAMETERS,
        responses={
            200: paginated("PaginatedWebhookSubscriptionList", s.WebhookSubscriptionSerializer),
            **problems(404),
        },
        tags=["webhook-subscriptions"],
    )
    def get(self, request):
        paginator = PagePagination()
        page = paginator.paginate_queryset(
            selectors.subscriptions_for(self.client), request, view=self
        )
        return paginator.get_paginated_response(
            s.WebhookSubscriptionSerializer(page, many=True).data
        )

    @extend_schema(
        operation_id="webhook_subscriptions_create",
        summary="Subscribe to events",
        request=s.WebhookSubscriptionInSerializer,
        responses={201: s.WebhookSubscriptionCreatedSerializer, **problems(400, 415)},
        tags=["webhook-subscriptions"],
    )
    def post(self, request):
        incoming = s.WebhookSubscriptionInSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        subscription, secret = services.create_subscription(
            token=self.client.token,
            url=incoming.validated_data["url"],
            events=list(incoming.validated_data["events"]),
        )
        subscription.secret = secret
        return Response(
            s.WebhookSubscriptionCreatedSerializer(subscription).data,
            status=status.HTTP_201_CREATED,
        )


class WebhookSubscriptionDetailView(ApiView):
    required_scope = Scope.WEBHOOKS_WRITE
    audit_object_type = "api.webhooksubscription"

    def _get(self, pk: int) -> WebhookSubscription:
        subscription = selectors.subscriptions_for(self.client).filter(pk=pk).first()
        if subscription is None:
            raise NotFound(_("No such webhook subscription."))
        return subscription

    @extend_schema(
        operation_id="webhook_subscriptions_retrieve",
        summary="One webhook subscription",
        responses={200: s.WebhookSubscriptionSerializer, **problems(404)},
        tags=["webhook-subscriptions"],
    )
    def get(self, request, pk: int):
        return Response(s.WebhookSubscriptionSerializer(self._get(pk)).data)

    @extend_schema(
        operation_id="webhook_subscriptions_partial_update",
        summary="Change a webhook subscription",
        request=s.WebhookSubscriptionInSerializer(partial=True),
        responses={200: s.WebhookSubscriptionSerializer, **problems(400, 404, 415)},
        tags=["webhook-subscriptions"],
    )
    def patch(self, request, pk: int):
        subscription = self._get(pk)
        incoming = s.WebhookSubscriptionInSerializer(data=request.data, partial=True)
        incoming.is_valid(raise_exception=True)
        changes = dict(incoming.validated_data)
        if "events" in changes:
            changes["events"] = list(changes["events"])
        subscription = services.update_subscription(
            token=self.client.token, subscription=subscription, changes=changes
        )
        return Response(s.WebhookSubscriptionSerializer(subscription).data)

    @extend_schema(
        operation_id="webhook_subscriptions_destroy",
        summary="End a webhook subscription",
        responses={204: None, **problems(404)},
        tags=["webhook-subscriptions"],
    )
    def delete(self, request, pk: int):
        services.delete_subscription(token=self.client.token, subscription=self._get(pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class NotFoundView(ApiView):
    """Any other path under /api/: a 404 problem, for every method."""

    authentication_classes = []
    permission_classes = []
    throttle_classes = []

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        raise NotFound(_("There is no API resource at this path."))

    def get(self, request, *args, **kwargs):  # pragma: no cover (initial raises)
        raise NotFound

    post = put = patch = delete = head = options = get
