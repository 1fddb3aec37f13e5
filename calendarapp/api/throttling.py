"""Abuse limits for export-token issuance and the export downloads.

Rates come from `settings.CALENDAR_THROTTLE_RATES` and are read on every request (not
frozen at import like DRF's defaults), so tests and benchmarks can change or disable them.
A rate of None switches a scope off. Counters live in the default cache.
"""

import hashlib

from django.conf import settings
from rest_framework.throttling import BaseThrottle, SimpleRateThrottle


def client_address(request) -> str:
    """The client's address: REMOTE_ADDR, or X-Forwarded-For behind API_NUM_PROXIES proxies
    (DRF's rule). The admin's log-in lock-outs count per address with it too."""
    return BaseThrottle().get_ident(request)


class SettingsRateThrottle(SimpleRateThrottle):
    def get_rate(self):
        return settings.CALENDAR_THROTTLE_RATES.get(self.scope)

    def __init__(self):
        # SimpleRateThrottle reads the rate in __init__; re-read it for each request.
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)

    def get_cache_key(self, request, view):
        user = getattr(request, "user", None)
        ident = f"user-{user.pk}" if user and user.is_authenticated else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}


class ExportTokenRateThrottle(SettingsRateThrottle):
    scope = "export_token"


class ExportDownloadRateThrottle(SettingsRateThrottle):
    """Downloads are anonymous (the token is the credential): counted per client address."""

    scope = "export"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class FeedRateThrottle(SettingsRateThrottle):
    """Calendar feeds are polled by Google's and Apple's servers, many users behind the same
    addresses: counted per feed (a hash of its token), not per client address."""

    scope = "feed"

    def get_cache_key(self, request, view):
        token = request.resolver_match.kwargs.get("token", "")
        ident = hashlib.sha256(token.encode()).hexdigest()[:32]
        return self.cache_format % {"scope": self.scope, "ident": ident}
