"""The plan's conversation, shared by the athlete, their coach and their clinicians."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render

from core.exceptions import NotFound
from core.views import run_service

from . import selectors, services
from .forms import NoteForm


@login_required
def plan_notes(request, pk):
    try:
        plan = selectors.plan_get(user=request.user, pk=pk)
    except NotFound:
        raise Http404("No such plan.") from None
    form = NoteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        note = run_service(form, services.plan_note_create, actor=request.user, plan=plan, body=form.cleaned_data["body"])
        if note is not None:
            messages.success(request, "Note added.")
            return redirect("plan_notes", pk=plan.pk)
    notes = plan.notes.select_related("author")
    return render(request, "progression/notes.html", {"plan": plan, "notes": notes, "form": form})
