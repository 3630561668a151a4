from django.conf import settings
from django.conf.urls.i18n import i18n_patterns  # noqa: F401  (kept for future prefixed pages)
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from config.api import api
from core import views as core_views

admin.site.site_header = "Conventio — administration"
admin.site.site_title = "Conventio"
admin.site.index_title = "Administration"

urlpatterns = [
    path("", core_views.dashboard, name="home"),
    path("connexion/", core_views.LoginView.as_view(), name="login"),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("", include("core.urls")),
    path("organisations/", include("parties.urls")),
    path("", include("deliberations.urls")),
    path("conventions/", include("conventions.urls")),
    path("documents/", include("documents.urls")),
    path("echeances/", include("reminders.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler400 = "core.error_pages.bad_request"
handler403 = "core.error_pages.permission_denied"
handler404 = "core.error_pages.page_not_found"
handler500 = "core.error_pages.server_error"
