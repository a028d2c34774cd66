from django.urls import URLPattern

app_name = "inspiration"

urlpatterns: list[URLPattern] = []
