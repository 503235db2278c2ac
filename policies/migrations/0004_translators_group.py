from django.db import migrations


def create_translators(apps, schema_editor):
    # Members may import translations of any policy (policies.rules.can_translate_policy)
    # without being allowed to change the source text.
    Group = apps.get_model("auth", "Group")
    Group.objects.get_or_create(name="Translators")


class Migration(migrations.Migration):
    dependencies = [
        ("policies", "0003_translations"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create_translators, migrations.RunPython.noop)]
