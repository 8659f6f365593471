"""The liveness page (web/liveness-app, built into web/liveness/) in headless Chromium.

The Face Liveness component streams to AWS, so most tests replace it through the page's seam
(window.__faceauthLivenessDetector, set before the page loads) with a stand-in whose buttons
play the component's outcomes, and serve the page next to a fake API that answers sessions.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fake_camera import HEIGHT, WIDTH, write_y4m
from fake_liveness_api import (
    API_KEY,
    IDENTITY_POOL_ID,
    REGION,
    FakeLivenessApi,
    error,
    serve,
)
from local_server import REPO_ROOT, LocalServer
from PIL import Image
from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import WebDriverWait

pytestmark = pytest.mark.browser

OpenBrowser = Callable[[Path], webdriver.Chrome]
Screenshot = Callable[[webdriver.Chrome, str], Path]
WEB_ROOT = REPO_ROOT / "web"
PAGE = "/liveness/index.html"
STAND_IN = (Path(__file__).parent / "liveness_stand_in.js").read_text()
WAIT_SECONDS = 30
# Records the URL of every fetch the page makes (the real component's AWS calls included).
RECORD_FETCHES = """
window.__fetched = [];
const pageFetch = window.fetch;
window.fetch = (resource, ...rest) => {
  window.__fetched.push(String(resource instanceof Request ? resource.url : resource));
  return pageFetch(resource, ...rest);
};
"""


@pytest.fixture(scope="module")
def built_page() -> Path:
    page = WEB_ROOT / "liveness" / "index.html"
    if not page.is_file():
        pytest.fail(
            f"{page.relative_to(REPO_ROOT)} is missing: run `make setup` or `make liveness-page` "
            "(npm ci and vite build in web/liveness-app).",
            pytrace=False,
        )
    return page


@pytest.fixture
def api(built_page: Path) -> Iterator[FakeLivenessApi]:
    fake = FakeLivenessApi(WEB_ROOT, config={"apiBase": "/v1", "apiKey": API_KEY})
    server = serve(fake)
    yield fake
    server.shutdown()
    server.server_close()


@pytest.fixture
def browser(open_browser: OpenBrowser, tmp_path: Path) -> Callable[..., webdriver.Chrome]:
    """A Chromium whose camera shows a grey picture; with the stand-in detector unless told."""
    grey = write_y4m(Image.new("RGB", (WIDTH, HEIGHT), (128, 128, 128)), tmp_path / "grey.y4m")

    def start(*, stand_in: bool = True) -> webdriver.Chrome:
        driver = open_browser(grey)
        if stand_in:
            driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": STAND_IN})
        return driver

    return start


def new_user() -> str:
    return f"user-{uuid.uuid4().hex[:10]}"


def open_page(driver: webdriver.Chrome, url: str) -> None:
    driver.get(url)
    wait(driver, lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-ready"), "load")


def start_check(driver: webdriver.Chrome, user_id: str) -> None:
    driver.find_element(By.ID, "user-id").send_keys(user_id)
    driver.find_element(By.ID, "start-button").click()


def view(driver: webdriver.Chrome) -> str:
    return str(driver.find_element(By.TAG_NAME, "body").get_attribute("data-view"))


def wait(
    driver: webdriver.Chrome, condition: Callable[[webdriver.Chrome], object], what: str
) -> None:
    try:
        WebDriverWait(driver, WAIT_SECONDS, poll_frequency=0.1).until(condition)
    except TimeoutException:
        messages = [e.text for e in driver.find_elements(By.CSS_SELECTOR, "[role=alert]")]
        pytest.fail(f"waited {WAIT_SECONDS} s for {what}; view={view(driver)!r} alerts={messages}")


def stand_in(driver: webdriver.Chrome) -> WebElement:
    wait(driver, lambda d: d.find_elements(By.ID, "stand-in"), "the detector")
    return driver.find_element(By.ID, "stand-in")


def message_text(driver: webdriver.Chrome) -> str:
    wait(driver, lambda d: d.find_elements(By.ID, "message"), "a message")
    return driver.find_element(By.ID, "message").text


def running_check(
    browser: Callable[..., webdriver.Chrome], api: FakeLivenessApi, user_id: str
) -> tuple[webdriver.Chrome, str]:
    """The page open on the fake API with a check started for the user and its detector
    shown; returns the browser and the session id the detector was given."""
    driver = browser()
    open_page(driver, api.url + PAGE)
    start_check(driver, user_id)
    return driver, str(stand_in(driver).get_attribute("data-session-id"))


def complete_check(driver: webdriver.Chrome) -> None:
    """The detector reports that the user finished streaming."""
    driver.find_element(By.ID, "stand-in-complete").click()


def test_the_page_creates_a_session_for_the_typed_user_and_hands_it_to_the_detector(
    api: FakeLivenessApi, browser: Callable[..., webdriver.Chrome], screenshot: Screenshot
) -> None:
    # Given the liveness page with the API key from config.json
    driver = browser()
    open_page(driver, api.url + PAGE)
    user_id = new_user()
    # When a user name is typed and the check started
    start_check(driver, user_id)
    detector = stand_in(driver)
    screenshot(driver, "detector")
    # Then one session was created for that user, and the detector got its id and region
    (created,) = api.requests_to("POST", "/liveness-sessions")
    assert created.path == f"/v1/users/{user_id}/liveness-sessions"
    (session_id,) = api.sessions
    assert detector.get_attribute("data-session-id") == session_id
    assert detector.get_attribute("data-region") == REGION
    assert driver.execute_script("return window.__faceauthDetectorMounts") == [
        {"sessionId": session_id, "region": REGION}
    ]


def test_completion_verifies_with_the_session_id_and_shows_pass(
    api: FakeLivenessApi, browser: Callable[..., webdriver.Chrome], screenshot: Screenshot
) -> None:
    # Given a registered user whose liveness check is running
    user_id = new_user()
    api.registered.add(user_id)
    driver, session_id = running_check(browser, api, user_id)
    # When the detector reports completion
    complete_check(driver)
    wait(driver, lambda d: view(d) == "result", "the result")
    screenshot(driver, "pass")
    # Then the page verified with that session's id (no image) and shows the PASS
    (verification,) = api.requests_to("POST", "/verification")
    assert verification.path == f"/v1/users/{user_id}/verification"
    assert verification.body == {"livenessSessionId": session_id}
    assert driver.find_element(By.ID, "result-word").text == "PASS"
    assert driver.find_element(By.ID, "result-similarity").text == "99.12"
    assert driver.find_element(By.ID, "title").text == f"Welcome, {user_id}"


def test_completion_for_a_new_user_registers_with_the_session_id(
    api: FakeLivenessApi, browser: Callable[..., webdriver.Chrome], screenshot: Screenshot
) -> None:
    # Given a user the API does not know, whose liveness check is running
    user_id = new_user()
    driver, session_id = running_check(browser, api, user_id)
    # When the detector reports completion
    complete_check(driver)
    wait(driver, lambda d: view(d) == "result", "the result")
    screenshot(driver, "registered")
    # Then the page registered the user with that session's id and says so
    (registration,) = api.requests_to("POST", "/registration")
    assert registration.body == {"livenessSessionId": session_id}
    assert driver.find_element(By.ID, "result").get_attribute("data-result") == "REGISTERED"
    assert api.requests_to("POST", "/verification") == []


def test_liveness_unavailable_is_said_in_words(
    api: FakeLivenessApi, browser: Callable[..., webdriver.Chrome], screenshot: Screenshot
) -> None:
    # Given an API without a liveness service (as the local stack): sessions answer 501
    api.session_answers.append(error(501, "LIVENESS_UNAVAILABLE"))
    driver = browser()
    open_page(driver, api.url + PAGE)
    # When a check is started
    start_check(driver, new_user())
    text = message_text(driver)
    screenshot(driver, "unavailable")
    # Then the page explains it, stays on the start form, and shows no detector
    assert text.startswith("Face liveness is not available on this server")
    assert "LIVENESS_UNAVAILABLE" in text
    assert view(driver) == "start"
    assert driver.find_elements(By.ID, "stand-in") == []


def test_liveness_failed_is_said_in_words(
    api: FakeLivenessApi, browser: Callable[..., webdriver.Chrome], screenshot: Screenshot
) -> None:
    # Given a registered user whose check the server judges not live
    user_id = new_user()
    api.registered.add(user_id)
    api.selfie_answers.append(error(422, "LIVENESS_FAILED"))
    driver, _ = running_check(browser, api, user_id)
    # When the detector reports completion
    complete_check(driver)
    text = message_text(driver)
    screenshot(driver, "liveness-failed")
    # Then the page says the check did not confirm a live person and offers a new check only
    assert text.startswith("The liveness check did not confirm a live person")
    assert view(driver) == "stopped"
    assert driver.find_element(By.ID, "new-check-button").is_displayed()
    assert driver.find_elements(By.ID, "resend-button") == []


def test_a_new_check_after_a_failure_uses_a_new_session(
    api: FakeLivenessApi, browser: Callable[..., webdriver.Chrome]
) -> None:
    # Given a check that ended in LIVENESS_FAILED
    user_id = new_user()
    api.registered.add(user_id)
    api.selfie_answers.append(error(422, "LIVENESS_FAILED"))
    driver, first = running_check(browser, api, user_id)
    complete_check(driver)
    message_text(driver)
    # When the user starts a new check
    driver.find_element(By.ID, "new-check-button").click()
    wait(driver, lambda d: view(d) == "check", "the new check")
    second = stand_in(driver).get_attribute("data-session-id")
    # Then a second session was created and handed to a fresh detector
    assert len(api.requests_to("POST", "/liveness-sessions")) == 2
    assert second != first
    assert second in api.sessions


def test_detector_error_is_said_in_words(
    api: FakeLivenessApi, browser: Callable[..., webdriver.Chrome], screenshot: Screenshot
) -> None:
    # Given a running check
    driver, _ = running_check(browser, api, new_user())
    # When the detector reports that the camera could not be used
    driver.find_element(By.ID, "stand-in-camera-error").click()
    text = message_text(driver)
    screenshot(driver, "camera-error")
    # Then the page says so, sends nothing to register or verify, and offers a new check
    assert text.startswith("The camera could not be used")
    assert api.requests_to("POST", "/verification") == []
    assert api.requests_to("POST", "/registration") == []
    assert driver.find_element(By.ID, "new-check-button").is_displayed()


def test_lost_answer_is_sent_again_with_the_same_session(
    api: FakeLivenessApi, browser: Callable[..., webdriver.Chrome]
) -> None:
    # Given a completed check whose verification answered 503 (worth sending again)
    user_id = new_user()
    api.registered.add(user_id)
    api.selfie_answers.append(error(503, "DEPENDENCY_UNAVAILABLE"))
    driver, session_id = running_check(browser, api, user_id)
    complete_check(driver)
    message_text(driver)
    # When the user presses "Send again"
    driver.find_element(By.ID, "resend-button").click()
    wait(driver, lambda d: view(d) == "result", "the result")
    # Then the same session id went twice, and the second answer is shown
    bodies = [r.body for r in api.requests_to("POST", "/verification")]
    assert bodies == [{"livenessSessionId": session_id}] * 2
    assert driver.find_element(By.ID, "result-word").text == "PASS"


def test_without_an_identity_pool_the_page_says_it_is_not_set_up(
    api: FakeLivenessApi, browser: Callable[..., webdriver.Chrome], screenshot: Screenshot
) -> None:
    # Given the page without the stand-in and without an identity pool id
    driver = browser(stand_in=False)
    open_page(driver, api.url + PAGE)
    # When a check is started
    start_check(driver, new_user())
    wait(driver, lambda d: view(d) == "check", "the check view")
    screenshot(driver, "no-identity-pool")
    # Then the page says which setting is missing instead of a detector
    alert = driver.find_element(By.CSS_SELECTOR, "#detector [role=alert]")
    assert "identityPoolId" in alert.text


def test_the_real_detector_asks_the_identity_pool_and_its_failure_is_said_in_words(
    api: FakeLivenessApi, browser: Callable[..., webdriver.Chrome], screenshot: Screenshot
) -> None:
    # Given the page with Amplify UI's component (no stand-in), an identity pool id, and a
    # browser that cannot reach AWS (tests resolve no host but 127.0.0.1)
    driver = browser(stand_in=False)
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": RECORD_FETCHES})
    open_page(driver, f"{api.url}{PAGE}?identityPoolId={IDENTITY_POOL_ID}")
    # When a check is started
    user_id = new_user()
    start_check(driver, user_id)
    text = message_text(driver)
    screenshot(driver, "no-aws")
    # Then, after the session was created, the component asked the identity pool's region
    # for guest credentials (and nothing else of AWS), and its failure is said in words
    fetched = driver.execute_script("return window.__fetched")
    aws = [url for url in fetched if url.startswith("https://")]
    assert set(aws) == {"https://cognito-identity.eu-west-1.amazonaws.com/"}
    session = fetched.index(f"/v1/users/{user_id}/liveness-sessions")
    assert session < fetched.index(aws[0])
    assert "Start a new check" in text
    assert view(driver) == "stopped"


def test_local_stack_serves_the_page_and_says_liveness_is_unavailable(
    local_server: LocalServer, browser: Callable[..., webdriver.Chrome], screenshot: Screenshot
) -> None:
    # Given the page as the local stack serves it (its engine has no liveness service)
    driver = browser()
    open_page(driver, local_server.url + PAGE)
    # When a check is started for a user
    start_check(driver, new_user())
    text = message_text(driver)
    screenshot(driver, "local-stack")
    # Then the API's 501 is said in words
    assert text.startswith("Face liveness is not available on this server")
