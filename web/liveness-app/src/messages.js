// Errors in words: the API's codes (functions/compare/error_codes.json) and the Face
// Liveness component's error states.

// Answers that may succeed if the same request is sent again (same Idempotency-Key).
export const RESEND_CODES = new Set([
  "NETWORK",
  "THROTTLED",
  "DEPENDENCY_UNAVAILABLE",
  "VERIFICATION_IN_PROGRESS",
  "IDEMPOTENCY_KEY_IN_USE",
]);

export function describeApiError(err) {
  const wait = err.retryAfter ? ` in ${err.retryAfter} s` : " shortly";
  switch (err.code) {
    case "LIVENESS_UNAVAILABLE":
      return "Face liveness is not available on this server (LIVENESS_UNAVAILABLE). The local "
        + "stack (make run) has no liveness service: use the camera page, or open this page "
        + "with ?apiBase= pointing at a deployed stage.";
    case "LIVENESS_FAILED":
      return "The liveness check did not confirm a live person in front of the camera "
        + "(LIVENESS_FAILED). Start a new check: face the camera in even light and follow "
        + "the instructions.";
    case "LIVENESS_SESSION_EXPIRED":
      return "The liveness check expired before it was used (LIVENESS_SESSION_EXPIRED). "
        + "Start a new check.";
    case "LIVENESS_SESSION_INCOMPLETE":
      return "The liveness check had not finished (LIVENESS_SESSION_INCOMPLETE). "
        + "Start a new check.";
    case "LIVENESS_SESSION_INVALID":
      return "This liveness check cannot be used: it was already used, or belongs to another "
        + "user (LIVENESS_SESSION_INVALID). Start a new check.";
    case "USER_NOT_REGISTERED":
      return "This user has no reference yet: start a new check to register.";
    case "ALREADY_REGISTERED":
      return "This user is already registered: start a new check to log in.";
    case "USER_LOCKED":
      return lockedMessage(null, err.retryAfter);
    case "VERIFICATION_IN_PROGRESS":
    case "IDEMPOTENCY_KEY_IN_USE":
      return `Another check of this user is still running. Send again${wait}.`;
    case "NO_FACE_DETECTED":
    case "MULTIPLE_FACES":
    case "FACE_TOO_SMALL":
    case "FACE_NOT_USABLE":
      return "The face from the liveness check cannot be used. Start a new check, alone, "
        + "close to the camera, in even light.";
    case "FORBIDDEN":
      return "The API key was refused. Check it and start again.";
    case "THROTTLED":
    case "DEPENDENCY_UNAVAILABLE":
      return `The service is busy. Send again${wait}.`;
    case "NETWORK":
      return "The server cannot be reached. Check the connection and send again.";
    default:
      return `Something went wrong (${err.code}): ${err.message}`;
  }
}

export function lockedMessage(lockedUntil, retryAfter = null) {
  let until = "";
  if (lockedUntil) until = ` until ${new Date(lockedUntil).toLocaleString()}`;
  else if (retryAfter) until = ` for ${Math.ceil(retryAfter / 60)} min`;
  return `Too many failed attempts: this account is locked${until}. Try again later.`;
}

export function describeDetectorError(livenessError) {
  const state = livenessError?.state ?? "RUNTIME_ERROR";
  return `${DETECTOR_ERRORS[state] ?? "The liveness check stopped."} Start a new check. (${state})`;
}

const DETECTOR_ERRORS = {
  CAMERA_ACCESS_ERROR: "The camera could not be used: allow camera access in the browser.",
  DEFAULT_CAMERA_NOT_FOUND_ERROR: "The selected camera was not found.",
  CAMERA_FRAMERATE_ERROR: "The camera is too slow for the check (it needs 15 frames a second).",
  MOBILE_LANDSCAPE_ERROR: "Hold the phone upright (portrait).",
  TIMEOUT: "Your face did not fill the oval in time: move closer.",
  FACE_DISTANCE_ERROR: "Keep the same distance from the camera during the check.",
  MULTIPLE_FACES_ERROR: "More than one face was seen: be alone in the picture.",
  FRESHNESS_TIMEOUT: "The check did not finish in time.",
  CONNECTION_TIMEOUT: "The liveness service could not be reached.",
  SERVER_ERROR: "The liveness service could not be reached or failed.",
};
