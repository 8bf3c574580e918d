#!/usr/bin/python3
"""Serves the django-inventory example on 127.0.0.1:$PORT with Django's threaded WSGI server
(the one behind `manage.py runserver`, without the autoreloader and its request log).

    PORT=8081 KEYCLOAK_URL=… KEYCLOAK_REALM=… KEYCLOAK_ISSUER=… KEYCLOAK_CLIENT_ID=… /usr/bin/python3 serve.py

One line per request, `METHOD path status`: never the query string (it may carry a token), never a header.
"""

import json
import os
import signal
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "inventory_project.settings")
sys.stdout.reconfigure(line_buffering=True)

NAME = "django-inventory"


def fail(message: str) -> int:
    print(f"{NAME}: {message}", file=sys.stderr, flush=True)
    return 1


def main() -> int:
    try:
        import django
        from django.core.exceptions import ImproperlyConfigured
    except ImportError as error:
        return fail(f"{error}: run examples/django-inventory/install.sh (Debian's python3-django, python3-djangorestframework, python3-jwt), with /usr/bin/python3")
    try:
        django.setup()
        from django.conf import settings
        from django.core.wsgi import get_wsgi_application

        from django.urls import get_resolver

        application = get_wsgi_application()  # builds the middleware: reads the authorization settings now
        get_resolver().url_patterns  # imports the views (and DRF) now rather than on the first request
    except ImproperlyConfigured as error:
        return fail(str(error))

    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler

    class RequestHandler(WSGIRequestHandler):
        # wsgiref writes the status line, the headers and the body in separate sends: without
        # TCP_NODELAY, Nagle's algorithm and the client's delayed ACK add ~40 ms to every answer.
        disable_nagle_algorithm = True

        def log_request(self, code="-", size="-"):
            method = getattr(self, "command", None) or "-"
            path = (getattr(self, "path", None) or "-").split("?", 1)[0]
            shown = json.dumps(path[:200])[1:-1] + ("…" if len(path) > 200 else "")
            print(f"{method} {shown} {int(code) if str(code).isdigit() else code}", flush=True)

        def log_error(self, format, *args):
            pass  # send_error logs the request line through log_request; its message may quote the query

        def log_message(self, format, *args):
            pass

    class Server(ThreadedWSGIServer):
        request_queue_size = 128  # kcbox sends up to 16 requests at once

    try:
        server = Server(("127.0.0.1", settings.PORT), RequestHandler)
    except OSError as error:
        return fail(f"cannot listen on 127.0.0.1:{settings.PORT}: {error}")
    server.set_app(application)

    def stop(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    keycloak = settings.KEYCLOAK
    faults = "".join(f"\n{NAME}: FAULT {name}: {settings.KNOWN_FAULTS[name]}" for name in sorted(settings.FAULTS))
    print(f"{NAME}: listening on http://127.0.0.1:{settings.PORT} (issuer {keycloak['ISSUER']}, client {keycloak['CLIENT_ID']}, authz {keycloak['AUTHZ_CONFIG']}){faults}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
