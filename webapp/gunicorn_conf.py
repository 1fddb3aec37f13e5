"""gunicorn settings for the container (`gunicorn -c webapp/gunicorn_conf.py webapp.wsgi`).

Everything an operator tunes comes from the environment: WEB_CONCURRENCY (worker processes,
default 2 for a small 2-core host), GUNICORN_BIND, GUNICORN_TIMEOUT. Logs go to stdout/stderr
like the rest of the project.
"""

import os

bind = [os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")]  # all interfaces of the container
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
# No gunicornc control socket (gunicorn 25.1+): nothing uses it, and its default path in $HOME
# would be shared by every gunicorn of the same user on a machine. Older versions ignore this.
control_socket_disable = True
accesslog = "-"
errorlog = "-"
# Export and feed tokens travel in URLs: the access log shows them masked.
logger_class = "webapp.secret_urls.GunicornLogger"
# Heartbeat files on tmpfs: a container's overlay filesystem can stall workers' heartbeats.
_SHM = "/dev/shm"  # noqa: S108 - a tmpfs for gunicorn's own files, not shared temp data
if os.path.isdir(_SHM):
    worker_tmp_dir = _SHM
