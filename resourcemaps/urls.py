from django.urls import URLPattern

app_name = "resourcemaps"

urlpatterns: list[URLPattern] = []
