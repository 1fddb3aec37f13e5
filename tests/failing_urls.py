"""The project's URLs plus one view that raises: for the tests of the 500 page."""

from django.urls import path

from webapp.urls import urlpatterns as project_urlpatterns


def broken(request):
    raise RuntimeError("a bug in a view")


urlpatterns = [path("broken/", broken), *project_urlpatterns]
