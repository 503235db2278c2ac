"""Slow work through django-tasks: asking a wiki about someone's activity."""

from django_tasks import task


@task()
def refresh_wiki_activity_task(account_id: int) -> bool:
    """Refresh one identity's wiki activity; False when it is gone or the fetch failed."""
    from allauth.socialaccount.models import SocialAccount

    from .services import refresh_wiki_activity

    account = SocialAccount.objects.filter(pk=account_id).select_related("user").first()
    if account is None:
        return False
    activity = refresh_wiki_activity(account=account)
    return bool(activity and not activity.error)
