"""The project's URLs plus the floor views the benchmarks compare every page and API call to.

Used only by the benchmarks (``override_settings(ROOT_URLCONF="bench.urls")``): the floor
goes through the same middleware stack and the same authentication as the real pages.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from ninja import NinjaAPI

from config.urls import urlpatterns as project_urlpatterns
from core.api_auth import api_auth


@login_required
def floor(request: HttpRequest) -> HttpResponse:
    """A bare page: a logged-in user, no query of its own, a few bytes of HTML."""
    return HttpResponse(f"<!doctype html><title>floor</title><p>{request.user.pk}</p>")


@login_required
def layout(request: HttpRequest) -> HttpResponse:
    """An empty page in the site's layout (navigation, notifications badge, language form):
    what every page costs before its own content (the layout the pages are written in)."""
    return render(request, "layout.jinja", {}, using="pages")


floor_api = NinjaAPI(
    title="bench floor", version="bench", auth=api_auth, urls_namespace="bench_floor_api", docs_url=None
)


@floor_api.get("/ping")
def ping(request: HttpRequest) -> dict[str, int]:
    """A bare API call: token authentication, a tiny JSON answer."""
    return {"user": request.user.pk}


urlpatterns = [
    path("__bench__/floor/", floor, name="bench_floor"),
    path("__bench__/layout/", layout, name="bench_layout"),
    path("__bench__/api/", floor_api.urls),
    *project_urlpatterns,
]
