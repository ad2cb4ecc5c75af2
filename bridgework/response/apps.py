from django.utils.translation import gettext_lazy as _

from bridgework.core import modules
from bridgework.core.modules import NavEntry


class ResponseConfig(modules.ModuleConfig):
    name = "bridgework.response"
    label = "response"
    verbose_name = _("Incidents, tensions and crises")
    url_prefix = "response/"
    navigation = (
        NavEntry(
            _("Incidents"),
            "response:report_list",
            order=60,
            current_when=("response:report_*", "response:intake*"),
            needs=("view", "response.report"),
        ),
        NavEntry(
            _("Tensions"),
            "response:tension_picture",
            order=61,
            current_when=("response:tension*",),
            needs=("view", "response.tensionassessment"),
            within="response:report_list",
        ),
        NavEntry(
            _("Crises"),
            "response:crisis_list",
            order=62,
            current_when=("response:crisis*",),
            needs=("view", "response.crisis"),
            within="response:report_list",
        ),
        NavEntry(
            _("Alert rules"),
            "response:alertrule_list",
            order=63,
            current_when=("response:alertrule_*",),
            needs=("view", "response.alertrule"),
            within="response:report_list",
        ),
    )

    def ready(self) -> None:
        from bridgework.access.second_factor import guard_with_second_factor
        from bridgework.actors.actions import register_erasure
        from bridgework.actors.selectors import register_personal_data

        from .audit import register_report_masks
        from .erasure import scrub_reports_naming
        from .otp import RESPONSE_MODELS, must_verify
        from .selectors import reports_of

        guard_with_second_factor(RESPONSE_MODELS, must_verify)
        register_personal_data("incident_reports", reports_of)
        register_erasure("incident_reports", scrub_reports_naming)
        register_report_masks()
