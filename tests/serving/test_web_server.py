"""The demo page's static server, the CORS settings and the widget's source
rules. Fast: no Rasa, no browser."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time

import pytest
import requests

from bot.paths import PROJECT_ROOT
from bot.serving import stack as stack_module
from bot.serving.stack import Stack, cors_origins, free_port
from bot.serving.web_server import config_script, content_security_policy, serve_in_thread

ROOT = PROJECT_ROOT
WEB = ROOT / "web"
RASA = "http://127.0.0.1:5999"


@pytest.fixture(scope="module")
def web():
    server = serve_in_thread("127.0.0.1", free_port(), RASA)
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_config_js_names_the_rasa_server(web):
    resp = requests.get(f"{web}/config.js", timeout=5)
    assert resp.status_code == 200
    assert resp.headers["Content-Type"].startswith("text/javascript")
    assert resp.text == 'window.VACCINE_FAQ_CHAT_CONFIG = {"server": "http://127.0.0.1:5999"};\n'
    head = requests.head(f"{web}/config.js", timeout=5)
    assert head.status_code == 200 and head.text == ""


def test_config_script_cannot_close_a_script_tag():
    assert b"</script>" not in config_script("http://x/</script><script>alert(1)//")


def test_demo_page_and_widget_are_served_with_a_strict_policy(web):
    page = requests.get(f"{web}/", timeout=5)
    assert page.status_code == 200
    assert page.headers["Content-Type"] == "text/html; charset=utf-8"
    assert 'src="widget.js"' in page.text and 'id="vaccine-faq-chat"' in page.text
    csp = page.headers["Content-Security-Policy"]
    assert "script-src 'self';" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "connect-src 'self' http://127.0.0.1:5999;" in csp
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert "Python" not in page.headers["Server"]
    for name, kind in [("widget.js", "text/javascript"), ("widget.css", "text/css")]:
        resp = requests.get(f"{web}/{name}", timeout=5)
        assert resp.status_code == 200 and resp.headers["Content-Type"].startswith(kind), name


def test_csp_connects_only_to_the_rasa_origin():
    assert "connect-src 'self' https://bot.example.org:5005;" in content_security_policy(
        "https://bot.example.org:5005/some/path"
    )


@pytest.mark.parametrize("path", ["/../bot/cli.py", "/%2e%2e/bot/cli.py", "/..%2fbot%2fcli.py", "/nope.js"])
def test_nothing_outside_web_is_served(web, path):
    # requests would normalise "..": send the raw path.
    import http.client

    host, port = web.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=5)
    conn.request("GET", path)
    resp = conn.getresponse()
    body = resp.read()
    conn.close()
    assert resp.status == 404, (path, body[:80])
    assert b"def cmd_run" not in body


def test_no_directory_listing(tmp_path):
    (tmp_path / "index.html").write_text("<p>demo</p>", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "secret.txt").write_text("x")
    server = serve_in_thread("127.0.0.1", free_port(), RASA, root=tmp_path)
    try:
        resp = requests.get(f"http://127.0.0.1:{server.server_address[1]}/sub/", timeout=5)
        assert resp.status_code == 404 and "secret.txt" not in resp.text
    finally:
        server.shutdown()
        server.server_close()


def test_command_line_server_binds_localhost_and_stops_on_sigterm():
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.serving.web_server", "--port", str(port), "--rasa-url", RASA],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                resp = requests.get(f"http://127.0.0.1:{port}/config.js", timeout=1)
                break
            except requests.ConnectionError:
                assert proc.poll() is None, proc.stdout.read().decode()
                assert time.monotonic() < deadline, "web server did not start"
                time.sleep(0.1)
        assert RASA in resp.text
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
        assert f"http://127.0.0.1:{port}/" in proc.stdout.read().decode()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_command_line_reports_a_busy_port():
    with serve_in_thread("127.0.0.1", free_port(), RASA) as busy:
        port = busy.server_address[1]
        result = subprocess.run(
            [sys.executable, "-m", "bot.serving.web_server", "--port", str(port)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=20,
        )
        busy.shutdown()
    assert result.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr


# ---------- CORS settings and the stack ----------


def test_cors_defaults_to_the_demo_pages_origin(monkeypatch):
    monkeypatch.delenv("BOT_CORS_ORIGINS", raising=False)
    assert cors_origins() == ["http://localhost:8000", "http://127.0.0.1:8000"]
    assert cors_origins(8123) == ["http://localhost:8123", "http://127.0.0.1:8123"]


def test_cors_origins_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("BOT_CORS_ORIGINS", "https://a.example.org, https://b.example.org  http://c:81")
    assert cors_origins(8000) == ["https://a.example.org", "https://b.example.org", "http://c:81"]


def test_stack_passes_cors_to_rasa_and_starts_the_web_server(monkeypatch, tmp_path):
    monkeypatch.delenv("BOT_CORS_ORIGINS", raising=False)
    fake_rasa = tmp_path / "rasa"
    fake_rasa.write_text("")
    model = tmp_path / "model.tar.gz"
    model.write_text("")
    monkeypatch.setattr(stack_module, "RASA_BIN", fake_rasa)
    spawned = {}
    monkeypatch.setattr(Stack, "_spawn", lambda self, name, cmd, env_extra=None: spawned.setdefault(name, cmd))

    running = Stack(rasa_port=free_port(), web_port=free_port(), model=model)
    running.start_rasa_server()
    running.start_web_server()
    rasa_cmd = spawned["rasa"]
    cors = rasa_cmd[rasa_cmd.index("--cors") + 1 :][:2]
    assert cors == [f"http://localhost:{running.web_port}", f"http://127.0.0.1:{running.web_port}"]
    web_cmd = spawned["web"]
    assert web_cmd[1:3] == ["-m", "bot.serving.web_server"]
    assert web_cmd[web_cmd.index("--rasa-url") + 1] == running.rasa_url
    assert web_cmd[web_cmd.index("--host") + 1] == "127.0.0.1"
    assert running.web_url == f"http://localhost:{running.web_port}/"
    assert Stack().web_url is None


def test_run_command_serves_the_demo_on_port_8000_by_default():
    from bot.cli import build_parser

    assert build_parser().parse_args(["run"]).web_port == 8000
    assert build_parser().parse_args(["run", "--web-port", "0"]).web_port == 0


# ---------- the widget's source ----------

WIDGET_JS = (WEB / "widget.js").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "sink",
    [
        "innerHTML",
        "outerHTML",
        "insertAdjacentHTML",
        "document.write",
        "eval(",
        "new Function",
        'setAttribute("on',
        "srcdoc",
    ],
)
def test_widget_never_parses_strings_as_html_or_code(sink):
    assert sink not in WIDGET_JS


def test_widget_refuses_at_the_servers_limit():
    from bot.text.validate import MAX_QUESTION_CHARS

    assert re.search(rf"maxChars:\s*{MAX_QUESTION_CHARS}\b", WIDGET_JS)


def test_widget_buttons_are_buttons():
    # Every clickable thing the widget creates is a real <button> with a type.
    created = re.findall(r'el\("(\w+)", "vfc-(?:chip|retry|reset|send)"', WIDGET_JS)
    assert created and set(created) == {"button"}


def test_demo_page_has_no_inline_script():
    html = (WEB / "index.html").read_text(encoding="utf-8")
    assert all("src=" in tag for tag in re.findall(r"<script[^>]*>", html))
    assert "style=" not in html


def test_install_script_is_valid_bash():
    script = ROOT / "scripts" / "install-system-deps.sh"
    assert subprocess.run(["bash", "-n", str(script)]).returncode == 0
    assert "chromium" in script.read_text() and "fonts-noto-cjk" in script.read_text()
