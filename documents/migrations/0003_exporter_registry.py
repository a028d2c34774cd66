# ExportJob no longer names its kinds in a closed list nor points at an action: it names an exporter of the
# registry (documents.exporters) and the id of the object it documents, with that object's label kept for the list.

from django.db import migrations, models


def fill_objects(apps, schema_editor):
    ExportJob = apps.get_model("documents", "ExportJob")
    for job in ExportJob.objects.select_related("roadmap", "action__chantier__defi").iterator():
        action = job.action
        if action is None:
            job.object_id, job.subject = job.roadmap_id, job.roadmap.title
        else:
            chantier = action.chantier
            defi = chantier.defi.order if chantier.defi_id else "–"
            job.object_id = action.pk
            job.subject = f"A{defi}.{chantier.order}.{action.order} {action.title}"[:400]
        job.save(update_fields=["object_id", "subject"])


def restore_actions(apps, schema_editor):
    ExportJob = apps.get_model("documents", "ExportJob")
    ExportJob.objects.filter(kind__in=["fiche_pdf", "fiche_docx"]).update(action_id=models.F("object_id"))
    # Documents the old schema cannot describe (e.g. a workshop's) have no place there.
    ExportJob.objects.exclude(kind__in=["roadmap_pdf", "fiches_pdf", "fiche_pdf", "fiche_docx", "budget_xlsx"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0002_rename_tables"),
        ("roadmap", "0004_move_out_to_new_apps"),
    ]

    operations = [
        migrations.AddField(
            model_name="exportjob",
            name="object_id",
            field=models.PositiveBigIntegerField(null=True),
        ),
        migrations.AddField(
            model_name="exportjob",
            name="subject",
            field=models.CharField(blank=True, max_length=400),
        ),
        migrations.AlterField(
            model_name="exportjob",
            name="kind",
            field=models.CharField(max_length=40),
        ),
        migrations.RunPython(fill_objects, restore_actions),
        migrations.RemoveField(
            model_name="exportjob",
            name="action",
        ),
        migrations.AlterField(
            model_name="exportjob",
            name="object_id",
            field=models.PositiveBigIntegerField(),
        ),
        migrations.AddIndex(
            model_name="exportjob",
            index=models.Index(fields=["organization", "kind", "object_id"], name="documents_e_organiz_71985d_idx"),
        ),
    ]
