from django.urls import URLPattern

app_name = "projectgroup"

urlpatterns: list[URLPattern] = []
