from django.urls import URLPattern

app_name = "chantiers"

urlpatterns: list[URLPattern] = []
