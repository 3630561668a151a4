"""gunicorn for Conventio (``gunicorn -c deploy/gunicorn.conf.py config.wsgi``).

Threads per process: a page waits on the database more than it computes. Two machines or
more behind the reverse proxy run the same file; sessions, locks and tasks live in
PostgreSQL, so any process may answer any request.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", 2 * multiprocessing.cpu_count() + 1))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", 4))
timeout = 60  # a batch of documents runs in the task worker, never in a request
keepalive = 5
max_requests = 2000  # renews processes: WeasyPrint's caches grow with the documents rendered
max_requests_jitter = 200
accesslog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
