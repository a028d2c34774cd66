import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("workshops", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="mergeproposal",
            name="objector",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="objections",
                to="workshops.participant",
            ),
        ),
        migrations.AddField(
            model_name="workshop",
            name="timer_autostart",
            field=models.BooleanField(
                default=False,
                help_text="Sinon, l'animateur le lance (touche T).",
                verbose_name="lancer le minuteur à l'ouverture de chaque étape",
            ),
        ),
        migrations.AddField(
            model_name="workshopgroup",
            name="expected_participants",
            field=models.PositiveSmallIntegerField(
                blank=True,
                help_text="Le nombre de personnes dans la salle : au-delà, la projection signale des participants en trop.",
                null=True,
                verbose_name="participants attendus",
            ),
        ),
        migrations.AddField(
            model_name="workshopgroup",
            name="undo_log",
            field=models.JSONField(blank=True, default=list),
        ),
    ]
