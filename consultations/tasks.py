"""Slow work, run by django-tasks (immediately in development, by a worker in production)."""

from django.contrib.auth import get_user_model
from django.core.mail import send_mass_mail
from django.utils.translation import gettext
from django_tasks import task

from core.site_url import absolute
from core.text import one_line


@task()
def notify_summary_published(consultation_id: int, base_url: str = "") -> int:
    """Email every participant with an address that the summary is out. `base_url` is the
    site's address when the summary was published (core.site_url)."""
    from .models import Consultation, Position, Reply
    from .selectors import consultation_url

    consultation = Consultation.objects.select_related("version__policy").get(pk=consultation_id)
    user_ids = set(
        Position.objects.filter(consultation=consultation, user__isnull=False).values_list(
            "user_id", flat=True
        )
    ) | set(
        Reply.objects.filter(position__consultation=consultation, user__isnull=False).values_list(
            "user_id", flat=True
        )
    )
    recipients = (
        get_user_model()
        .objects.filter(pk__in=user_ids, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    url = absolute(consultation_url(consultation) + "summary/", base=base_url)
    subject = one_line(gettext("Summary published: %(title)s") % {"title": consultation.title})
    body = gettext(
        "You took part in “%(title)s”. The facilitators have published their summary, "
        "with what was said and what changed:\n\n%(url)s\n"
    ) % {"title": consultation.title, "url": url}
    messages = [(subject, body, None, [email]) for email in recipients]
    return send_mass_mail(messages, fail_silently=False) if messages else 0


@task()
def prepare_export(consultation_id: int, fmt: str, name: str) -> str:
    """Write a large consultation's export to storage, where the export URL then finds it."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from . import exporting
    from .models import Consultation

    if default_storage.exists(name):
        return name
    consultation = Consultation.objects.select_related("version__policy").get(pk=consultation_id)
    return default_storage.save(name, ContentFile(exporting.render(consultation, fmt)))
