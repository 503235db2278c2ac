"""Facilitators edit and publish policy text as well as running consultations.

Their journey starts by importing the baseline, fixing it in the Wagtail editor and publishing
v1, so they need the page permissions Wagtail's own editor and publish buttons check. They get
them where Wagtail gives its Moderators theirs: on the root page, which covers the policy tree
(the site holds no other pages). policies.rules reads these through Wagtail's page permissions,
so the public site and the admin agree."""

from django.db import migrations

GROUP = "Facilitators"
PAGE_PERMISSIONS = ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"]


def _root_and_permissions(apps):
    Page = apps.get_model("wagtailcore", "Page")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    page_type, _ = ContentType.objects.get_or_create(app_label="wagtailcore", model="page")
    permissions = [
        Permission.objects.get_or_create(
            content_type=page_type,
            codename=codename,
            defaults={"name": codename.replace("_", " ").capitalize()},
        )[0]
        for codename in PAGE_PERMISSIONS
    ]
    return Page.objects.filter(depth=1).order_by("path").first(), permissions


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    root, permissions = _root_and_permissions(apps)
    if root is None:
        return
    group, _ = Group.objects.get_or_create(name=GROUP)
    for permission in permissions:
        GroupPagePermission.objects.get_or_create(group=group, page=root, permission=permission)


def revoke(apps, schema_editor):
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    root, permissions = _root_and_permissions(apps)
    GroupPagePermission.objects.filter(
        group__name=GROUP, page=root, permission__in=permissions
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("policies", "0006_accord_settings"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
