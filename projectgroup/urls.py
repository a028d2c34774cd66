from django.urls import path

from projectgroup import views

app_name = "projectgroup"

roadmap = "feuilles-de-route/<int:roadmap_pk>"
meeting = "reunions/<int:meeting_pk>"

urlpatterns = [
    # The organisation's directory of actors and contacts.
    path("annuaire/", views.actor_list, name="actor_list"),
    path("annuaire/structures/<int:actor_pk>/", views.actor_detail, name="actor_detail"),
    path("annuaire/structures/<int:actor_pk>/supprimer/", views.actor_delete, name="actor_delete"),
    path("annuaire/contacts/", views.contact_list, name="contact_list"),
    path("annuaire/contacts/import/", views.contact_import, name="contact_import"),
    path("annuaire/contacts/<int:contact_pk>/", views.contact_detail, name="contact_detail"),
    path("annuaire/contacts/<int:contact_pk>/effacer/", views.contact_erase, name="contact_erase"),
    path("annuaire/import/", views.actor_import, name="actor_import"),
    path("annuaire/import/<int:actorimport_pk>/", views.actorimport_detail, name="actorimport_detail"),
    path("annuaire/export/", views.actor_export, name="actor_export"),
    path("annuaire/panorama/", views.panorama, name="panorama"),
    path("annuaire/carte/", views.actor_map, name="actor_map"),
    path("annuaire/carte/interactive/", views.actor_map_frame, name="actor_map_frame"),
    # Step 1: groupe projet, mandate, governance, calendar.
    path(f"{roadmap}/groupe-projet/", views.group, name="group"),
    path(f"{roadmap}/groupe-projet/mandat/", views.mandate_edit, name="mandate_edit"),
    path(f"{roadmap}/groupe-projet/objectifs/", views.objective_add, name="objective_add"),
    path(f"{roadmap}/groupe-projet/instances/", views.governance_add, name="governance_add"),
    path("groupe-projet/instances/<int:governancebody_pk>/membres/", views.body_members, name="body_members"),
    path("groupe-projet/objectifs/<int:objective_pk>/supprimer/", views.objective_delete, name="objective_delete"),
    path("groupe-projet/membres/<int:groupmember_pk>/", views.groupmember_edit, name="groupmember_edit"),
    path("groupe-projet/membres/<int:groupmember_pk>/retirer/", views.groupmember_delete, name="groupmember_delete"),
    path(f"{roadmap}/demarche/calendrier/", views.calendar, name="calendar"),
    path(f"{roadmap}/demarche/calendrier/etapes/", views.plan_steps, name="plan_steps"),
    path(f"{roadmap}/demarche/calendrier.ics", views.calendar_ics, name="calendar_ics"),
    path("calendrier/jalons/<int:milestone_pk>/", views.milestone_edit, name="milestone_edit"),
    path("calendrier/jalons/<int:milestone_pk>/supprimer/", views.milestone_delete, name="milestone_delete"),
    # Meetings.
    path(f"{roadmap}/reunions/", views.meeting_list, name="meeting_list"),
    path(f"{meeting}/", views.meeting_detail, name="meeting_detail"),
    path(f"{meeting}/modifier/", views.meeting_edit, name="meeting_edit"),
    path(f"{meeting}/ordre-du-jour/", views.meeting_agenda, name="meeting_agenda"),
    path(f"{meeting}/invitations/", views.meeting_invite, name="meeting_invite"),
    path(f"{meeting}/rappel/", views.meeting_remind, name="meeting_remind"),
    path(f"{meeting}/presences/", views.meeting_attendance, name="meeting_attendance"),
    path(f"{meeting}/compte-rendu/", views.meeting_minutes, name="meeting_minutes"),
    path(f"{meeting}/emargement/", views.meeting_sheet, name="meeting_sheet"),
    path(f"{meeting}/accueil/", views.meeting_checkin_screen, name="meeting_checkin_screen"),
    path(f"{meeting}/reunion.ics", views.meeting_ics, name="meeting_ics"),
    path(f"{meeting}/qr.svg", views.meeting_qr, name="meeting_qr"),
    path("reunions/ordre-du-jour/<int:agendaitem_pk>/supprimer/", views.agendaitem_delete, name="agendaitem_delete"),
    path("reunions/presences/<int:attendance_pk>/supprimer/", views.attendance_delete, name="attendance_delete"),
    # Step 2: shared definition and key figures.
    path(f"{roadmap}/definition/", views.definition, name="definition"),
    path("definitions/<int:definitionversion_pk>/adopter/", views.definition_adopt, name="definition_adopt"),
    path(f"{roadmap}/chiffres-cles/", views.key_figures_page, name="key_figures"),
    path(f"{roadmap}/chiffres-cles/pdf/", views.key_figures_pdf, name="key_figures_pdf"),
    # Public: no organisation, an unguessable token (tests/url_walk.py PUBLIC_PATTERNS).
    path("reunion/invitation/<str:token>/", views.invitation_answer, name="invitation_answer"),
    path("reunion/emargement/<str:token>/", views.checkin, name="checkin"),
]
