from django.utils.translation import gettext_lazy as _

from bridgework.core import modules
from bridgework.core.modules import NavEntry


class PlansConfig(modules.ModuleConfig):
    name = "bridgework.plans"
    label = "plans"
    verbose_name = _("Strategies and plans")
    url_prefix = "plans/"
    navigation = (
        NavEntry(
            _("Plans"),
            "plans:alignment",
            order=50,
            current_when=(
                "plans:alignment",
                "plans:strategy_*",
                "plans:pillar_*",
                "plans:objective_*",
                "plans:indicator*",
                "plans:localplan_*",
                "plans:planpriority_*",
                "plans:planaction_*",
            ),
            needs=("view", "plans.localplan"),
        ),
        NavEntry(
            _("Needs"),
            "plans:localneed_list",
            order=55,
            current_when=("plans:localneed_*", "plans:needsupport_*", "plans:needreferral_*"),
            needs=("view", "plans.localneed"),
            within="plans:alignment",
        ),
        NavEntry(
            _("Places × objectives"),
            "plans:matrix",
            order=56,
            needs=("view", "plans.localplan"),
            within="plans:alignment",
        ),
        NavEntry(
            _("Report indicator values"),
            "plans:report",
            order=57,
            needs=("add", "plans.indicatorvalue"),
            within="plans:alignment",
        ),
        NavEntry(
            _("Approvals"),
            "plans:approvals",
            order=58,
            current_when=("plans:approval*",),
            needs=("view", "plans.approval"),
            within="plans:alignment",
        ),
    )
