"""The clinician's page for their personal API token: create (or rotate) and revoke."""
from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from .tokens import api_token_create, api_token_get, api_token_revoke
from .views import role_required


@never_cache
@role_required("clinician")
def api_token(request):
    """GET shows whether a token exists. POST action=create shows the new key once; action=revoke removes it."""
    new_key = None
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "create":
            new_key = api_token_create(actor=request.user)[1]
        elif action == "revoke":
            if api_token_revoke(actor=request.user):
                messages.success(request, "Token revoked: integrations using it stop working now.")
            else:
                messages.info(request, "There was no token to revoke.")
            return redirect("api_token")
        else:
            messages.error(request, "Choose to create or to revoke the token.")
            return redirect("api_token")
    return render(request, "core/api_token.html", {"token": api_token_get(user=request.user), "new_key": new_key})
