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
    path("organisation/quitter/", views.leave_organization, name="leave_organization"),
    path("organisation/membres/", views.members, name="members"),
    path("organisation/membres/<int:membership_pk>/role/", views.membership_role, name="membership_role"),
    path("organisation/membres/<int:membership_pk>/retirer/", views.membership_remove, name="membership_remove"),
    path(
        "organisation/invitations/<int:invitation_pk>/annuler/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path(
        "organisation/invitations/<int:invitation_pk>/renvoyer/",
        views.invitation_resend,
        name="invitation_resend",
    ),
    path("invitation/<str:token>/", views.accept_invitation, name="accept_invitation"),
    # The person's own account: no organisation in these addresses.
    path("mot-de-passe/oublie/", views.password_reset, name="password_reset"),
    path("mot-de-passe/oublie/envoye/", views.password_reset_done, name="password_reset_done"),
    path("mot-de-passe/nouveau/<uidb64>/<token>/", views.password_reset_confirm, name="password_reset_confirm"),
    path("mot-de-passe/nouveau/termine/", views.password_reset_complete, name="password_reset_complete"),
    path("compte/", views.profile, name="profile"),
    path("compte/mot-de-passe/", views.password_change, name="password_change"),
    path("compte/adresse/<str:token>/", views.email_confirm, name="email_confirm"),
    path("compte/mes-donnees/", views.my_data, name="my_data"),
    path("compte/double-authentification/", views.two_factor, name="two_factor"),
    path("compte/supprimer/", views.delete_account, name="delete_account"),
]
