"""Thin API views: selectors for every read (given request.user), services for every write."""
from django.core.exceptions import ValidationError
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response

from core.api_base import (
    FIELD_ERRORS,
    ApiMixin,
    ApiPagination,
    ErrorSerializer,
    ReadAnyWriteClinician,
    parse_pk,
)

from .. import selectors, services
from ..filters import AthleteFilter, InjuryFilter
from .serializers import AthleteInput, AthleteOutput, AthleteUpdateInput, InjuryInput, InjuryOutput

NOT_FOUND = {404: ErrorSerializer}


def _organisation_for(user, chosen):
    """The organisation a new athlete joins: the chosen one, or the caller's only one."""
    if chosen is not None:
        return chosen
    orgs = list(selectors.managed_organisations(user=user)[:2])
    if len(orgs) != 1:
        raise ValidationError({"organisation": "You are a clinician in several organisations: say which one."})
    return orgs[0]


@extend_schema_view(
    list=extend_schema(summary="List athletes", description="Athletes you can see: your own profile (athlete), "
                       "your teams' athletes (coach), your organisation's (clinician)."),
    retrieve=extend_schema(summary="An athlete", responses={200: AthleteOutput, 400: FIELD_ERRORS, **NOT_FOUND}),
)
@extend_schema(tags=["athletes"])
class AthleteViewSet(ApiMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Athletes: read by everyone who looks after them; added and changed by clinicians."""

    permission_classes = (ReadAnyWriteClinician,)
    serializer_class = AthleteOutput
    pagination_class = ApiPagination
    filterset_class = AthleteFilter
    ordering_fields = ["last_name", "first_name", "created_at", "updated_at"]

    def get_queryset(self):
        return selectors.athlete_list(user=self.request.user)

    def retrieve(self, request, pk):
        return Response(AthleteOutput(selectors.athlete_get(user=request.user, pk=parse_pk(pk, "athlete"))).data)

    @extend_schema(
        summary="Add an athlete (clinicians)", request=AthleteInput, responses={201: AthleteOutput, 400: FIELD_ERRORS},
        examples=[OpenApiExample("A sprinter", request_only=True, value={
            "first_name": "Alex", "last_name": "Runner", "sport": "Athletics", "position": "100 m",
            "dominant_leg": "right", "vmax_mps": 10.4, "vmax_source": "timing_gates", "training_days": [1, 3, 5]})],
    )
    def create(self, request):
        data = AthleteInput(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        organisation = _organisation_for(request.user, fields.pop("organisation", None))
        athlete = services.athlete_create(actor=request.user, organisation=organisation, **fields)
        return Response(AthleteOutput(athlete).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Change an athlete (clinicians)", request=AthleteUpdateInput,
                   responses={200: AthleteOutput, 400: FIELD_ERRORS, **NOT_FOUND})
    def partial_update(self, request, pk):
        athlete = selectors.athlete_get(user=request.user, pk=parse_pk(pk, "athlete"))
        data = AthleteUpdateInput(data=request.data, partial=True, context={"request": request})
        data.is_valid(raise_exception=True)
        athlete = services.athlete_update(actor=request.user, athlete=athlete, **data.validated_data)
        athlete = selectors.athlete_get(user=request.user, pk=athlete.pk)
        return Response(AthleteOutput(athlete).data)


@extend_schema_view(
    list=extend_schema(summary="List injuries"),
    retrieve=extend_schema(summary="An injury", responses={200: InjuryOutput, **NOT_FOUND}),
)
@extend_schema(tags=["injuries"])
class InjuryViewSet(ApiMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Injuries: read by the athlete's care team; recorded by clinicians."""

    permission_classes = (ReadAnyWriteClinician,)
    serializer_class = InjuryOutput
    pagination_class = ApiPagination
    filterset_class = InjuryFilter
    ordering_fields = ["date_of_injury", "created_at", "bamic_grade"]

    def get_queryset(self):
        return selectors.injury_list(user=self.request.user)

    def retrieve(self, request, pk):
        return Response(InjuryOutput(selectors.injury_get(user=request.user, pk=parse_pk(pk, "injury"))).data)

    @extend_schema(
        summary="Record an injury (clinicians)", request=InjuryInput, responses={201: InjuryOutput, 400: FIELD_ERRORS},
        examples=[OpenApiExample("Grade 2b, biceps femoris long head", request_only=True, value={
            "athlete": 12, "side": "left", "muscle": "bflh", "bamic_grade": 2, "bamic_site": "b",
            "mechanism": "sprint", "date_of_injury": "2025-03-01", "notes": "Felt it at 40 m in a flying sprint."})],
    )
    def create(self, request):
        data = InjuryInput(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        injury = services.injury_create(actor=request.user, athlete=fields.pop("athlete"), **fields)
        return Response(InjuryOutput(injury).data, status=status.HTTP_201_CREATED)
