"""Make a policy index the site's home page, replacing Wagtail's placeholder welcome page."""

from django.db import migrations


def forwards(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Page = apps.get_model("wagtailcore", "Page")
    Site = apps.get_model("wagtailcore", "Site")
    Locale = apps.get_model("wagtailcore", "Locale")
    PolicyIndexPage = apps.get_model("policies", "PolicyIndexPage")

    root = Page.objects.filter(depth=1).first()
    if root is None or PolicyIndexPage.objects.exists():
        return
    page_ct = ContentType.objects.get_for_model(Page)
    welcome = Page.objects.filter(depth=2, content_type=page_ct, slug="home").first()
    if welcome is not None and welcome.numchild == 0:
        Site.objects.filter(root_page=welcome).delete()
        welcome.delete()
        root.numchild = Page.objects.filter(depth=2).count()
        root.save(update_fields=["numchild"])

    index_ct, _ = ContentType.objects.get_or_create(app_label="policies", model="policyindexpage")
    siblings = Page.objects.filter(depth=2).order_by("-path").first()
    # treebeard paths: four base-36 characters per level.
    next_step = int(siblings.path[-4:], 36) + 1 if siblings else 1
    step = ""
    n = next_step
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    for _ in range(4):
        step = alphabet[n % 36] + step
        n //= 36
    index = PolicyIndexPage.objects.create(
        title="Codes of conduct",
        draft_title="Codes of conduct",
        slug="home",
        content_type=index_ct,
        path=root.path + step,
        depth=2,
        numchild=0,
        url_path="/home/",
        live=True,
        has_unpublished_changes=False,
        locale=Locale.objects.order_by("pk").first(),
        intro="Baseline codes of conduct shared by the communities of this federation, with "
        "every version, who published it and why.",
    )
    root.numchild = root.numchild + 1
    root.save(update_fields=["numchild"])
    if not Site.objects.exists():
        Site.objects.create(
            hostname="localhost", port=80, root_page_id=index.pk, is_default_site=True
        )
    else:
        Site.objects.filter(is_default_site=True).update(root_page_id=index.pk)


class Migration(migrations.Migration):
    dependencies = [
        ("policies", "0001_initial"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
