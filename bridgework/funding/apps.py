from django.utils.translation import gettext_lazy as _

from bridgework.core import modules
from bridgework.core.modules import NavEntry


class FundingConfig(modules.ModuleConfig):
    name = "bridgework.funding"
    label = "funding"
    verbose_name = _("Funding")
    url_prefix = "funding/"
    navigation = (
        NavEntry(
            _("Funding"),
            "funding:fund_list",
            order=60,
            current_when=(
                "funding:fund_*",
                "funding:call_*",
                "funding:application_*",
                "funding:grant_*",
                "funding:tranche_*",
                "funding:report_*",
            ),
            needs=("view", "funding.fund"),
        ),
        NavEntry(
            _("My reviews"),
            "funding:queue",
            order=61,
            current_when=("funding:queue", "funding:review_*", "funding:workload"),
            needs=("view", "funding.review"),
        ),
        NavEntry(
            _("My applications"),
            "funding:mine",
            order=62,
            needs=("change", "funding.application"),
            within="funding:fund_list",
        ),
        NavEntry(
            _("Pipeline"),
            "funding:pipeline",
            order=63,
            needs=("change", "funding.grant"),
            within="funding:fund_list",
        ),
        NavEntry(
            _("Where the money goes"),
            "funding:money",
            order=64,
            needs=("view", "funding.grant"),
            within="funding:fund_list",
        ),
    )
