"""The account page: who you are, your password, your API token, and "log out everywhere"."""
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from .access import access_for
from .middleware import idle_timeout_for
from .security import logout_everywhere as end_every_session
from .tokens import api_token_get


@login_required
def account(request):
    access = access_for(request.user)
    return render(request, "core/account.html", {
        "token": api_token_get(user=request.user) if access.is_clinician else None,
        "is_clinician": access.is_clinician,
        "idle_timeout_hours": (idle_timeout_for(request.user).total_seconds() / 3600
                               if idle_timeout_for(request.user) else None),
    })


@login_required
@require_POST
def logout_everywhere(request):
    """End every session of the user, this one included, and revoke their API tokens."""
    ended = end_every_session(actor=request.user)
    logout(request)
    tokens = ended["tokens"]
    messages.success(request, "You are logged out on every device" +
                     (f", and your API token{'s' if tokens > 1 else ''} no longer work{'' if tokens > 1 else 's'}."
                      if tokens else ".") + " Log in again here.")
    return redirect("login")
