"""The staff-only report page of the demo web server (/staff/...).

The report names what citizens asked, so it is served only to holders of a
token (BOT_STAFF_TOKEN), sent as `Authorization: Bearer <token>` or as the
password of HTTP Basic auth (any user name; the browser asks for it). No
token configured: the page is off (403). Wrong or missing token: 401. The
report files live outside web/ (state/reports/ by default), so the static
widget routes can never reach them.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import logging
import os
from dataclasses import dataclass
from enum import Enum
from http import HTTPStatus
from pathlib import Path
from typing import Optional

from bot.paths import PROJECT_ROOT

logger = logging.getLogger(__name__)

TOKEN_ENV = "BOT_STAFF_TOKEN"
REPORT_DIR_ENV = "BOT_REPORT_DIR"
DEFAULT_REPORT_DIR = PROJECT_ROOT / "state" / "reports"
PREFIX = "/staff/"
# A short token can be guessed over HTTP; refuse to enable the page with one.
MIN_TOKEN_CHARS = 16
# What /staff/<name> may serve: the report and its CSV tables, nothing else.
FILES = {
    "report": ("report.html", "text/html; charset=utf-8"),
    "daily.csv": ("daily.csv", "text/csv; charset=utf-8"),
    "questions.csv": ("questions.csv", "text/csv; charset=utf-8"),
    "declined_groups.csv": ("declined_groups.csv", "text/csv; charset=utf-8"),
    "rated_answers.csv": ("rated_answers.csv", "text/csv; charset=utf-8"),
}
# The report has inline CSS and SVG and no script at all.
CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'"
)


class Access(str, Enum):
    GRANTED = "granted"
    DISABLED = "disabled"  # no (usable) token configured
    DENIED = "denied"  # no or wrong credentials


@dataclass(frozen=True)
class StaffSettings:
    token: Optional[str]
    report_dir: Path

    @classmethod
    def from_env(cls, report_dir: Optional[Path] = None) -> "StaffSettings":
        token = os.environ.get(TOKEN_ENV) or None
        if token is not None and len(token) < MIN_TOKEN_CHARS:
            logger.warning("%s is shorter than %d characters; the staff page stays off", TOKEN_ENV, MIN_TOKEN_CHARS)
            token = None
        directory = report_dir or Path(os.environ.get(REPORT_DIR_ENV) or DEFAULT_REPORT_DIR)
        return cls(token, directory)


def presented_token(authorization: Optional[str]) -> Optional[str]:
    """The token in a Bearer header, or the password of a Basic one."""
    if not authorization:
        return None
    scheme, _, value = authorization.strip().partition(" ")
    value = value.strip()
    if scheme.lower() == "bearer":
        return value or None
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(value, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        return decoded.partition(":")[2] or None
    return None


def check(settings: StaffSettings, authorization: Optional[str]) -> Access:
    if not settings.token:
        return Access.DISABLED
    given = presented_token(authorization)
    # compare_digest: the time taken does not reveal how much of a guess was right.
    if given is None or not hmac.compare_digest(given.encode("utf-8"), settings.token.encode("utf-8")):
        return Access.DENIED
    return Access.GRANTED


def _send_text(handler, status: HTTPStatus, text: str, head_only: bool, extra=()) -> None:
    body = text.encode("utf-8")
    handler.send_response(status)
    for name, value in extra:
        handler.send_header(name, value)
    handler.send_header("Content-Type", "text/plain; charset=utf-8")
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    if not head_only:
        handler.wfile.write(body)


def serve(handler, settings: StaffSettings, path: str, head_only: bool) -> None:
    """Answer a /staff/... request on a BaseHTTPRequestHandler."""
    handler.csp_override = CSP
    access = check(settings, handler.headers.get("Authorization"))
    if access is Access.DISABLED:
        _send_text(
            handler,
            HTTPStatus.FORBIDDEN,
            f"报告页未开启：请在服务器上设置 {TOKEN_ENV}（至少 {MIN_TOKEN_CHARS} 个字符）。\n",
            head_only,
        )
        return
    if access is Access.DENIED:
        logger.warning("staff page: refused a request without a valid token from %s", handler.client_address[0])
        _send_text(
            handler,
            HTTPStatus.UNAUTHORIZED,
            "需要工作人员令牌。\n",
            head_only,
            [("WWW-Authenticate", 'Basic realm="staff", charset="UTF-8"')],
        )
        return
    entry = FILES.get(path[len(PREFIX) :])
    if entry is None:
        _send_text(handler, HTTPStatus.NOT_FOUND, "没有这个页面。可用：/staff/report\n", head_only)
        return
    name, content_type = entry
    try:
        body = (settings.report_dir / name).read_bytes()
    except FileNotFoundError:
        _send_text(
            handler, HTTPStatus.NOT_FOUND, "还没有报告：请先运行 make report（python -m bot report）。\n", head_only
        )
        return
    handler.send_response(HTTPStatus.OK)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(body)))
    if name.endswith(".csv"):
        handler.send_header("Content-Disposition", f'attachment; filename="{name}"')
    handler.end_headers()
    if not head_only:
        handler.wfile.write(body)
