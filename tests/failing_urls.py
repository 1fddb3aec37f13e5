"""The project's URLs plus a view that raises (on a page, in the API, under the downloads):
for the tests of the 500 answers."""

from django.urls import path

from webapp.urls import urlpatterns as project_urlpatterns


def broken(request):
    raise RuntimeError("a bug in a view")


urlpatterns = [
    path("broken/", broken),
    path("api/broken/", broken),
    path("export/broken/", broken),
    *project_urlpatterns,
]
