from django.db.models.signals import post_delete, pre_delete
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
        pre_delete.connect(
            _note_theme_holders, sender="actors.Theme", dispatch_uid="actors-reach-theme-holders"
        )
        post_delete.connect(
            _refresh_theme_holders, sender="actors.Theme", dispatch_uid="actors-reach-theme-gone"
        )


def _follow_subtree_move(sender, *, old_prefix: str, new_prefix: str, **kwargs) -> None:
    """A moved place takes its organisations' areas of work and 3W roll-up rows with it."""
    from .reach import follow_subtree_move

    follow_subtree_move(old_prefix, new_prefix)


def _note_theme_holders(sender, instance, **kwargs) -> None:
    """Before a theme goes: which organisations hold it (their links go with it by cascade,
    which sends no ``m2m_changed``)."""
    holders = instance.organisations.values_list("pk", flat=True)
    instance._reach_holders = list(holders)


def _refresh_theme_holders(sender, instance, **kwargs) -> None:
    """Once it has gone: its roll-up rows went by cascade; an organisation for which it was
    the last theme now needs its row without a theme."""
    from .reach import refresh_reach

    refresh_reach(getattr(instance, "_reach_holders", ()))
