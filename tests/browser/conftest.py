"""Fixtures for the browser tests: the local server, fake camera videos and headless Chromium."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fake_camera import selfie_frame, write_y4m
from local_server import FACES, REPO_ROOT, LocalServer, run_local_server
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

ARTIFACTS = REPO_ROOT / "test-artifacts" / "browser"
CHROMIUM = os.environ.get("CHROMIUM_BIN", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER_BIN", "/usr/bin/chromedriver")
# Flags that keep Chromium off the (closed) network and away from first-run prompts.
CHROMIUM_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=900,1000",
    "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream",
    # No name but 127.0.0.1 resolves: the pages under test never reach beyond this machine.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
)


@pytest.fixture(scope="session")
def browser_binaries() -> tuple[str, str]:
    """Debian's chromium and chromium-driver; a missing one fails the test with the fix."""
    missing = [path for path in (CHROMIUM, CHROMEDRIVER) if shutil.which(path) is None]
    if missing:
        pytest.fail(
            f"Headless Chromium is needed for the browser tests but {', '.join(missing)} "
            "is missing: run `make setup` (installs Debian's chromium and chromium-driver).",
            pytrace=False,
        )
    return CHROMIUM, CHROMEDRIVER


@pytest.fixture(scope="module")
def local_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServer]:
    """The local API and camera page on a free port, with a fresh state dir."""
    with run_local_server(tmp_path_factory.mktemp("faceauth-local")) as server:
        yield server


@pytest.fixture(scope="session")
def camera_video(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    """Build (once per photo) a .y4m selfie video from a shared face photo, in a temp dir."""
    folder = tmp_path_factory.mktemp("fake-camera")

    def build(photo_name: str) -> Path:
        target = folder / f"{Path(photo_name).stem}.y4m"
        if not target.exists():
            write_y4m(selfie_frame(FACES / photo_name), target)
        return target

    return build


@pytest.fixture
def open_browser(
    browser_binaries: tuple[str, str], tmp_path: Path
) -> Iterator[Callable[[Path], webdriver.Chrome]]:
    """Start a fresh headless Chromium whose camera plays the given video."""
    drivers: list[webdriver.Chrome] = []

    def start(video: Path) -> webdriver.Chrome:
        chromium, chromedriver = browser_binaries
        options = webdriver.ChromeOptions()
        options.binary_location = chromium
        for flag in CHROMIUM_FLAGS:
            options.add_argument(flag)
        options.add_argument(f"--use-file-for-fake-video-capture={video}")
        options.add_argument(f"--user-data-dir={tmp_path / f'profile-{len(drivers)}'}")
        driver = webdriver.Chrome(options=options, service=Service(executable_path=chromedriver))
        drivers.append(driver)
        return driver

    yield start
    for driver in drivers:
        driver.quit()


@pytest.fixture
def screenshot(request: pytest.FixtureRequest) -> Callable[[webdriver.Chrome, str], Path]:
    """Save a screenshot as test-artifacts/browser/<test>-<step>.png."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def take(driver: webdriver.Chrome, step: str) -> Path:
        path = ARTIFACTS / f"{request.node.name}-{step}.png"
        driver.save_screenshot(str(path))
        return path

    return take
