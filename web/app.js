// faceauth camera page: login -> camera (auto-capture) -> register or verify -> dashboard.
// Plain ES module, no dependencies; talks to API contract v1.

const USER_ID = /^[A-Za-z0-9_-]{1,64}$/;
const TICK_MS = 250;
const STABLE_MS = 1500; // fallback: capture after the picture is still this long
const STABLE_DIFF = 6; // mean per-pixel change (0-255) still counted as "not moving"
const ALIGNED_FRAMES = 3; // FaceDetector: consecutive aligned frames before capturing
const OVAL = { cx: 320, cy: 230, rx: 135, ry: 180 }; // in the 640x480 overlay's coordinates

const $ = (id) => document.getElementById(id);

const state = {
  apiBase: "/v1",
  apiKey: "",
  userId: "",
  mode: "verify", // or "register"
  stream: null,
  timer: null,
  armed: false, // auto-capture allowed; off after a FAIL or an error until the user asks
  busy: false,
  ticking: false,
  stableSince: null,
  alignedCount: 0,
  lastFrame: null,
  detector: null,
};

// ---------- API ----------

class ApiError extends Error {
  constructor(status, code, message, retryAfter) {
    super(message);
    this.status = status;
    this.code = code;
    this.retryAfter = retryAfter;
  }
}

async function api(method, path, body) {
  const headers = { Accept: "application/json", "x-api-key": state.apiKey };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(state.apiBase + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30000),
    });
  } catch (err) {
    throw new ApiError(0, "NETWORK", "The server cannot be reached. Check your connection and try again.");
  }
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!response.ok) {
    const error = (data && data.error) || {};
    const retryAfter = Number(response.headers.get("Retry-After")) || null;
    throw new ApiError(response.status, error.code || `HTTP_${response.status}`,
      error.message || (data && data.message) || response.statusText, retryAfter);
  }
  return data;
}

const userPath = () => `/users/${encodeURIComponent(state.userId)}`;

// ---------- views ----------

function show(view) {
  for (const section of document.querySelectorAll(".view")) {
    section.hidden = section.id !== `${view}-view`;
  }
  document.body.dataset.view = view;
  const heading = document.querySelector(`#${view}-view h1`);
  if (heading) heading.focus();
  const bar = $("bar-user");
  bar.hidden = view === "login" || !state.userId;
  bar.textContent = view === "dashboard" ? `Logged in as ${state.userId}` : `User: ${state.userId}`;
}

function say(element, text, tone) {
  element.textContent = text || "";
  element.hidden = !text;
  element.dataset.tone = tone || "";
}

const cameraStatus = (text) => { $("camera-status").textContent = text; };
const cameraMessage = (text, tone = "error") => say($("camera-message"), text, tone);

// ---------- login ----------

async function loadConfig() {
  const params = new URLSearchParams(location.search);
  try {
    const response = await fetch("config.json", { signal: AbortSignal.timeout(5000) });
    if (response.ok) {
      const config = await response.json();
      state.apiBase = config.apiBase || state.apiBase;
      state.apiKey = config.apiKey || "";
    }
  } catch {
    // No config.json (e.g. the page is hosted elsewhere): the user types the key.
  }
  state.apiBase = (params.get("apiBase") || state.apiBase).replace(/\/$/, "");
  state.apiKey = params.get("apiKey") || state.apiKey;
  $("api-key").value = state.apiKey;
  if (params.get("user")) $("user-id").value = params.get("user");
}

async function onLogin(event) {
  event.preventDefault();
  const message = $("login-message");
  const userId = $("user-id").value.trim();
  const apiKey = $("api-key").value.trim();
  if (!USER_ID.test(userId)) {
    say(message, "Use 1-64 letters, digits, “_” or “-” for the user name.", "error");
    $("user-id").setAttribute("aria-invalid", "true");
    $("user-id").focus();
    return;
  }
  $("user-id").removeAttribute("aria-invalid");
  if (!apiKey) {
    say(message, "Enter the API key.", "error");
    $("api-key").focus();
    return;
  }
  state.userId = userId;
  state.apiKey = apiKey;
  say(message, "");
  $("login-button").disabled = true;
  try {
    const status = await api("GET", userPath());
    if (status.locked) {
      say(message, lockedText(status.lockedUntil), "error");
      return;
    }
    setMode(status.registered ? "verify" : "register");
    await openCamera();
  } catch (err) {
    say(message, describeError(err), "error");
  } finally {
    $("login-button").disabled = false;
  }
}

function setMode(mode) {
  state.mode = mode;
  $("camera-mode").textContent = mode === "register"
    ? "First time here: this selfie becomes your reference."
    : "Look at the camera to log in.";
}

// ---------- camera ----------

