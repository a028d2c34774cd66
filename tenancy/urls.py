from django.contrib.auth import views as auth_views
from django.urls import path

from tenancy import views

app_name = "tenancy"

urlpatterns = [
    path("", views.home, name="home"),
    path("connexion/", views.login_view, name="login"),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path("sans-organisation/", views.no_organization, name="no_organization"),
    path("organisation/changer/", views.switch_organization, name="switch_organization"),
    path("organisation/membres/", views.members, name="members"),
    path("organisation/membres/<int:membership_pk>/role/", views.membership_role, name="membership_role"),
    path("organisation/membres/<int:membership_pk>/retirer/", views.membership_remove, name="membership_remove"),
    path(
        "organisation/invitations/<int:invitation_pk>/annuler/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path("invitation/<str:token>/", views.accept_invitation, name="accept_invitation"),
]
