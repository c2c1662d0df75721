"""Input serializers check the shape of a request; output serializers describe what is returned.

Input serializers never save: the view hands `validated_data` to a service.
"""
from rest_framework import serializers

from core.api_base import NumberInputMixin, ScopedPrimaryKeyRelatedField, blank_choice

from .. import selectors
from ..models import Athlete, Injury, Leg

LEG = {"choices": Leg.choices, "allow_blank": True}

# --- athletes -------------------------------------------------------------------------------------------

class AthleteOutput(serializers.ModelSerializer):
    team_name = serializers.CharField(source="team.name", allow_null=True, read_only=True)
    full_name = serializers.CharField(read_only=True)
    training_days = serializers.ListField(child=serializers.IntegerField(), read_only=True)
    dominant_leg = serializers.ChoiceField(**LEG, read_only=True)
    vmax_source = blank_choice(Athlete.VmaxSource.choices)
    has_login = serializers.SerializerMethodField()

    class Meta:
        model = Athlete
        fields = [
            "id", "organisation", "team", "team_name", "first_name", "last_name", "full_name", "date_of_birth",
            "sport", "position", "dominant_leg", "vmax_mps", "vmax_source", "vmax_date", "training_days",
            "external_id", "has_login", "created_at", "updated_at",
        ]
        read_only_fields = fields

    def get_has_login(self, obj) -> bool:
        return obj.user_id is not None


class AthleteUpdateInput(NumberInputMixin, serializers.ModelSerializer):
    team = ScopedPrimaryKeyRelatedField(selector=selectors.team_list, what="team", required=False, allow_null=True)
    dominant_leg = serializers.ChoiceField(**LEG, required=False)
    training_days = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=7), max_length=7, required=False,
        help_text="ISO weekdays the athlete trains (1 = Monday ... 7 = Sunday); empty = the phase's default days.",
    )

    class Meta:
        model = Athlete
        fields = [
            "team", "first_name", "last_name", "date_of_birth", "sport", "position", "dominant_leg", "vmax_mps",
            "vmax_source", "vmax_date", "training_days", "external_id",
        ]


class AthleteInput(AthleteUpdateInput):
    organisation = ScopedPrimaryKeyRelatedField(
        selector=selectors.managed_organisations, what="organisation", required=False,
        help_text="Needed only when you are a clinician in more than one organisation.",
    )

    class Meta(AthleteUpdateInput.Meta):
        fields = ["organisation", *AthleteUpdateInput.Meta.fields]


# --- injuries -------------------------------------------------------------------------------------------

class InjuryOutput(serializers.ModelSerializer):
    athlete_name = serializers.CharField(source="athlete.full_name", read_only=True)
    grade_label = serializers.CharField(read_only=True)
    bamic_site = blank_choice(Injury.Site.choices)

    class Meta:
        model = Injury
        fields = [
            "id", "athlete", "athlete_name", "side", "muscle", "bamic_grade", "bamic_site", "grade_label", "mechanism",
            "date_of_injury", "notes", "recorded_on", "created_at",
        ]
        read_only_fields = fields


class InjuryInput(serializers.ModelSerializer):
    athlete = ScopedPrimaryKeyRelatedField(selector=selectors.athlete_list, what="athlete")

    class Meta:
        model = Injury
        fields = ["athlete", "side", "muscle", "bamic_grade", "bamic_site", "mechanism", "date_of_injury", "notes"]
