from django.utils.translation import gettext_lazy as _

from bridgework.core import modules
from bridgework.core.modules import NavEntry


class ActorsConfig(modules.ModuleConfig):
    name = "bridgework.actors"
    label = "actors"
    verbose_name = _("Who does what where")
    navigation = (
        NavEntry(_("Who does what where"), "actors:three_w", order=20),
        NavEntry(
            _("Organisations"),
            "actors:organisation_list",
            order=30,
            current_when=("actors:organisation_*", "actors:import_*", "actors:popolo"),
        ),
        NavEntry(
            _("People"),
            "actors:person_list",
            order=40,
            current_when=("actors:person_*", "actors:post_*"),
            needs=("view", "actors.person"),
            within="actors:organisation_list",
        ),
    )

    def ready(self) -> None:
        from bridgework.places.actions import subtree_moved

        from .audit import register_personal_masks

        register_personal_masks()
        subtree_moved.connect(_follow_subtree_move, dispatch_uid="actors-reach-subtree-moved")


def _follow_subtree_move(sender, *, old_prefix: str, new_prefix: str, **kwargs) -> None:
    """A moved place takes its organisations' areas of work and 3W roll-up rows with it."""
    from .reach import follow_subtree_move

    follow_subtree_move(old_prefix, new_prefix)
