from django.urls import path

from core import views

app_name = "core"
urlpatterns = [
    path("tableau-de-bord/", views.dashboard, name="dashboard"),
    path("compte/jetons/", views.tokens, name="tokens"),
    path("compte/jetons/<int:token_id>/revoquer/", views.revoke_token, name="revoke_token"),
    path("historique/<str:app_label>/<str:model_name>/<int:pk>/", views.history, name="history"),
]
