"""Slow work through django-tasks."""

from django.conf import settings
from django.core.mail import send_mass_mail
from django_tasks import task

from core.text import one_line


@task()
def notify_new_baseline_version(version_id: int) -> int:
    """Email the delegates of every community that adopted an earlier version of the policy:
    which sections changed, and which of their overrides are now stale. Communities already on
    this version or a later one hear nothing (the task may run after later versions exist)."""
    from policies.models import PolicyVersion

    from .models import Adoption
    from .selectors import changed_keys_since, stale_overrides

    version = PolicyVersion.objects.select_related("policy").get(pk=version_id)
    adoptions = (
        Adoption.objects.filter(policy_id=version.policy_id, status__in=Adoption.ADOPTING)
        .filter(version__number__lt=version.number)
        .select_related("community", "version")
        .prefetch_related("community__delegates")
    )
    base = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
    messages = []
    for adoption in adoptions:
        changed = changed_keys_since(adoption.version, version)
        stale = stale_overrides(adoption, latest=version)
        recipients = [d.email for d in adoption.community.delegates.all() if d.email]
        if not recipients:
            continue
        lines = [
            f"Version {version.number} of “{version.title}” is out. {adoption.community.name} "
            f"adopted version {adoption.version.number}.",
            f"Sections changed since: {', '.join(changed) or 'none'}.",
        ]
        if stale:
            lines.append(
                "These local overrides are now stale and need a rebase: "
                + ", ".join(o.section_key for o in stale)
            )
        lines.append(f"{base}/communities/{adoption.community.slug}/")
        messages.append(
            (
                one_line(f"New baseline version: {version.title} v{version.number}"),
                "\n\n".join(lines),
                None,
                recipients,
            )
        )
    return send_mass_mail(messages, fail_silently=False) if messages else 0


@task()
def check_wiki_copies_task() -> dict:
    """The drift watch, for a periodic worker (manage.py check_wiki_copies does the same from
    cron): every watched wiki page compared with its declaration."""
    from .wiki_services import check_wiki_copies

    report = check_wiki_copies()
    return {
        "checked": report.checked,
        "matches": report.matches,
        "differs": report.differs,
        "failed": report.failed,
        "requests": report.requests,
    }
