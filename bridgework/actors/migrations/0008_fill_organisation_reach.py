"""Fill the stored 3W roll-up for the organisations already there."""

from django.db import migrations


def fill(apps, schema_editor):
    from bridgework.actors.reach import ReachModels, rebuild_reach

    rebuild_reach(
        ReachModels(
            organisation=apps.get_model("actors", "Organisation"),
            area=apps.get_model("actors", "OrganisationArea"),
            place=apps.get_model("places", "Place"),
            reach=apps.get_model("actors", "OrganisationReach"),
        )
    )


def empty(apps, schema_editor):
    apps.get_model("actors", "OrganisationReach").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("actors", "0007_organisation_reach")]

    operations = [migrations.RunPython(fill, empty)]
