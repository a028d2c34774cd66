from django.urls import path

from onboarding import views

app_name = "onboarding"

urlpatterns = [
    path("demander-un-acces/", views.join_request, name="join_request"),
    path("demander-un-acces/envoyee/", views.join_request_sent, name="join_request_sent"),
    path("demarrage/territoire/", views.territory_setup, name="territory_setup"),
]
