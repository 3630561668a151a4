from django.urls import path

from reminders import views

app_name = "reminders"
urlpatterns = [
    path("", views.deadline_list, name="list"),
    path("<int:pk>/traiter/", views.handle, name="handle"),
    path("<int:pk>/rouvrir/", views.reopen, name="reopen"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/lues/", views.mark_read, name="mark_read"),
    path("preferences/", views.preferences, name="preferences"),
    path("preferences/agenda/nouveau/", views.regenerate_feed, name="regenerate_feed"),
    path("preferences/agenda/revoquer/", views.revoke_feed, name="revoke_feed"),
    path("agenda/<str:token>.ics", views.feed, name="feed"),
    path("reglages/", views.settings_index, name="settings_index"),
    path("reglages/<int:organization_id>/", views.settings_edit, name="settings"),
]
