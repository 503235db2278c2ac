"""Facilitators manage the community registry in the Wagtail admin: they need admin access and
the model permissions Wagtail's snippet views check."""

from django.db import migrations

CODENAMES = ["add_community", "change_community", "delete_community", "view_community"]


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    group, _ = Group.objects.get_or_create(name="Facilitators")
    community_type, _ = ContentType.objects.get_or_create(app_label="communities", model="community")
    admin_type, _ = ContentType.objects.get_or_create(app_label="wagtailadmin", model="admin")
    perms = [
        Permission.objects.get_or_create(
            content_type=community_type, codename=codename,
            defaults={"name": codename.replace("_", " ").capitalize()},
        )[0]
        for codename in CODENAMES
    ]
    perms.append(
        Permission.objects.get_or_create(
            content_type=admin_type, codename="access_admin",
            defaults={"name": "Can access Wagtail admin"},
        )[0]
    )
    group.permissions.add(*perms)


class Migration(migrations.Migration):
    dependencies = [
        ("communities", "0001_initial"),
        ("consultations", "0002_facilitators_group"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
    ]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
