"""An action item that names a decision comes from that decision's meeting: fill the meeting
where it was left empty, and raise every such item to at least that meeting's label (the
label floor an empty meeting let older code skip)."""

from django.db import migrations
from django.db.models import F, OuterRef, Subquery


def follow_decisions(apps, schema_editor):
    ActionItem = apps.get_model("bodies", "ActionItem")
    Decision = apps.get_model("bodies", "Decision")
    Meeting = apps.get_model("bodies", "Meeting")
    decided_at = Subquery(Decision.objects.filter(pk=OuterRef("decision_id")).values("meeting_id")[:1])
    ActionItem.objects.filter(decision__isnull=False, meeting__isnull=True).update(meeting=decided_at)
    meeting_tlp = Subquery(
        Meeting.objects.filter(decisions__pk=OuterRef("decision_id")).values("tlp")[:1]
    )
    ActionItem.objects.filter(
        decision__isnull=False, tlp__lt=F("decision__meeting__tlp")
    ).update(tlp=meeting_tlp)
    # Items that had a meeting already were raised to it by 0002.


class Migration(migrations.Migration):
    dependencies = [("bodies", "0004_constraint_messages")]

    operations = [migrations.RunPython(follow_decisions, migrations.RunPython.noop)]
