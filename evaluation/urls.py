from django.urls import path

from evaluation import views

app_name = "evaluation"

ROADMAP = "feuilles-de-route/<int:roadmap_pk>/evaluation/"

urlpatterns = [
    path(ROADMAP, views.overview, name="overview"),
    path(f"{ROADMAP}cadrage/", views.framing, name="framing"),
    path(f"{ROADMAP}theorie-du-changement/", views.theory, name="theory"),
    path(f"{ROADMAP}question/", views.question, name="question"),
    path(f"{ROADMAP}referentiel/", views.framework, name="framework"),
    path(f"{ROADMAP}import/", views.values_import, name="values_import"),
    path(f"{ROADMAP}entretiens/", views.interviews, name="interviews"),
    path(f"{ROADMAP}suivi/", views.follow_up, name="follow_up"),
    path(f"{ROADMAP}analyse/", views.analysis, name="analysis"),
    path(f"{ROADMAP}documents/", views.export, name="export"),
    path("evaluation/effets/<int:effect_pk>/modifier/", views.effect_edit, name="effect_edit"),
    path("evaluation/effets/<int:effect_pk>/supprimer/", views.effect_delete, name="effect_delete"),
    path("evaluation/effets/<int:effect_pk>/nouvel-indicateur/", views.indicator_create, name="indicator_create"),
    path("evaluation/indicateurs/<int:indicator_pk>/", views.indicator, name="indicator"),
    path("evaluation/indicateurs/<int:indicator_pk>/modifier/", views.indicator_edit, name="indicator_edit"),
    path("evaluation/indicateurs/<int:indicator_pk>/supprimer/", views.indicator_delete, name="indicator_delete"),
    path("evaluation/valeurs/<int:indicatorvalue_pk>/supprimer/", views.value_delete, name="value_delete"),
    path("evaluation/trames/<int:interviewguide_pk>/modifier/", views.guide_edit, name="guide_edit"),
    path("evaluation/trames/<int:interviewguide_pk>/supprimer/", views.guide_delete, name="guide_delete"),
    path("evaluation/entretiens/<int:interview_pk>/", views.interview, name="interview"),
    path("evaluation/entretiens/<int:interview_pk>/supprimer/", views.interview_delete, name="interview_delete"),
    path("evaluation/entretiens/<int:interview_pk>/modifier/", views.interview_edit, name="interview_edit"),
    path("evaluation/verbatims/<int:verbatim_pk>/supprimer/", views.verbatim_delete, name="verbatim_delete"),
    path("evaluation/suivi/<int:action_pk>/", views.action_follow_up, name="action_follow_up"),
]
