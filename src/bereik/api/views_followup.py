"""Handovers (for the social-work organisation's own systems), report figures and the DDAS
delivery. Kept apart from ``views`` because they sit on the handover and reporting apps."""

import datetime as dt
import json
import re

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.response import Response

from bereik.accounts.models import Organisation, User
from bereik.accounts.roles import OrganisationKind
from bereik.audit.models import AuditAction
from bereik.cases.results import FOLLOW_UP_RESULTS
from bereik.handover import services as handover_services
from bereik.handover.models import Handover
from bereik.reporting import services as reporting_services
from bereik.reporting.ddas import DeliveryInvalid
from bereik.reporting.figures import compute

from .base import ApiView
from .models import Scope
from .pagination import PagePagination
from .problems import Conflict, Unprocessable
from .serializers import StrictSerializer
from .views import PAGE_PARAMETERS, paginated, problems

# --- handovers ---------------------------------------------------------------------------------


class HandoverSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    caseReference = serializers.CharField(source="case.reference")
    municipalityCode = serializers.CharField(source="municipality.municipality_code")
    socialWorkOrganisation = serializers.CharField(source="social_work.name", allow_null=True)
    status = serializers.ChoiceField(choices=Handover.Status.values)
    createdAt = serializers.DateTimeField(source="created_at")
    acceptedAt = serializers.DateTimeField(source="accepted_at", allow_null=True)
    assignedTo = serializers.CharField(source="assigned_to.username", allow_null=True)
    preferredContactTime = serializers.CharField(source="preferred_contact_time")
    summary = serializers.CharField()
    isCrisis = serializers.BooleanField(source="case.is_crisis")
    result = serializers.CharField(allow_blank=True)
    completedAt = serializers.DateTimeField(source="completed_at", allow_null=True)


class HandoverFilterSerializer(StrictSerializer):
    status = serializers.MultipleChoiceField(choices=Handover.Status.values, required=False)
    page = serializers.IntegerField(required=False, min_value=1)
    pageSize = serializers.IntegerField(required=False, min_value=1, max_value=100)


class AcceptSerializer(StrictSerializer):
    socialWorker = serializers.CharField(
        max_length=150, help_text="User name of the social worker who takes the handover."
    )


class ResultSerializer(StrictSerializer):
    socialWorker = serializers.CharField(max_length=150)
    result = serializers.ChoiceField(choices=[str(r) for r in FOLLOW_UP_RESULTS])


def _handovers(client):
    """A social-work organisation's token sees the handovers routed to it; a municipality's
    token sees all handovers of its municipality (read only)."""
    handovers = Handover.objects.filter(municipality_id__in=client.municipality_ids)
    if client.organisation.kind != OrganisationKind.MUNICIPALITY:
        handovers = handovers.filter(social_work=client.organisation)
    return handovers.select_related("case", "municipality", "social_work", "assigned_to")


def _writable_handover(client, pk: int) -> Handover:
    handover = _handovers(client).filter(pk=pk, social_work=client.organisation).first()
    if handover is None:
        raise NotFound(_("No such handover."))
    return handover


def _worker(client, username: str) -> User:
    worker = User.objects.filter(username=username, is_active=True).first()
    if worker is None:
        raise ValidationError({"socialWorker": [_("No such social worker.")]})
    return worker


class HandoverListView(ApiView):
    required_scope = Scope.HANDOVERS_READ
    audit_object_type = "handover.handover"

    @extend_schema(
        operation_id="handovers_list",
        summary="List handovers",
        parameters=[
            OpenApiParameter(
                "status", OpenApiTypes.STR, many=True, enum=Handover.Status.values, explode=True
            ),
            *PAGE_PARAMETERS,
        ],
        responses={
            200: paginated("PaginatedHandoverList", HandoverSerializer),
            **problems(400, 404),
        },
        tags=["handovers"],
    )
    def get(self, request):
        params = request.query_params
        filters = HandoverFilterSerializer(
            data={k: params.getlist(k) if k == "status" else params.get(k) for k in params}
        )
        filters.is_valid(raise_exception=True)
        handovers = _handovers(self.client).order_by("-case__is_crisis", "created_at", "pk")
        if filters.validated_data.get("status"):
            handovers = handovers.filter(status__in=filters.validated_data["status"])
        paginator = PagePagination()
        page = paginator.paginate_queryset(handovers, request, view=self)
        return paginator.get_paginated_response(HandoverSerializer(page, many=True).data)


class HandoverAcceptView(ApiView):
    required_scope = Scope.HANDOVERS_WRITE
    audit_object_type = "handover.handover"

    @extend_schema(
        operation_id="handovers_accept",
        summary="Accept a handover for a social worker",
        request=AcceptSerializer,
        responses={200: HandoverSerializer, **problems(400, 404, 409, 415)},
        tags=["handovers"],
    )
    def post(self, request, pk: int):
        handover = _writable_handover(self.client, pk)
        incoming = AcceptSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        worker = _worker(self.client, incoming.validated_data["socialWorker"])
        try:
            handover = handover_services.accept(actor=worker, handover=handover)
        except handover_services.HandoverError as refused:
            raise Conflict(refused.message) from None
        return Response(HandoverSerializer(_handovers(self.client).get(pk=handover.pk)).data)


