"""Two derived columns kept for speed at regional scale, filled from existing rows:
SubjectAccess.kind (a record's kind never changes) and Child.current_category (the
newest entry of the category history)."""

from django.db import migrations, models


def fill(apps, schema_editor):
    Subject = apps.get_model("cse", "Subject")
    SubjectAccess = apps.get_model("cse", "SubjectAccess")
    Child = apps.get_model("cse", "Child")
    CategoryAssessment = apps.get_model("cse", "CategoryAssessment")
    for kind in Subject.objects.values_list("kind", flat=True).distinct():
        SubjectAccess.objects.filter(subject__kind=kind).update(kind=kind)
    latest = {}
    for child_id, category in CategoryAssessment.objects.order_by(
        "child_id", "assessed_on", "recorded_at", "id"
    ).values_list("child_id", "category"):
        latest[child_id] = category
    for child_id, category in latest.items():
        Child.objects.filter(pk=child_id).update(current_category=category)


class Migration(migrations.Migration):
    dependencies = [("cse", "0002_postgresql_search_and_append_only_audit")]

    operations = [
        migrations.AddField(
            model_name="subjectaccess",
            name="kind",
            field=models.CharField(
                choices=[
                    ("child", "Child or young person"),
                    ("person", "Person of interest"),
                    ("location", "Location"),
                    ("vehicle", "Vehicle"),
                ],
                default="",
                max_length=10,
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="child",
            name="current_category",
            field=models.PositiveSmallIntegerField(
                blank=True,
                choices=[
                    (0, "No CSE concerns identified"),
                    (1, "Category 1: at risk of harm"),
                    (2, "Category 2: significant risk of harm"),
                    (3, "Category 3: serious risk of harm"),
                ],
                editable=False,
                null=True,
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="child",
            index=models.Index(fields=["current_category"], name="cse_child_category"),
        ),
        migrations.AddIndex(
            model_name="subjectaccess",
            index=models.Index(
                fields=["agency", "kind", "basis"], name="cse_subjectaccess_count"
            ),
        ),
    ]
