"""The staff report page: token only, never through the widget's static routes."""

import base64
import http.client

import pytest
import requests

from bot.serving.stack import free_port
from bot.serving.staff_page import Access, StaffSettings, check, presented_token
from bot.serving.web_server import serve_in_thread

TOKEN = "s3cret-staff-token-0123456789"
REPORT = "<!DOCTYPE html><html><body><h1>对话报告</h1></body></html>"


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory):
    path = tmp_path_factory.mktemp("reports")
    (path / "report.html").write_text(REPORT, encoding="utf-8")
    (path / "daily.csv").write_text("day,questions\n2026-11-02,3\n", encoding="utf-8")
    return path


def start(staff):
    server = serve_in_thread("127.0.0.1", free_port(), "http://127.0.0.1:5999", staff=staff)
    return server, f"http://127.0.0.1:{server.server_address[1]}"


@pytest.fixture(scope="module")
def web(report_dir):
    server, url = start(StaffSettings(TOKEN, report_dir))
    yield url
    server.shutdown()
    server.server_close()


def raw_get(base, path, headers=None):
    host, port = base.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=5)
    conn.request("GET", path, headers=headers or {})
    resp = conn.getresponse()
    body = resp.read()
    conn.close()
    return resp.status, body


def test_without_a_token_the_report_is_refused_with_401(web):
    resp = requests.get(f"{web}/staff/report", timeout=5)
    assert resp.status_code == 401
    assert resp.headers["WWW-Authenticate"].startswith("Basic")
    assert "对话报告" not in resp.text


@pytest.mark.parametrize(
    "auth",
    [
        f"Bearer {TOKEN}x",
        f"Bearer {TOKEN[:-1]}",
        "Bearer ",
        f"Token {TOKEN}",
        "Basic " + base64.b64encode(b"staff:wrong").decode(),
        "Basic %%%",
    ],
)
def test_wrong_tokens_are_refused(web, auth):
    assert requests.get(f"{web}/staff/report", headers={"Authorization": auth}, timeout=5).status_code == 401


def test_bearer_and_basic_tokens_open_the_report(web):
    bearer = requests.get(f"{web}/staff/report", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=5)
    assert bearer.status_code == 200 and bearer.text == REPORT
    assert bearer.headers["Content-Type"] == "text/html; charset=utf-8"
    assert bearer.headers["Cache-Control"] == "no-store"
    assert "default-src 'none'" in bearer.headers["Content-Security-Policy"]
    basic = requests.get(f"{web}/staff/report", auth=("any-name", TOKEN), timeout=5)
    assert basic.status_code == 200 and basic.text == REPORT
    csv = requests.get(f"{web}/staff/daily.csv", auth=("x", TOKEN), timeout=5)
    assert csv.status_code == 200 and "attachment" in csv.headers["Content-Disposition"]


def test_the_widget_keeps_its_own_policy_on_the_same_connection(web):
    with requests.Session() as session:
        assert session.get(f"{web}/staff/report", auth=("x", TOKEN), timeout=5).status_code == 200
        widget = session.get(f"{web}/widget.js", timeout=5)
        assert widget.headers["Content-Security-Policy"].startswith("default-src 'self'")


@pytest.mark.parametrize(
    "path",
    [
        "/staff/../../state/reports/report.html",
        "/staff/report.html",
        "/staff/%2e%2e/%2e%2e/bot/cli.py",
        "/staff/questions.csv",
    ],
)
def test_only_the_listed_report_files_are_served(web, path):
    status, body = raw_get(web, path, {"Authorization": f"Bearer {TOKEN}"})
    assert status == 404 and b"def cmd_run" not in body


@pytest.mark.parametrize(
    "path",
    [
        "/report.html",
        "/state/reports/report.html",
        "/../state/reports/report.html",
        "/%2e%2e/state/reports/report.html",
        "/reports/report.html",
    ],
)
def test_static_widget_routes_never_reach_the_report(web, path):
    status, body = raw_get(web, path, {"Authorization": f"Bearer {TOKEN}"})
    assert status == 404 and "对话报告".encode() not in body


def test_no_token_configured_means_the_page_is_off(report_dir):
    server, url = start(StaffSettings(None, report_dir))
    try:
        for headers in ({}, {"Authorization": f"Bearer {TOKEN}"}):
            resp = requests.get(f"{url}/staff/report", headers=headers, timeout=5)
            assert resp.status_code == 403 and "BOT_STAFF_TOKEN" in resp.text
    finally:
        server.shutdown()
        server.server_close()


def test_missing_report_is_a_clear_404(tmp_path):
    server, url = start(StaffSettings(TOKEN, tmp_path))
    try:
        resp = requests.get(f"{url}/staff/report", auth=("x", TOKEN), timeout=5)
        assert resp.status_code == 404 and "make report" in resp.text
    finally:
        server.shutdown()
        server.server_close()


def test_short_tokens_from_the_environment_keep_the_page_off(monkeypatch, tmp_path):
    monkeypatch.setenv("BOT_STAFF_TOKEN", "short")
    assert check(StaffSettings.from_env(tmp_path), "Bearer short") is Access.DISABLED
    monkeypatch.setenv("BOT_STAFF_TOKEN", TOKEN)
    monkeypatch.setenv("BOT_REPORT_DIR", str(tmp_path))
    settings = StaffSettings.from_env()
    assert settings.report_dir == tmp_path and check(settings, f"Bearer {TOKEN}") is Access.GRANTED


def test_presented_token():
    assert presented_token("bearer abc") == "abc"
    assert presented_token("Basic " + base64.b64encode("名字:令牌:含冒号".encode()).decode()) == "令牌:含冒号"
    assert presented_token(None) is None and presented_token("Digest x") is None
