"""Create an organisation (if needed) and its first clinician. Asks for the password unless --password is given."""
import getpass

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.text import slugify

from athletes import services
from athletes.models import Organisation, Role


class Command(BaseCommand):
    help = "Create the first clinician of an organisation (and the organisation if it does not exist)."

    def add_arguments(self, parser):
        parser.add_argument("--organisation", required=True, help="Organisation name")
        parser.add_argument("--username", required=True)
        parser.add_argument("--email", default="")
        parser.add_argument("--password", default=None, help="Omit to be asked for it")
        parser.add_argument("--time-zone", default="Europe/London")

    def handle(self, *args, organisation, username, email, password, time_zone, **options):
        if get_user_model().objects.filter(username=username).exists():
            raise CommandError(f"The username {username!r} is taken.")
        if password is None:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Again: "):
                raise CommandError("The passwords differ.")
        if len(password) < 8:
            raise CommandError("Use a password of at least 8 characters.")
        with transaction.atomic():
            org = Organisation.objects.filter(name=organisation).first() or services.organisation_create(
                actor=None, name=organisation, slug=slugify(organisation)[:80] or "clinic", time_zone=time_zone)
            services.user_create(actor=None, organisation=org, role=Role.CLINICIAN, username=username,
                                 password=password, email=email)
        self.stdout.write(self.style.SUCCESS(f"Clinician {username} created in {org.name}. Log in at /accounts/login/."))