async function openCamera() {
  show("camera");
  cameraMessage("");
  cameraStatus("Starting the camera…");
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    cameraStatus("This browser cannot use a camera here (it needs https or localhost).");
    return;
  }
  try {
    state.stream = await navigator.mediaDevices.getUserMedia({
      video: { facingMode: "user", width: { ideal: 640 }, height: { ideal: 480 } },
      audio: false,
    });
  } catch (err) {
    cameraStatus(err && err.name === "NotAllowedError"
      ? "Camera access was refused. Allow the camera in the browser and reload."
      : "No camera could be opened.");
    return;
  }
  const video = $("video");
  video.srcObject = state.stream;
  await video.play().catch(() => {});
  $("capture-button").disabled = false;
  state.detector = makeDetector();
  arm();
  state.timer = setInterval(tick, TICK_MS);
}

function closeCamera() {
  clearInterval(state.timer);
  state.timer = null;
  if (state.stream) state.stream.getTracks().forEach((track) => track.stop());
  state.stream = null;
  $("video").srcObject = null;
  $("capture-button").disabled = true;
}

function makeDetector() {
  if ("FaceDetector" in window) {
    try {
      return new window.FaceDetector({ fastMode: true, maxDetectedFaces: 2 });
    } catch {
      return null; // present but unsupported on this platform
    }
  }
  return null;
}

function arm() {
  state.armed = true;
  state.stableSince = null;
  state.alignedCount = 0;
  state.lastFrame = null;
  $("retry-button").hidden = true;
  setAligned(false);
  cameraStatus(state.detector
    ? "Place your face inside the oval."
    : "Place your face inside the oval and hold still, or press “Take selfie now”.");
}

function disarm() {
  state.armed = false;
  $("retry-button").hidden = false;
  $("hold-progress").value = 0;
  setAligned(false);
}

function setAligned(aligned) {
  $("face-outline").classList.toggle("aligned", aligned);
}

async function tick() {
  const video = $("video");
  if (!state.armed || state.busy || state.ticking || video.readyState < 2) return;
  state.ticking = true; // FaceDetector.detect() is async: never run two checks at once
  try {
    const ready = state.detector ? await faceAligned(video) : stillFor(video);
    if (ready && state.armed) await capture();
  } finally {
    state.ticking = false;
  }
}

// FaceDetector path: exactly one face, centred in the oval and filling enough of it.
async function faceAligned(video) {
  let faces;
  try {
    faces = await state.detector.detect(video);
  } catch {
    state.detector = null; // detection failed at run time: use the stillness fallback
    arm();
    return false;
  }
  const width = video.videoWidth;
  const height = video.videoHeight;
  let hint = "Place your face inside the oval.";
  let aligned = false;
  if (faces.length > 1) {
    hint = "Only one face, please.";
  } else if (faces.length === 1) {
    const box = faces[0].boundingBox;
    // Map into the overlay's 640x480 space.
    const cx = ((box.x + box.width / 2) / width) * 640;
    const cy = ((box.y + box.height / 2) / height) * 480;
    const size = (box.height / height) * 480;
    const dx = (cx - OVAL.cx) / OVAL.rx;
    const dy = (cy - OVAL.cy) / OVAL.ry;
    if (size < OVAL.ry * 0.8) hint = "Come a little closer.";
    else if (size > OVAL.ry * 2.2) hint = "Move back a little.";
    else if (dx * dx + dy * dy > 0.12) hint = "Centre your face in the oval.";
    else { aligned = true; hint = "Hold still…"; }
  }
  state.alignedCount = aligned ? state.alignedCount + 1 : 0;
  setAligned(aligned);
  $("hold-progress").value = Math.min(100, (state.alignedCount / ALIGNED_FRAMES) * 100);
  cameraStatus(hint);
  return state.alignedCount >= ALIGNED_FRAMES;
}

// Fallback path: the picture has barely changed for STABLE_MS.
function stillFor(video) {
  const canvas = document.createElement("canvas");
  canvas.width = 64;
  canvas.height = 48;
  const context = canvas.getContext("2d", { willReadFrequently: true });
  context.drawImage(video, 0, 0, canvas.width, canvas.height);
  const frame = context.getImageData(0, 0, canvas.width, canvas.height).data;
  const previous = state.lastFrame;
  state.lastFrame = frame;
  if (!previous) return false;
  let change = 0;
  for (let i = 0; i < frame.length; i += 4) {
    change += Math.abs(frame[i] - previous[i]) + Math.abs(frame[i + 1] - previous[i + 1])
      + Math.abs(frame[i + 2] - previous[i + 2]);
  }
  change /= (frame.length / 4) * 3;
  const now = performance.now();
  if (change > STABLE_DIFF) {
    state.stableSince = null;
    $("hold-progress").value = 0;
    setAligned(false);
    return false;
  }
  state.stableSince = state.stableSince ?? now;
  const held = now - state.stableSince;
  $("hold-progress").value = Math.min(100, (held / STABLE_MS) * 100);
  setAligned(true);
  cameraStatus("Hold still…");
  return held >= STABLE_MS;
}

