"""Serves the web chat widget (web/) and its demo page.

Standard library only, so it runs in either environment and adds nothing to
the lock files. The one generated file, /config.js, tells the demo page where
the Rasa server is; everything else is a static file from web/, except the
staff report under /staff/ (bot/serving/staff_page.py: token-only, files
outside web/).

    python -m bot.serving.web_server --port 8000 --rasa-url http://127.0.0.1:5005
"""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
import threading
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Optional
from urllib.parse import urlsplit

from bot.serving.staff_page import DEFAULT_REPORT_DIR, StaffSettings
from bot.serving.staff_page import PREFIX as STAFF_PREFIX
from bot.serving.staff_page import serve as serve_staff_page

logger = logging.getLogger(__name__)

WEB_ROOT = Path(__file__).resolve().parents[2] / "web"
CONFIG_PATH = "/config.js"


def config_script(rasa_url: str) -> bytes:
    # json.dumps alone would let a "</script>" in the URL end an inline script
    # tag if someone inlines this file; escaping "<" costs nothing.
    payload = json.dumps({"server": rasa_url}, ensure_ascii=False).replace("<", "\\u003c")
    return f"window.VACCINE_FAQ_CHAT_CONFIG = {payload};\n".encode("utf-8")


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def content_security_policy(rasa_url: str) -> str:
    # The widget renders every text with textContent; this policy is the second
    # line of defence: no inline script, and fetch only to the bot.
    connect = " ".join(filter(None, ["'self'", origin_of(rasa_url)]))
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        f"connect-src {connect}; object-src 'none'; base-uri 'none'; form-action 'none'; "
        "frame-ancestors 'self'"
    )


class WidgetRequestHandler(SimpleHTTPRequestHandler):
    server_version = "VaccineFAQWeb"
    extensions_map = {
        **SimpleHTTPRequestHandler.extensions_map,
        ".js": "text/javascript; charset=utf-8",
        ".css": "text/css; charset=utf-8",
        ".html": "text/html; charset=utf-8",
        ".svg": "image/svg+xml",
    }

    def __init__(self, *args, rasa_url: str, staff: Optional[StaffSettings] = None, **kwargs):
        self.rasa_url = rasa_url
        self.staff = staff or StaffSettings(None, DEFAULT_REPORT_DIR)
        self.csp_override: Optional[str] = None  # the staff page sends its own policy
        super().__init__(*args, **kwargs)

    def version_string(self) -> str:
        return self.server_version  # no Python version for scanners to match

    def end_headers(self) -> None:
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("Content-Security-Policy", self.csp_override or content_security_policy(self.rasa_url))
        if self.csp_override:
            # The staff report: never cached by a shared proxy or the browser, never indexed.
            self.send_header("Cache-Control", "no-store")
            self.send_header("X-Robots-Tag", "noindex")
        else:
            # A demo server: a stale widget after an edit costs more than a re-download.
            self.send_header("Cache-Control", "no-cache")
        super().end_headers()

    def do_GET(self) -> None:
        self.csp_override = None  # one handler serves every request of a keep-alive connection
        path = urlsplit(self.path).path
        if path == CONFIG_PATH:
            self._send_config(head_only=False)
        elif path.startswith(STAFF_PREFIX):
            serve_staff_page(self, self.staff, path, head_only=False)
        else:
            super().do_GET()

    def do_HEAD(self) -> None:
        self.csp_override = None
        path = urlsplit(self.path).path
        if path == CONFIG_PATH:
            self._send_config(head_only=True)
        elif path.startswith(STAFF_PREFIX):
            serve_staff_page(self, self.staff, path, head_only=True)
        else:
            super().do_HEAD()

    def _refuse_method(self) -> None:
        # A static site: anything but GET/HEAD is the client's mistake (405), not a
        # server fault (http.server's default 501). The body is never read.
        self.close_connection = True
        self.send_response(HTTPStatus.METHOD_NOT_ALLOWED)
        self.send_header("Allow", "GET, HEAD")
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = _refuse_method

    def _send_config(self, head_only: bool) -> None:
        body = config_script(self.rasa_url)
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/javascript; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head_only:
            self.wfile.write(body)

    def list_directory(self, path):
        # Nothing in web/ is secret, but a listing is not part of the product.
        self.send_error(HTTPStatus.NOT_FOUND, "Not found")
        return None

    def log_message(self, format: str, *args) -> None:
        logger.info("%s %s", self.address_string(), format % args)


def make_server(
    host: str, port: int, rasa_url: str, root: Path = WEB_ROOT, staff: Optional[StaffSettings] = None
) -> ThreadingHTTPServer:
    """`staff`: the staff report page's token and folder (default: from the environment)."""
    handler = partial(
        WidgetRequestHandler, directory=str(root), rasa_url=rasa_url, staff=staff or StaffSettings.from_env()
    )
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True  # a browser holding a keep-alive socket must not block shutdown
    return server


def serve_in_thread(
    host: str, port: int, rasa_url: str, root: Path = WEB_ROOT, staff: Optional[StaffSettings] = None
) -> ThreadingHTTPServer:
    """For tests and embedding: returns a running server; call .shutdown() to stop it."""
    server = make_server(host, port, rasa_url, root, staff)
    threading.Thread(target=server.serve_forever, name="web-widget", daemon=True).start()
    return server


def main(argv: Optional[list] = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bot.serving.web_server", description="serve the web chat widget and its demo page"
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1: only this machine can open the page)"
    )
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument(
        "--rasa-url",
        default="http://127.0.0.1:5005",
        help="the Rasa server the page talks to, as the browser reaches it",
    )
    parser.add_argument("--root", type=Path, default=WEB_ROOT, help=argparse.SUPPRESS)
    parser.add_argument("--verbose", action="store_true", help="log every request")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if not (args.root / "index.html").is_file():
        print(f"error: {args.root} has no index.html", file=sys.stderr)
        return 1
    try:
        server = make_server(args.host, args.port, args.rasa_url, args.root)
    except OSError as exc:
        print(f"error: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1

    # The stack stops its children with SIGTERM; turn it into a clean exit.
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    print(f"web chat demo on http://{args.host}:{args.port}/ (Rasa server: {args.rasa_url})", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
