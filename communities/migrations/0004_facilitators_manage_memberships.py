"""Facilitators keep community memberships (edit counts, blocks) in the Wagtail admin."""

from django.db import migrations

CODENAMES = ["add_membership", "change_membership", "delete_membership", "view_membership"]


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    group, _ = Group.objects.get_or_create(name="Facilitators")
    membership_type, _ = ContentType.objects.get_or_create(
        app_label="communities", model="membership"
    )
    perms = [
        Permission.objects.get_or_create(
            content_type=membership_type,
            codename=codename,
            defaults={"name": codename.replace("_", " ").capitalize()},
        )[0]
        for codename in CODENAMES
    ]
    group.permissions.add(*perms)


class Migration(migrations.Migration):
    dependencies = [("communities", "0003_historicalmembership_membership")]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
