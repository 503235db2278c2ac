from django.urls import path

from . import views

app_name = "transparency"

urlpatterns = [
    path("log/", views.log_list, name="log"),
    path("log.jsonl", views.log_jsonl, name="jsonl"),
]
