from django.utils import translation

API_PREFIXES = ("/api/", "/export/")


class EnglishApiMiddleware:
    """The API and the downloads answer in English (the domain errors' language), whatever
    the site's default language (Russian, for the admin) or the client's Accept-Language."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path_info.startswith(API_PREFIXES):
            return self.get_response(request)
        request.LANGUAGE_CODE = "en"
        # override, not activate: the language must not outlive the request and leak into the
        # next one the same worker thread serves (an admin page, in Russian).
        with translation.override("en"):
            return self.get_response(request)
