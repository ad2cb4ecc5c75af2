"""Raise every meeting to at least its body's label, and every action item to at least the
label of the body that raised it and of its meeting (decisions, attendance and updates carry
no label of their own: they follow their parent's)."""

from django.db import migrations
from django.db.models import F, OuterRef, Subquery


def raise_labels(apps, schema_editor):
    Body = apps.get_model("bodies", "Body")
    Meeting = apps.get_model("bodies", "Meeting")
    ActionItem = apps.get_model("bodies", "ActionItem")
    body_tlp = Subquery(Body.objects.filter(pk=OuterRef("body_id")).values("tlp")[:1])
    Meeting.objects.filter(tlp__lt=F("body__tlp")).update(tlp=body_tlp)
    raised_tlp = Subquery(Body.objects.filter(pk=OuterRef("raised_by_id")).values("tlp")[:1])
    ActionItem.objects.filter(tlp__lt=F("raised_by__tlp")).update(tlp=raised_tlp)
    meeting_tlp = Subquery(Meeting.objects.filter(pk=OuterRef("meeting_id")).values("tlp")[:1])
    ActionItem.objects.filter(meeting__isnull=False, tlp__lt=F("meeting__tlp")).update(
        tlp=meeting_tlp
    )


class Migration(migrations.Migration):
    dependencies = [("bodies", "0001_initial")]

    operations = [migrations.RunPython(raise_labels, migrations.RunPython.noop)]
