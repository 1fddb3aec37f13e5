"""Container health probe: `python -m webapp.probe` exits 0 when the local gunicorn's
`/healthz` answers 200, 1 otherwise.

Standard library only (no Django start-up), so running it every few seconds costs little. It
sends the public host name (the host of SITE_BASE_URL) so ALLOWED_HOSTS accepts it, and
X-Forwarded-Proto like the TLS proxy does, so production's HTTPS redirect does not answer 301.
"""

import http.client
import os
import sys
from urllib.parse import urlsplit


def probe(timeout: float = 5.0) -> tuple[bool, str]:
    port = os.environ.get("GUNICORN_BIND", ":8000").rpartition(":")[2] or "8000"
    site = urlsplit(os.environ.get("SITE_BASE_URL", "http://localhost:8000"))
    headers = {"Host": site.netloc or "localhost", "X-Forwarded-Proto": site.scheme or "http"}
    conn = http.client.HTTPConnection("127.0.0.1", int(port), timeout=timeout)
    try:
        conn.request("GET", "/healthz", headers=headers)
        response = conn.getresponse()
        body = response.read(500).decode("utf-8", "replace")
    except OSError as exc:
        return False, f"no answer on 127.0.0.1:{port}: {exc}"
    finally:
        conn.close()
    detail = f"{response.status} {body}"
    if response.status == 400:
        detail += f" (is {headers['Host']!r}, from SITE_BASE_URL, in DJANGO_ALLOWED_HOSTS?)"
    return response.status == 200, detail


def main() -> int:
    ok, detail = probe()
    print(detail)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
