from django.contrib import admin

from .models import Anonymisation, HomeCommunity, IdentitySource, WikiActivity


@admin.register(IdentitySource)
class IdentitySourceAdmin(admin.ModelAdmin):
    list_display = ["provider", "community", "api_url"]


@admin.register(HomeCommunity)
class HomeCommunityAdmin(admin.ModelAdmin):
    list_display = ["user", "community", "account", "linked_at"]
    list_select_related = ["user", "community", "account"]
    raw_id_fields = ["user", "account"]


@admin.register(WikiActivity)
class WikiActivityAdmin(admin.ModelAdmin):
    list_display = ["wiki_username", "api_url", "edit_count", "blocked", "fetched_at", "error"]
    readonly_fields = [f.name for f in WikiActivity._meta.fields]


@admin.register(Anonymisation)
class AnonymisationAdmin(admin.ModelAdmin):
    list_display = ["user", "created_at", "requested_by_self"]
    readonly_fields = ["user", "created_at", "requested_by_self"]

    def has_add_permission(self, request):
        return False
