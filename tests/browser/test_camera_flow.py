"""The camera page in headless Chromium, with a fake camera playing a face photo."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from fake_camera import HEIGHT, WIDTH, write_y4m
from local_server import FACES, LocalServer
from PIL import Image
from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from faceauth_client import Client

pytestmark = pytest.mark.browser

OpenBrowser = Callable[[Path], webdriver.Chrome]
Screenshot = Callable[[webdriver.Chrome, str], Path]
FLOW_SECONDS = 90  # auto-capture (1.5 s still) plus a face comparison on a busy machine


def new_user() -> str:
    return f"user-{uuid.uuid4().hex[:10]}"


def log_in(driver: webdriver.Chrome, server: LocalServer, user_id: str) -> None:
    driver.get(server.url + "/")
    WebDriverWait(driver, 15).until(
        lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-ready")
    )
    driver.find_element(By.ID, "user-id").send_keys(user_id)
    driver.find_element(By.ID, "login-button").click()


def view(driver: webdriver.Chrome) -> str:
    return str(driver.find_element(By.TAG_NAME, "body").get_attribute("data-view"))


def wait_for(
    driver: webdriver.Chrome, condition: Callable[[webdriver.Chrome], bool], what: str
) -> None:
    try:
        WebDriverWait(driver, FLOW_SECONDS, poll_frequency=0.25).until(condition)
    except TimeoutException:
        status = driver.find_element(By.ID, "camera-status").text
        message = driver.find_element(By.ID, "camera-message").text
        login = driver.find_element(By.ID, "login-message").text
        pytest.fail(
            f"waited {FLOW_SECONDS} s for {what}; view={view(driver)!r} status={status!r} "
            f"camera message={message!r} login message={login!r}"
        )


def register_with_camera(
    open_browser: OpenBrowser,
    video: Path,
    server: LocalServer,
    user_id: str,
    screenshot: Screenshot,
) -> None:
    driver = open_browser(video)
    log_in(driver, server, user_id)
    wait_for(driver, lambda d: view(d) == "registered", "the registered view")
    screenshot(driver, "1-registered")


def test_root_shows_login_with_api_key_prefilled(
    local_server: LocalServer,
    open_browser: OpenBrowser,
    camera_video: Callable[[str], Path],
    screenshot: Screenshot,
) -> None:
    # Given the local server
    driver = open_browser(camera_video("obama_1.jpg"))
    # When its root page is opened
    driver.get(local_server.url + "/")
    WebDriverWait(driver, 15).until(
        lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-ready")
    )
    screenshot(driver, "login")
    # Then the login screen asks for a user name, with the demo key filled in from /config.json
    assert view(driver) == "login"
    assert driver.find_element(By.ID, "login-title").text == "Log in with a selfie"
    assert driver.find_element(By.ID, "api-key").get_attribute("value") == local_server.api_key


def test_same_person_registers_then_logs_in_to_the_dashboard(
    local_server: LocalServer,
    open_browser: OpenBrowser,
    camera_video: Callable[[str], Path],
    screenshot: Screenshot,
) -> None:
    # Given a user who registered through the camera page with one photo of Obama
    user_id = new_user()
    register_with_camera(
        open_browser, camera_video("obama_1.jpg"), local_server, user_id, screenshot
    )
    # When the user logs in from a new browser whose camera shows another photo of Obama
    driver = open_browser(camera_video("obama_2.jpg"))
    log_in(driver, local_server, user_id)
    wait_for(driver, lambda d: view(d) == "camera", "the camera view")
    screenshot(driver, "2-camera")
    wait_for(driver, lambda d: view(d) == "dashboard", "the dashboard")
    screenshot(driver, "3-dashboard")
    # Then the dashboard greets the user with a PASS above the threshold
    assert driver.find_element(By.ID, "dashboard-user").text == user_id
    assert driver.find_element(By.ID, "dashboard-result").text == "PASS"
    similarity = float(driver.find_element(By.ID, "dashboard-similarity").text)
    threshold = float(driver.find_element(By.ID, "dashboard-threshold").text)
    assert similarity >= threshold


def test_another_person_gets_fail_and_stays_on_the_camera(
    local_server: LocalServer,
    open_browser: OpenBrowser,
    camera_video: Callable[[str], Path],
    screenshot: Screenshot,
) -> None:
    # Given a user registered with a photo of Obama (through the typed client)
    user_id = new_user()
    client = Client(local_server.api_url, local_server.api_key, timeout=60)
    client.register(user_id, (FACES / "obama_1.jpg").read_bytes())
    # When someone logs in as that user in front of a camera showing Biden
    driver = open_browser(camera_video("biden_1.jpg"))
    log_in(driver, local_server, user_id)
    message = driver.find_element(By.ID, "camera-message")
    wait_for(driver, lambda d: message.is_displayed(), "a message on the camera view")
    screenshot(driver, "fail")
    # Then the page stays on the camera with a FAIL message and waits for the user
    assert view(driver) == "camera"
    assert message.text.startswith("FAIL")
    assert driver.find_element(By.ID, "retry-button").is_displayed()
    assert client.status(user_id).consecutive_failures == 1


def test_photo_without_a_face_gets_a_readable_message(
    local_server: LocalServer,
    open_browser: OpenBrowser,
    tmp_path: Path,
    screenshot: Screenshot,
) -> None:
    # Given a registered user and a camera that shows only a wall (a grey gradient)
    user_id = new_user()
    client = Client(local_server.api_url, local_server.api_key, timeout=60)
    client.register(user_id, (FACES / "obama_1.jpg").read_bytes())
    wall = Image.linear_gradient("L").resize((WIDTH, HEIGHT)).convert("RGB")
    driver = open_browser(write_y4m(wall, tmp_path / "wall.y4m"))
    # When the user logs in and the page captures the still picture
    log_in(driver, local_server, user_id)
    message = driver.find_element(By.ID, "camera-message")
    wait_for(driver, lambda d: message.is_displayed(), "a message on the camera view")
    screenshot(driver, "no-face")
    # Then the page explains that no face was found, and nothing counts as a failure
    assert message.text.startswith("No face was found")
    assert client.status(user_id).consecutive_failures == 0


def test_locked_user_is_told_at_login(
    local_server: LocalServer,
    open_browser: OpenBrowser,
    camera_video: Callable[[str], Path],
    screenshot: Screenshot,
) -> None:
    # Given a user locked by five failed verifications
    user_id = new_user()
    client = Client(local_server.api_url, local_server.api_key, timeout=60)
    client.register(user_id, (FACES / "obama_1.jpg").read_bytes())
    impostor = (FACES / "biden_1.jpg").read_bytes()
    for _ in range(5):
        client.verify(user_id, impostor)
    assert client.status(user_id).locked
    # When the user tries to log in on the camera page
    driver = open_browser(camera_video("obama_2.jpg"))
    log_in(driver, local_server, user_id)
    message = driver.find_element(By.ID, "login-message")
    wait_for(driver, lambda d: message.is_displayed(), "a message on the login view")
    screenshot(driver, "locked")
    # Then the login screen says the account is locked and the camera never opens
    assert "locked" in message.text
    assert view(driver) == "login"
