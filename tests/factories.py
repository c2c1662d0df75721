"""factory_boy factories for every model. Domain rows are built through services where it matters."""
import datetime
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

from athletes.models import Athlete, Injury, Membership, Organisation, Role, Team


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    password = factory.django.Password("pw")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Clinic {n}")
    slug = factory.Sequence(lambda n: f"clinic-{n}")
    time_zone = "Europe/London"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Role.CLINICIAN


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Team {n}")


class AthleteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Athlete

    organisation = factory.SubFactory(OrganisationFactory)
    first_name = factory.Sequence(lambda n: f"Ath{n}")
    last_name = "Lete"
    sport = "Football"
    dominant_leg = "right"
    vmax_mps = Decimal("9.50")


class InjuryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Injury

    athlete = factory.SubFactory(AthleteFactory)
    side = "left"
    muscle = "bflh"
    bamic_grade = 2
    bamic_site = "b"
    mechanism = "sprint"
    date_of_injury = factory.LazyFunction(lambda: datetime.date.today() - datetime.timedelta(days=30))
