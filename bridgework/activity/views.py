"""Help pages of the workflows: each one's states and steps, as declared."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from bridgework.access.models import Role

from .workflows import workflows

__all__ = ["workflow_detail", "workflow_list"]


@login_required
@require_GET
def workflow_list(request):
    return render(
        request,
        "activity/workflow_list.html",
        {"workflows": sorted(workflows().values(), key=lambda w: str(w.label))},
    )


@login_required
@require_GET
def workflow_detail(request, name: str):
    workflow = workflows().get(name)
    if workflow is None:
        raise Http404
    roles = {role.slug: role.display_name for role in Role.objects.all()}
    steps = [
        {
            "transition": transition,
            "sources": [workflow.state_label(s) for s in transition.sources],
            "target": workflow.state_label(transition.target),
            "roles": [roles.get(slug, slug) for slug in transition.roles],
        }
        for transition in workflow.transitions
    ]
    return render(
        request,
        "activity/workflow_detail.html",
        {
            "workflow": workflow,
            "model_name": workflow.model_class._meta.verbose_name_plural,
            "states": [
                (value, label, value == workflow.initial) for value, label in workflow.states
            ],
            "steps": steps,
        },
    )
