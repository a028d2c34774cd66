from django.urls import URLPattern

app_name = "workshops"

urlpatterns: list[URLPattern] = []
