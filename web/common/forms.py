"""Forms of the pages every role has: the password reset request (throttled per account and per address), a note."""
from django import forms
from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.core.cache import cache

from core.net import client_ip

HOUR = 60 * 60


def _spend(key: str, limit: int) -> bool:
    """Count one use of `key` in the current hour; False when `limit` uses were already counted."""
    cache.add(key, 0, HOUR)
    try:
        used = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, HOUR)
        used = 1
    return used <= limit


class ThrottledPasswordResetForm(PasswordResetForm):
    """Django's reset form, sending at most PASSWORD_RESET_PER_ACCOUNT_PER_HOUR emails to one account and
    handling at most PASSWORD_RESET_PER_ADDRESS_PER_HOUR requests from one client address in an hour.

    Over either limit the email is simply not sent: the page says the same ("if an account uses that address,
    a link is on its way") whether an account exists, an email went out, or a limit was reached.
    """

    def save(self, *args, request=None, **kwargs):
        self._request = request
        if request is not None and not _spend(f"pwreset:addr:{client_ip(request)}",
                                              settings.PASSWORD_RESET_PER_ADDRESS_PER_HOUR):
            import logging

            logging.getLogger("rehab.security").warning("password reset throttled for address %s", client_ip(request))
            return None
        return super().save(*args, request=request, **kwargs)

    def get_users(self, email):
        for user in super().get_users(email):
            if _spend(f"pwreset:user:{user.pk}", settings.PASSWORD_RESET_PER_ACCOUNT_PER_HOUR):
                yield user
            else:
                import logging

                logging.getLogger("rehab.security").warning("password reset throttled for user %s", user.pk)


class NoteForm(forms.Form):
    body = forms.CharField(label="Your note", max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
