from django.urls import path

from parties import views

app_name = "parties"
urlpatterns = [
    path("", views.organization_list, name="organization_list"),
    path("nouveau-partenaire/", views.partner_create, name="partner_create"),
    path("<int:pk>/", views.organization_detail, name="organization_detail"),
    path("<int:pk>/modifier/", views.organization_edit, name="organization_edit"),
    path("<int:pk>/personnes/nouvelle/", views.person_create, name="person_create"),
]
