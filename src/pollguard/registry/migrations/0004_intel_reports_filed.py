# Intelligence reports filed in the app: source, code number, place reports, admiralty
# grading, validity, version. The package's credibility (a 0-1 weight) becomes `weight`
# and `summary` becomes `text`, renamed so the package rows keep their values.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0003_election_package_source"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RenameField(model_name="intelreport", old_name="credibility", new_name="weight"),
        migrations.RenameField(model_name="intelreport", old_name="summary", new_name="text"),
        migrations.AddField(
            model_name="election",
            name="risk_policy",
            field=models.JSONField(
                blank=True,
                default=dict,
                help_text="The package's policy.risk, so pages score centers as a plan run does.",
                verbose_name="risk policy",
            ),
        ),
        migrations.AddField(
            model_name="intelreport",
            name="credibility",
            field=models.PositiveSmallIntegerField(
                blank=True,
                choices=[
                    (1, "1: confirmed by other sources"),
                    (2, "2: probably true"),
                    (3, "3: possibly true"),
                    (4, "4: doubtful"),
                    (5, "5: improbable"),
                    (6, "6: truth cannot be judged"),
                ],
                help_text="1 to 6; empty for package rows, which give a weight directly.",
                null=True,
                verbose_name="information credibility",
            ),
        ),
        migrations.AddField(
            model_name="intelreport",
            name="filed_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="filed by",
            ),
        ),
        migrations.AddField(
            model_name="intelreport",
            name="lat",
            field=models.FloatField(blank=True, null=True, verbose_name="latitude"),
        ),
        migrations.AddField(
            model_name="intelreport",
            name="lon",
            field=models.FloatField(blank=True, null=True, verbose_name="longitude"),
        ),
        migrations.AddField(
            model_name="intelreport",
            name="number",
            field=models.PositiveIntegerField(
                blank=True,
                editable=False,
                help_text="Filed reports: the n of the code INT-n, unique per election.",
                null=True,
                verbose_name="number",
            ),
        ),
        migrations.AddField(
            model_name="intelreport",
            name="reliability",
            field=models.CharField(
                blank=True,
                choices=[
                    ("A", "A: completely reliable"),
                    ("B", "B: usually reliable"),
                    ("C", "C: fairly reliable"),
                    ("D", "D: not usually reliable"),
                    ("E", "E: unreliable"),
                    ("F", "F: reliability cannot be judged"),
                ],
                help_text="A to F; empty for package rows, which give a weight directly.",
                max_length=1,
                verbose_name="source reliability",
            ),
        ),
        migrations.AddField(
            model_name="intelreport",
            name="source",
            field=models.CharField(
                choices=[
                    ("package", "Election package (intel.csv)"),
                    ("filed", "Filed in the app"),
                ],
                default="package",
                max_length=16,
                verbose_name="source",
            ),
        ),
        migrations.AddField(
            model_name="intelreport",
            name="valid_until",
            field=models.DateTimeField(
                blank=True,
                help_text="After this time the report no longer counts; empty: no end.",
                null=True,
                verbose_name="valid until",
            ),
        ),
        migrations.AddField(
            model_name="intelreport",
            name="version",
            field=models.PositiveIntegerField(
                default=1, help_text="Increases with every edit.", verbose_name="version"
            ),
        ),
        migrations.AlterField(
            model_name="intelreport",
            name="center",
            field=models.ForeignKey(
                blank=True,
                help_text="Empty for a report about a place (latitude and longitude).",
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="registry.center",
                verbose_name="center",
            ),
        ),
        migrations.AlterField(
            model_name="intelreport",
            name="text",
            field=models.TextField(blank=True, verbose_name="text"),
        ),
        migrations.AlterField(
            model_name="intelreport",
            name="weight",
            field=models.FloatField(
                help_text="0 (doubtful) to 1 (confirmed): how much the report counts in the risk.",
                verbose_name="weight",
            ),
        ),
        migrations.AddConstraint(
            model_name="intelreport",
            constraint=models.UniqueConstraint(
                condition=models.Q(("number__isnull", False)),
                fields=("election", "number"),
                name="intelreport_unique_number",
            ),
        ),
        migrations.AddConstraint(
            model_name="intelreport",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("center__isnull", False), ("lat__isnull", True), ("lon__isnull", True)
                    ),
                    models.Q(
                        ("center__isnull", True), ("lat__isnull", False), ("lon__isnull", False)
                    ),
                    _connector="OR",
                ),
                name="intelreport_center_or_place",
            ),
        ),
    ]
