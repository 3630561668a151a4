from django.urls import path

from documents import views

app_name = "documents"
urlpatterns = [
    path("", views.document_list, name="list"),
    path("<int:pk>/", views.document_detail, name="detail"),
    path("<int:pk>/telecharger/", views.download, name="download"),
    path("<int:pk>/signer/", views.sign, name="sign"),
    path("<int:pk>/original-signe/", views.upload_scan, name="upload_scan"),
    path("<int:pk>/verification/", views.verify_stored, name="verify_stored"),
    path("verifier/", views.verify_upload, name="verify"),
    path("modeles/", views.template_list, name="template_list"),
    path(
        "modeles/<int:organization_id>/<str:kind>/<str:template_format>/",
        views.template_history,
        name="template_history",
    ),
    path("modeles/version/<int:pk>/activer/", views.template_activate, name="template_activate"),
    path("modeles/version/<int:pk>/telecharger/", views.template_download, name="template_download"),
    path("certificats/", views.certificates_index, name="certificates_index"),
    path("certificats/<int:organization_id>/", views.certificates, name="certificates"),
    path("certificats/<int:organization_id>/signature/", views.certificate_add, name="certificate_add"),
    path("certificats/signature/<int:pk>/retirer/", views.certificate_deactivate, name="certificate_deactivate"),
    path("certificats/<int:organization_id>/confiance/", views.trust_anchor_add, name="trust_anchor_add"),
    path("certificats/confiance/<int:pk>/retirer/", views.trust_anchor_deactivate, name="trust_anchor_deactivate"),
    path("lots/<int:pk>/", views.batch_detail, name="batch_detail"),
    path("lots/<int:pk>/progression/", views.batch_progress, name="batch_progress"),
    path("lots/<int:pk>/archive/", views.batch_download, name="batch_download"),
]
