"""Load the regional screening tool, the Sandwell variant (with its "Action taken"
table) and the NWG risk assessment, version 1 of each, from screening/tools/."""

from django.db import migrations

FILES = ["regional-v1.json", "sandwell-v1.json", "nwg-v1.json"]


def load(apps, schema_editor):
    from screening import tooldefs

    model = apps.get_model("screening", "ToolDefinition")
    for name in FILES:
        tooldefs.load(model, tooldefs.read(name))


def unload(apps, schema_editor):
    model = apps.get_model("screening", "ToolDefinition")
    model.objects.filter(version=1, key__in=["regional", "sandwell", "nwg"]).delete()


class Migration(migrations.Migration):
    dependencies = [("screening", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
