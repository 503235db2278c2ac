"""Amendment, AmendmentRevision and AmendmentMerge now belong to the amendments app. Only
Django's record of the models moves: their tables stay as they are (amendments.0001 takes
them over under the same names), so no row is touched."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("consultations", "0005_required_languages"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="AmendmentMerge"),
                migrations.DeleteModel(name="AmendmentRevision"),
                migrations.DeleteModel(name="Amendment"),
            ],
            database_operations=[],
        ),
    ]
