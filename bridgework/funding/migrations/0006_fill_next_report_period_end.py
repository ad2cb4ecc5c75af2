"""Store on every existing grant the last day of its earliest report period with no report
filed (a returned report does not count; null when every period has one), as the funding
actions keep it from now on."""

from collections import defaultdict

from django.db import migrations

from bridgework.funding.budgets import first_unreported_period_end, report_periods

CHUNK = 500


def fill(apps, schema_editor):
    Grant = apps.get_model("funding", "Grant")
    Report = apps.get_model("funding", "Report")
    ids = list(Grant.objects.order_by("pk").values_list("pk", flat=True))
    for offset in range(0, len(ids), CHUNK):
        chunk = ids[offset : offset + CHUNK]
        reported = defaultdict(set)
        for grant_id, end in (
            Report.objects.filter(grant_id__in=chunk)
            .exclude(status="returned")
            .values_list("grant_id", "period_end")
        ):
            reported[grant_id].add(end)
        by_value = defaultdict(list)
        for pk, starts_on, years, every in Grant.objects.filter(pk__in=chunk).values_list(
            "pk", "starts_on", "years", "report_every_months"
        ):
            periods = report_periods(starts_on, years, every)
            by_value[first_unreported_period_end(periods, reported[pk])].append(pk)
        for value, pks in by_value.items():
            if value is not None:  # null already
                Grant.objects.filter(pk__in=pks).update(next_report_period_end=value)


class Migration(migrations.Migration):
    dependencies = [("funding", "0005_grant_next_report_period_end")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
