from rest_framework.routers import SimpleRouter

from .views import AssessmentViewSet, SessionLogViewSet, SymptomReportViewSet

router = SimpleRouter()
router.register("session-logs", SessionLogViewSet, basename="session-log")
router.register("symptom-reports", SymptomReportViewSet, basename="symptom-report")
router.register("assessments", AssessmentViewSet, basename="assessment")

urlpatterns = router.urls
