"""Helpers for the tests of the web pages: a live ``kg serve``, headless Chromium, injected-script checks.

- :func:`live_server` starts ``kg serve`` on a store over real HTTP and stops it afterwards.
- :func:`browser_fixture` makes a session-scoped fixture with a headless Chromium WebDriver. All
  modules that use it share one browser. Without ``chromium`` and ``chromedriver`` the tests are
  skipped, unless the ``CI`` environment variable is set: then they fail.
- :func:`script_problems` tells whether anything injected ran on the current page: payloads set
  ``window.__pwned``; ``alert``/``confirm``/``prompt`` are replaced before any page script runs
  so a call is recorded instead of blocking the browser. It also finds markup that could run a
  payload later: ``on*`` attributes carrying it, ``javascript:`` links, payload text in scripts.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.live import copy_store, free_port, kg_command, running  # noqa: F401  (re-exported)

#: The flags every browser is started with: headless, and no attempt to reach hosts other than
#: loopback. The resolver rule makes the machine look offline even where a network exists, so the
#: query page is always tested as it works offline (YASGUI's CDN unreachable).
CHROMIUM_FLAGS = (
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
    "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1", "--window-size=1280,1000",
)
#: Runs in every document before its own scripts: dialogs are recorded, never shown.
GUARD = """
(function () {
  var record = function (kind) {
    return function (message) { (window.__opskgDialogs = window.__opskgDialogs || []).push(kind + ": " + message); };
  };
  window.alert = record("alert"); window.confirm = record("confirm"); window.prompt = record("prompt");
})();
"""
#: What ran, or could run, on the page: a list of findings, empty when the page is clean.
INSPECT = """
var found = [];
if (typeof window.__pwned !== "undefined") { found.push("window.__pwned was set to " + String(window.__pwned)); }
(window.__opskgDialogs || []).forEach(function (d) { found.push("dialog opened: " + d); });
document.querySelectorAll("*").forEach(function (el) {
  Array.prototype.forEach.call(el.attributes, function (attr) {
    var name = attr.name.toLowerCase(), value = attr.value;
    if (name.indexOf("on") === 0 && /__pwned|alert\\(/i.test(value)) {
      found.push("<" + el.localName + "> has " + name + "=" + JSON.stringify(value));
    }
    if (/^(href|xlink:href|src|action|formaction|data|srcdoc)$/.test(name) && /^\\s*javascript:/i.test(value)) {
      found.push("<" + el.localName + "> has " + name + "=" + JSON.stringify(value));
    }
  });
});
document.querySelectorAll("script").forEach(function (s) {
  if (/__pwned|alert\\(/.test(s.textContent)) {
    found.push("a <script> holds the payload: " + s.textContent.slice(0, 80));
  }
});
return found;
"""


# --- kg serve ---------------------------------------------------------------------------------


@contextmanager
def live_server(store: Path, *, base: str | None = None, port: int | None = None) -> Iterator[str]:
    """``kg serve`` on ``store`` (with ``--base`` when given): yields ``http://127.0.0.1:PORT``."""
    args = ("--base", base) if base is not None else ()
    with tempfile.TemporaryDirectory() as folder, running(store, Path(folder) / "serve.log", *args,
                                                          port=port) as server:
        yield server.url


# --- headless Chromium ------------------------------------------------------------------------


def chromium_paths() -> tuple[str, str]:
    """The Chromium and chromedriver executables; skips the test without them (fails in CI)."""
    browser = next((p for p in (shutil.which(n) for n in ("chromium", "chromium-browser")) if p), None)
    driver = shutil.which("chromedriver")
    if browser is None or driver is None:
        missing = " and ".join(n for n, p in (("chromium", browser), ("chromedriver", driver)) if p is None)
        message = f"{missing} not installed: apt-get install chromium chromium-driver (.ci/run does)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return browser, driver


def start_chromium(profile: Path, log_file: Path) -> Any:
    """A headless Chromium WebDriver with a fresh profile and the dialog guard installed."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    browser, driver_path = chromium_paths()
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    # A path to the driver keeps Selenium Manager (which would try the network) out of it.
    service = Service(executable_path=driver_path, log_output=str(log_file))
    driver = webdriver.Chrome(options=options, service=service)
    driver.set_page_load_timeout(30)
    driver.set_script_timeout(30)
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": GUARD})
    return driver


_shared: dict[str, Any] = {"driver": None, "users": 0}


def browser_fixture() -> Callable[..., Any]:
    """A session-scoped ``browser`` fixture: ``browser = browser_fixture()`` in a test module.

    Every module's fixture hands out the same Chromium; it is closed when the last one is torn down.
    """

    @pytest.fixture(scope="session")
    def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
        if _shared["driver"] is None:
            root = tmp_path_factory.mktemp("chromium")
            _shared["driver"] = start_chromium(root / "profile", root / "chromedriver.log")
        _shared["users"] += 1
        try:
            yield _shared["driver"]
        finally:
            _shared["users"] -= 1
            if _shared["users"] == 0:
                driver, _shared["driver"] = _shared["driver"], None
                driver.quit()

    return browser


def script_problems(driver: Any) -> list[str]:
    """What injected script ran, or could run, on the current page (empty: nothing)."""
    from selenium.common.exceptions import UnexpectedAlertPresentException

    try:
        found: list[str] = driver.execute_script(INSPECT)
    except UnexpectedAlertPresentException as exc:  # a dialog got past the guard
        return [f"a dialog was opened: {exc.alert_text}"]
    return found


def wait_for(driver: Any, condition: Callable[[Any], Any], timeout: float = 20, message: str = "") -> Any:
    """Wait until ``condition(driver)`` is truthy and return it."""
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout, poll_frequency=0.1).until(condition, message)
