from django.urls import path

from conventions import views

app_name = "conventions"
urlpatterns = [
    path("", views.convention_list, name="list"),
    path("nouvelle/", views.convention_create, name="create"),
    path("<int:pk>/", views.convention_detail, name="detail"),
    path("<int:pk>/modifier/", views.convention_edit, name="edit"),
    path("<int:pk>/action/<slug:action>/", views.convention_action, name="action"),
    path("<int:pk>/avenants/<int:number>/", views.amendment_detail, name="amendment_detail"),
    path("<int:pk>/avenants/<int:number>/<slug:action>/", views.amendment_action, name="amendment_action"),
    path("comites/<int:pk>/", views.committee_detail, name="committee_detail"),
    path("comites/<int:pk>/<slug:action>/", views.committee_action, name="committee_action"),
    path("reunions/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("reunions/<int:pk>/<slug:action>/", views.meeting_action, name="meeting_action"),
    path("programmes/", views.programme_list, name="programme_list"),
    path("programmes/nouveau/", views.programme_create, name="programme_create"),
    path("programmes/<int:pk>/", views.programme_detail, name="programme_detail"),
    path("programmes/<int:pk>/modifier/", views.programme_edit, name="programme_edit"),
    path("programmes/<int:pk>/budget/", views.programme_budget, name="programme_budget"),
    path(
        "programmes/<int:pk>/budget/<int:year>/supprimer/",
        views.programme_budget_remove,
        name="programme_budget_remove",
    ),
    path(
        "publiques/<int:organization_id>/opendata/subventions.csv",
        views.public_opendata_subventions,
        name="public_opendata_subventions",
    ),
    path("clauses/", views.clause_list, name="clause_list"),
    path("clauses/nouvelle/", views.clause_create, name="clause_create"),
    path("clauses/importer/", views.clause_import, name="clause_import"),
    path("clauses/<int:pk>/", views.clause_edit, name="clause_edit"),
    path("clauses/<int:pk>/desactiver/", views.clause_set_active, {"active": False}, name="clause_deactivate"),
    path("clauses/<int:pk>/reactiver/", views.clause_set_active, {"active": True}, name="clause_reactivate"),
]
