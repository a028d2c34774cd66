# The tables of the models moved from roadmap/ take this app's name; rows, sequences and keys are kept.

from django.db import migrations

MOVED = ['actionchange', 'actionexpense', 'actionfunding', 'actionpartner', 'actionstep', 'engagement', 'governancebody']


def move_content_types(apps, schema_editor):
    """Permissions and generic relations keep pointing at the same rows, now under this app's label."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="fiches", model__in=MOVED).delete()
    ContentType.objects.filter(app_label="roadmap", model__in=MOVED).update(app_label="fiches")


def restore_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="fiches", model__in=MOVED).update(app_label="roadmap")


class Migration(migrations.Migration):
    dependencies = [
        ("fiches", "0001_initial"),
        ("roadmap", "0004_move_out_to_new_apps"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AlterModelTable(name='actionchange', table=None),
        migrations.AlterModelTable(name='actionexpense', table=None),
        migrations.AlterModelTable(name='actionfunding', table=None),
        migrations.AlterModelTable(name='actionpartner', table=None),
        migrations.AlterModelTable(name='actionstep', table=None),
        migrations.AlterModelTable(name='engagement', table=None),
        migrations.AlterModelTable(name='governancebody', table=None),
        migrations.RunPython(move_content_types, restore_content_types),
    ]
