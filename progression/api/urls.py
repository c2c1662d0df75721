from django.urls import path
from rest_framework.routers import SimpleRouter

from .evidence import AssessmentViewSet, SessionLogViewSet, SymptomReportViewSet
from .views import DecisionViewSet, MeProgressView, MeView, MeWeekView, PlanViewSet, ProtocolViewSet

router = SimpleRouter()
router.register("session-logs", SessionLogViewSet, basename="session-log")
router.register("symptom-reports", SymptomReportViewSet, basename="symptom-report")
router.register("assessments", AssessmentViewSet, basename="assessment")
router.register("plans", PlanViewSet, basename="plan")
router.register("decisions", DecisionViewSet, basename="decision")
router.register("protocols", ProtocolViewSet, basename="protocol")

urlpatterns = [
    *router.urls,
    path("me/", MeView.as_view(), name="me"),
    path("me/week/", MeWeekView.as_view(), name="me-week"),
    path("me/progress/", MeProgressView.as_view(), name="me-progress"),
]