class HandoverResultView(ApiView):
    required_scope = Scope.HANDOVERS_WRITE
    audit_object_type = "handover.handover"

    @extend_schema(
        operation_id="handovers_result",
        summary="Register the follow-up result (closes the case)",
        request=ResultSerializer,
        responses={200: HandoverSerializer, **problems(400, 404, 409, 415)},
        tags=["handovers"],
    )
    def post(self, request, pk: int):
        handover = _writable_handover(self.client, pk)
        incoming = ResultSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        worker = _worker(self.client, incoming.validated_data["socialWorker"])
        if handover.assigned_to_id != worker.pk:
            raise Conflict(_("Only the social worker the handover is assigned to can do this."))
        try:
            handover = handover_services.register_result(
                actor=worker, handover=handover, result=incoming.validated_data["result"]
            )
        except handover_services.HandoverError as refused:
            raise Conflict(refused.message) from None
        return Response(HandoverSerializer(_handovers(self.client).get(pk=handover.pk)).data)


# --- figures and DDAS --------------------------------------------------------------------------


class PeriodSerializer(StrictSerializer):
    municipalityCode = serializers.RegexField(r"^\d{4}$", required=False)
    periodStart = serializers.DateField(required=False)
    periodEnd = serializers.DateField(required=False)

    def validate(self, data):
        today = timezone.localdate()
        start = data.get("periodStart") or today.replace(day=1)
        end = data.get("periodEnd") or today
        if end < start:
            raise serializers.ValidationError({"periodEnd": [_("Lies before periodStart.")]})
        if (end - start).days > 366:
            raise serializers.ValidationError({"periodEnd": [_("At most one year.")]})
        return {**data, "periodStart": start, "periodEnd": end}


PERIOD_PARAMETERS = [
    OpenApiParameter("municipalityCode", OpenApiTypes.STR),
    OpenApiParameter("periodStart", OpenApiTypes.DATE, description="Default: this month's 1st."),
    OpenApiParameter("periodEnd", OpenApiTypes.DATE, description="Default: today."),
]

_SNAKE = re.compile(r"_([a-z0-9])")


def camel_keys(value):
    """The reporting figures with camelCase keys (ADR), values unchanged."""
    if isinstance(value, dict):
        return {
            _SNAKE.sub(lambda m: m.group(1).upper(), str(k)): camel_keys(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [camel_keys(item) for item in value]
    return value


def _period(request, client) -> tuple[list[int], dt.date, dt.date]:
    period = PeriodSerializer(data=request.query_params.dict())
    period.is_valid(raise_exception=True)
    data = period.validated_data
    ids = sorted(client.municipality_ids)
    if data.get("municipalityCode"):
        ids = list(
            Organisation.objects.filter(
                pk__in=ids, municipality_code=data["municipalityCode"]
            ).values_list("pk", flat=True)
        )
        if not ids:
            raise NotFound(_("Not one of your municipalities."))
    return ids, data["periodStart"], data["periodEnd"]


class FiguresView(ApiView):
    required_scope = Scope.FIGURES_READ
    audit_object_type = "reporting.figures"

    @extend_schema(
        operation_id="figures_retrieve",
        summary="Report figures (aggregates) for a period",
        description="The figures of the results dashboard (docs/reporting.md), camelCase keys.",
        parameters=PERIOD_PARAMETERS,
        responses={200: OpenApiTypes.OBJECT, **problems(400, 404)},
        tags=["figures"],
    )
    def get(self, request):
        ids, start, end = _period(request, self.client)
        return Response(
            camel_keys(compute(municipality_ids=ids, period_start=start, period_end=end))
        )


class DdasDeliveryView(ApiView):
    required_scope = Scope.DDAS_READ
    audit_object_type = "reporting.ddas_delivery"
    audit_action = AuditAction.EXPORT

    @extend_schema(
        operation_id="ddas_deliveries_retrieve",
        summary="The DDAS delivery of one municipality (national monitor)",
        description=(
            "The validated DDAS exchange document (JSON, with BSNs). Only for a municipality's "
            "own token; audited as an export."
        ),
        parameters=PERIOD_PARAMETERS,
        responses={200: OpenApiTypes.OBJECT, **problems(400, 404, 422)},
        tags=["ddas-deliveries"],
    )
    def get(self, request):
        if self.client.organisation.kind != OrganisationKind.MUNICIPALITY:
            raise PermissionDenied(_("Only a municipality's own token may export its DDAS data."))
        ids, start, end = _period(request, self.client)
        municipality = Organisation.objects.get(pk=ids[0])
        try:
            content = reporting_services.export_ddas(
                municipality=municipality, date_from=start, date_to=end
            )
        except DeliveryInvalid as invalid:
            raise Unprocessable(
                _("The delivery violates the DDAS schema: %(errors)s") % {"errors": invalid}
            ) from None
        return Response(json.loads(content))