function snapshot() {
  const video = $("video");
  const canvas = $("snapshot");
  canvas.width = video.videoWidth;
  canvas.height = video.videoHeight;
  canvas.getContext("2d").drawImage(video, 0, 0);
  // JPEG at 0.92 keeps a 640x480 selfie around 60 KB: far below the 4 MB limit.
  return canvas.toDataURL("image/jpeg", 0.92).split(",")[1];
}

async function capture() {
  if (state.busy || !state.stream) return;
  state.busy = true;
  state.armed = false;
  $("capture-button").disabled = true;
  $("busy").hidden = false;
  cameraMessage("");
  cameraStatus(state.mode === "register" ? "Registering your selfie…" : "Checking it’s you…");
  try {
    const image = snapshot();
    if (state.mode === "register") await register(image);
    else await verify(image);
  } finally {
    state.busy = false;
    $("busy").hidden = true;
    if (state.stream) $("capture-button").disabled = false;
  }
}

async function register(image) {
  try {
    const registration = await api("POST", `${userPath()}/registration`, { image });
    closeCamera();
    $("registered-user").textContent = registration.userId;
    $("registered-at").textContent = formatTime(registration.registeredAt);
    show("registered");
  } catch (err) {
    if (err.code === "ALREADY_REGISTERED") {
      setMode("verify");
      return failBack("This user is already registered: take a selfie to log in.", "info");
    }
    failBack(describeError(err));
  }
}

async function verify(image) {
  try {
    const verification = await api("POST", `${userPath()}/verification`, { image });
    if (verification.result === "PASS") {
      closeCamera();
      $("dashboard-user").textContent = verification.userId;
      $("dashboard-similarity").textContent = verification.similarity.toFixed(1);
      $("dashboard-threshold").textContent = String(verification.threshold);
      $("dashboard-time").textContent = formatTime(verification.verifiedAt);
      $("dashboard-run").textContent = verification.runId;
      show("dashboard");
      return;
    }
    failBack(
      `FAIL — not recognised (similarity ${verification.similarity.toFixed(1)}, `
      + `needed ${verification.threshold}). Check the light and try again.`,
    );
  } catch (err) {
    if (err.code === "USER_NOT_REGISTERED") {
      setMode("register");
      return failBack("This user has no reference yet: take a selfie to register.", "info");
    }
    failBack(describeError(err));
    if (err.code === "USER_LOCKED") {
      closeCamera();
      $("retry-button").hidden = true;
    }
  }
}

// Back to the camera with a message; auto-capture waits for the user, so a bad
// picture cannot fire five FAILs in a row and lock the account by itself.
function failBack(text, tone = "error") {
  cameraMessage(text, tone);
  disarm();
  cameraStatus("Adjust your face in the oval, then press “Try again automatically” or take the selfie now.");
}

function describeError(err) {
  switch (err.code) {
    case "NO_FACE_DETECTED":
      return "No face was found. Face the camera in good light, inside the oval.";
    case "MULTIPLE_FACES":
      return "More than one face is in the picture. Make sure you are alone in the frame.";
    case "FACE_TOO_SMALL":
      return "Your face is too small or unclear. Come closer so it fills the oval.";
    case "USER_LOCKED":
      return lockedText(null, err.retryAfter);
    case "INVALID_IMAGE":
    case "INVALID_BASE64":
    case "IMAGE_TOO_LARGE":
      return "The picture could not be used. Try again.";
    case "FORBIDDEN":
      return "The API key was refused. Check it on the login screen.";
    case "THROTTLED":
    case "DEPENDENCY_UNAVAILABLE":
      return `The service is busy. Try again${err.retryAfter ? ` in ${err.retryAfter} s` : " shortly"}.`;
    case "NETWORK":
      return err.message;
    default:
      return `Something went wrong (${err.code}). Try again.`;
  }
}

function lockedText(lockedUntil, retryAfter) {
  let until = "";
  if (lockedUntil) until = ` until ${formatTime(lockedUntil)}`;
  else if (retryAfter) until = ` for ${Math.ceil(retryAfter / 60)} min`;
  return `Too many failed attempts: this account is locked${until}. Try again later.`;
}

function formatTime(iso) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}

function logout() {
  closeCamera();
  state.userId = "";
  say($("login-message"), "");
  show("login");
}

// ---------- wiring ----------

$("login-form").addEventListener("submit", onLogin);
$("capture-button").addEventListener("click", () => capture());
$("retry-button").addEventListener("click", () => { cameraMessage(""); arm(); });
$("switch-user-button").addEventListener("click", logout);
$("logout-button").addEventListener("click", logout);
$("registered-logout-button").addEventListener("click", logout);
$("verify-now-button").addEventListener("click", () => { setMode("verify"); openCamera(); });
window.addEventListener("pagehide", closeCamera);

loadConfig().then(() => {
  $(state.apiKey ? "user-id" : "api-key").focus();
  document.body.dataset.ready = "true";
});
