"""/fhir/: FHIR R4 read-only (see docs/fhir.md). Names in the "fhir" namespace; every one has a row in
tests/fhir/test_fhir_permission_matrix.py."""
from django.urls import path

from . import views

app_name = "fhir"
urlpatterns = [
    path("metadata", views.Metadata.as_view(), name="metadata"),
    path("CodeSystem/<str:pk>", views.CodeSystemRead.as_view(), name="codesystem"),
    path("Questionnaire/<str:pk>", views.QuestionnaireRead.as_view(), name="questionnaire"),
    path("Patient", views.PatientSearch.as_view(), name="patient-search"),
    path("Patient/<str:pk>", views.PatientRead.as_view(), name="patient"),
    path("Patient/<str:pk>/$everything", views.PatientEverything.as_view(), name="patient-everything"),
    path("Practitioner/<str:pk>", views.PractitionerRead.as_view(), name="practitioner"),
    path("Condition", views.ConditionSearch.as_view(), name="condition-search"),
    path("Condition/<str:pk>", views.ConditionRead.as_view(), name="condition"),
    path("Observation", views.ObservationSearch.as_view(), name="observation-search"),
    path("Observation/<str:pk>", views.ObservationRead.as_view(), name="observation"),
    path("QuestionnaireResponse", views.QuestionnaireResponseSearch.as_view(), name="questionnaireresponse-search"),
    path("QuestionnaireResponse/<str:pk>", views.QuestionnaireResponseRead.as_view(), name="questionnaireresponse"),
    path("PlanDefinition", views.PlanDefinitionSearch.as_view(), name="plandefinition-search"),
    path("PlanDefinition/<str:pk>", views.PlanDefinitionRead.as_view(), name="plandefinition"),
    path("CarePlan", views.CarePlanSearch.as_view(), name="careplan-search"),
    path("CarePlan/<str:pk>", views.CarePlanRead.as_view(), name="careplan"),
    path("Goal", views.GoalSearch.as_view(), name="goal-search"),
    path("Goal/<str:pk>", views.GoalRead.as_view(), name="goal"),
]
