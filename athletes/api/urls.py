from rest_framework.routers import SimpleRouter

from .views import AthleteViewSet, InjuryViewSet

router = SimpleRouter()
router.register("athletes", AthleteViewSet, basename="athlete")
router.register("injuries", InjuryViewSet, basename="injury")

urlpatterns = router.urls
