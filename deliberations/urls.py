from django.urls import URLPattern, URLResolver, include, path

from deliberations import views
from deliberations.views import members as member_views

app_name = "deliberations"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.deliberation_list, name="list"),
    path("nouvelle/", views.deliberation_create, name="create"),
    path("<int:pk>/", views.deliberation_detail, name="detail"),
    path("<int:pk>/modifier/", views.deliberation_edit, name="edit"),
    path("<int:pk>/vote/", views.vote, name="vote"),
    path("<int:pk>/ctes.zip", views.ctes_package, name="ctes_package"),
    path("<int:pk>/action/<slug:action>/", views.deliberation_action, name="action"),
    path("assemblees/", views.assembly_list, name="assembly_list"),
    path("assemblees/nouvelle/", views.assembly_create, name="assembly_create"),
    path("assemblees/<int:pk>/", views.assembly_detail, name="assembly_detail"),
    path("assemblees/<int:pk>/numerotation/", views.assembly_numbering, name="assembly_numbering"),
    path("assemblees/<int:pk>/formules/", views.assembly_wording, name="assembly_wording"),
    path("assemblees/<int:pk>/classification/", views.assembly_classification, name="assembly_classification"),
    path("assemblees/<int:pk>/mandats/<int:mandate_id>/fin/", views.mandate_end, name="mandate_end"),
    path("assemblees/<int:pk>/mandats/<int:mandate_id>/papier/", views.mandate_paper, name="mandate_paper"),
    path("seances/", views.sitting_list, name="sitting_list"),
    path("seances/nouvelle/", views.sitting_create, name="sitting_create"),
    path("seances/<int:pk>/", views.sitting_detail, name="sitting_detail"),
    path("seances/<int:pk>/modifier/", views.sitting_edit, name="sitting_edit"),
    path("seances/<int:pk>/action/<slug:action>/", views.sitting_action, name="sitting_action"),
    path("seances/<int:pk>/convocations/envoyer/", views.convocation_send, name="convocation_send"),
    path("seances/<int:pk>/convocations/action/<slug:action>/", views.convocation_action, name="convocation_action"),
    path("seances/<int:pk>/presences/", views.attendance, name="attendance"),
    path("seances/<int:pk>/presences/<int:person_id>/", views.attendance_one, name="attendance_one"),
    path("seances/<int:pk>/pouvoirs/", views.proxy_create, name="proxy_create"),
    path("seances/<int:pk>/pouvoirs/<int:proxy_id>/revoquer/", views.proxy_revoke, name="proxy_revoke"),
    path("seances/<int:pk>/mouvements/", views.movement_create, name="movement_create"),
    path("publiques/<int:organization_id>/", views.public_list, name="public_list"),
    path("publiques/<int:organization_id>/<int:pk>/extrait.pdf", views.public_extract, name="public_extract"),
    path(
        "publiques/<int:organization_id>/opendata/deliberations.csv",
        views.public_opendata_deliberations,
        name="public_opendata_deliberations",
    ),
]

# The members' pages, reached from the personal link of a convocation (no login): under
# /membres/, beside the staff pages above, which live under /deliberations/; one namespace.
member_patterns = [
    path("membres/", member_views.my_sittings, name="my_sittings"),
    path("membres/seances/<int:pk>/", member_views.my_sitting, name="my_sitting"),
    path("membres/<str:token>/", member_views.member_page, name="member_page"),
    path("membres/<str:token>/annexes/<int:annex_id>/", member_views.member_annex, name="member_annex"),
    path("membres/<str:token>/documents/<int:document_id>/", member_views.member_document, name="member_document"),
    path("membres/<str:token>/reponse/", member_views.member_answer, name="member_answer"),
    path("membres/<str:token>/pouvoir/", member_views.member_proxy, name="member_proxy"),
    path("membres/<str:token>/pouvoir/revoquer/", member_views.member_proxy_withdraw, name="member_proxy_withdraw"),
    path("membres/<str:token>/pouvoir.pdf", member_views.member_proxy_document, name="member_proxy_document"),
]
staff_patterns = urlpatterns
urlpatterns = [path("deliberations/", include(staff_patterns)), *member_patterns]
