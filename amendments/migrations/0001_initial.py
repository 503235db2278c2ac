"""The amendment models, moved from consultations with their tables (Meta.db_table): state only,
no table is created. On a fresh database consultations.0004 created the tables; on an existing
one they hold the amendments already. Content types (and so permissions) move with them."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

MODELS = ["amendment", "amendmentrevision", "amendmentmerge"]


def move_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MODELS:
        if not ContentType.objects.filter(app_label="amendments", model=model).exists():
            ContentType.objects.filter(app_label="consultations", model=model).update(
                app_label="amendments"
            )


def restore_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MODELS:
        if not ContentType.objects.filter(app_label="consultations", model=model).exists():
            ContentType.objects.filter(app_label="amendments", model=model).update(
                app_label="consultations"
            )


KINDS = [
    ("replace", "Replace the text"),
    ("delete", "Delete the section"),
    ("insert", "Add a new section after it"),
]


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("consultations", "0006_amendments_move_out"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("policies", "0002_site_root"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="Amendment",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("section_key", models.CharField(max_length=60)),
                        ("kind", models.CharField(choices=KINDS, default="replace", max_length=8)),
                        ("heading", models.CharField(blank=True, help_text="For a new section.", max_length=255)),
                        ("text", models.TextField(blank=True, help_text="Markdown: the replacement or the new section.")),
                        ("rationale", models.TextField()),
                        ("state", models.CharField(choices=[("proposed", "Proposed"), ("withdrawn", "Withdrawn"), ("accepted", "Accepted"), ("partly", "Partly accepted"), ("rejected", "Rejected")], default="proposed", max_length=10)),
                        ("revision", models.PositiveIntegerField(default=1)),
                        ("decided_at", models.DateTimeField(blank=True, null=True)),
                        ("decision_reason", models.TextField(blank=True)),
                        ("created_at", models.DateTimeField()),
                        ("updated_at", models.DateTimeField()),
                        ("author", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL)),
                        ("consultation", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="amendments", to="consultations.consultation")),
                        ("decided_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        "db_table": "consultations_amendment",
                        "ordering": ["created_at", "pk"],
                    },
                ),
                migrations.CreateModel(
                    name="AmendmentMerge",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("applied_at", models.DateTimeField()),
                        ("result_heading", models.CharField(blank=True, max_length=255)),
                        ("result_key", models.CharField(max_length=60)),
                        ("amendment", models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name="merge", to="amendments.amendment")),
                        ("applied_by", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL)),
                        ("version", models.ForeignKey(blank=True, help_text="The published version the amendment landed in.", null=True, on_delete=django.db.models.deletion.PROTECT, related_name="merged_amendments", to="policies.policyversion")),
                    ],
                    options={
                        "db_table": "consultations_amendmentmerge",
                        "ordering": ["applied_at", "pk"],
                    },
                ),
                migrations.CreateModel(
                    name="AmendmentRevision",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("number", models.PositiveIntegerField()),
                        ("kind", models.CharField(choices=KINDS, max_length=8)),
                        ("heading", models.CharField(blank=True, max_length=255)),
                        ("text", models.TextField(blank=True)),
                        ("rationale", models.TextField()),
                        ("created_at", models.DateTimeField()),
                        ("amendment", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="revisions", to="amendments.amendment")),
                    ],
                    options={
                        "db_table": "consultations_amendmentrevision",
                        "ordering": ["amendment", "number"],
                        "constraints": [models.UniqueConstraint(fields=("amendment", "number"), name="one_amendment_revision_number")],
                    },
                ),
            ],
        ),
        migrations.RunPython(move_content_types, restore_content_types),
    ]
