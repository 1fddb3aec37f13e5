from django.utils import translation

# Everything machines read: the API (and the Mini App's), the downloads, the calendar feed,
# the health probe.
API_PREFIXES = ("/api/", "/app/api/", "/export/", "/feed/", "/healthz")


class EnglishApiMiddleware:
    """The API, the downloads and the feed answer in English (the domain errors' language), whatever
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
            response = self.get_response(request)
        # Said here: LocaleMiddleware, outside, would name the language of the request
        # (Russian by default) for a body written in English.
        response["Content-Language"] = "en"
        return response
