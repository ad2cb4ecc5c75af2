"""The bodies module's workflow: how an action item moves from open to done."""

from django.utils.translation import gettext_lazy as _

from bridgework.activity.workflows import Transition, Workflow

from .choices import ActionStatus


def step_audience(item):
    # Imported when a step is taken: bodies.notifications reads the notifications module.
    from .notifications import step_audience as audience

    return audience(item)


__all__ = ["ACTION_ITEM", "WORKFLOWS"]

# Those who do the work: the partners who owe actions and the coordinators of the place.
DOERS = ("partner", "local_coordinator", "national_coordinator", "network_admin")
# Those who decide that an action is no longer wanted, or wanted again.
COORDINATORS = ("local_coordinator", "national_coordinator", "network_admin")

OPEN, IN_PROGRESS, DONE, CANCELLED = (
    ActionStatus.OPEN,
    ActionStatus.IN_PROGRESS,
    ActionStatus.DONE,
    ActionStatus.CANCELLED,
)

ACTION_ITEM = Workflow(
    model="bodies.actionitem",
    label=_("Action items"),
    description=_(
        "What a body asked an organisation or a person to do, at any level, until it is done "
        "or no longer needed."
    ),
    states=tuple(ActionStatus.choices),
    initial=OPEN,
    notify_kind="bodies.action_moved",
    audience=step_audience,
    transitions=(
        Transition("start", _("Start work"), (OPEN,), IN_PROGRESS, DOERS),
        Transition("complete", _("Mark done"), (OPEN, IN_PROGRESS), DONE, DOERS),
        Transition(
            "cancel", _("Cancel"), (OPEN, IN_PROGRESS), CANCELLED, COORDINATORS, needs_note=True
        ),
        Transition("reopen", _("Reopen"), (DONE, CANCELLED), OPEN, COORDINATORS, needs_note=True),
    ),
)

WORKFLOWS = [ACTION_ITEM]
