"""Slow work through django-tasks."""

from django.core.mail import send_mass_mail
from django.urls import reverse
from django.utils.translation import gettext
from django_tasks import task

from core.site_url import absolute
from core.text import one_line


@task()
def notify_new_baseline_version(version_id: int, base_url: str = "") -> int:
    """Email the delegates of every community that adopted an earlier version of the policy:
    which sections changed, and which of their local replacements were written against text
    that has since changed. Sections are named by their headings. Communities already on this
    version or a later one hear nothing (the task may run after later versions exist).
    `base_url` is the site's address when the version was published (core.site_url)."""
    from policies.models import PolicyVersion

    from .models import Adoption
    from .selectors import changed_keys_since, stale_overrides

    version = PolicyVersion.objects.select_related("policy").get(pk=version_id)
    headings = {s.key: s.heading for s in version.sections.all()}
    adoptions = (
        Adoption.objects.filter(policy_id=version.policy_id, status__in=Adoption.ADOPTING)
        .filter(version__number__lt=version.number)
        .select_related("community", "version")
        .prefetch_related("community__delegates")
    )
    messages = []
    for adoption in adoptions:
        recipients = [d.email for d in adoption.community.delegates.all() if d.email]
        if not recipients:
            continue
        changed = changed_keys_since(adoption.version, version)
        stale = stale_overrides(adoption, latest=version)
        messages.append(
            (
                one_line(
                    gettext("New version of %(title)s: version %(number)s")
                    % {"title": version.title, "number": version.number}
                ),
                _new_version_body(adoption, version, changed, stale, headings, base_url),
                None,
                recipients,
            )
        )
    return send_mass_mail(messages, fail_silently=False) if messages else 0


def _new_version_body(adoption, version, changed, stale, headings, base_url) -> str:
    community = adoption.community
    paragraphs = [
        gettext(
            "Version %(number)s of “%(title)s” has been published. %(community)s adopted "
            "version %(adopted)s."
        )
        % {
            "number": version.number,
            "title": version.title,
            "community": community.name,
            "adopted": adoption.version.number,
        },
        (
            gettext("Sections changed since then:") + "\n" + "\n".join(f"- {h}" for h in changed)
            if changed
            else gettext("No section has changed since then.")
        ),
    ]
    if stale:
        paragraphs.append(
            gettext(
                "Your community replaced these sections with its own text, and the baseline "
                "text they replace has changed since. Please compare them with the new "
                "version and update your text or confirm it:"
            )
            + "\n"
            + "\n".join(f"- {headings.get(o.section_key, o.section_key)}" for o in stale)
        )
    paragraphs.append(
        gettext("What changed, and your community's page:")
        + "\n"
        + absolute(
            version.policy.url
            + version.policy.reverse_subpage(
                "compare", args=[adoption.version.number, version.number]
            ),
            base=base_url,
        )
        + "\n"
        + absolute(reverse("communities:detail", args=[community.slug]), base=base_url)
    )
    return "\n\n".join(paragraphs) + "\n"


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
