from django.urls import path

from questionnaires import views

app_name = "questionnaires"

questionnaire = "questionnaires/<int:questionnaire_pk>"
question = "questionnaires/questions/<int:question_pk>"

urlpatterns = [
    path("feuilles-de-route/<int:roadmap_pk>/questionnaires/", views.questionnaire_list, name="questionnaire_list"),
    path(f"{questionnaire}/", views.questionnaire_detail, name="questionnaire"),
    path(f"{questionnaire}/questions/", views.question_add, name="question_add"),
    path(f"{questionnaire}/apres/", views.questionnaire_after, name="after"),
    path(f"{questionnaire}/supprimer/", views.questionnaire_delete, name="delete"),
    path(f"{questionnaire}/liens/", views.questionnaire_links, name="links"),
    path(f"{questionnaire}/codes/", views.questionnaire_codes, name="codes"),
    path(f"{questionnaire}/qr.svg", views.questionnaire_qr, name="qr"),
    path(f"{questionnaire}/resultats/", views.questionnaire_results, name="results"),
    path(f"{questionnaire}/reponses.csv", views.questionnaire_csv, name="csv"),
    path(f"{question}/modifier/", views.question_edit, name="question_edit"),
    path(f"{question}/deplacer/", views.question_move, name="question_move"),
    path(f"{question}/supprimer/", views.question_delete, name="question_delete"),
    # Public: no organisation, an unguessable token (tests/url_walk.py PUBLIC_PATTERNS).
    path("repondre/<str:token>/", views.respond, name="respond"),
    path("repondre/<str:token>/merci/", views.thanks, name="thanks"),
]
