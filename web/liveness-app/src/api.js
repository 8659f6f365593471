// The faceauth API calls this page makes (contract v1), with errors as ApiError(code).

export class ApiError extends Error {
  constructor(status, code, message, retryAfter = null) {
    super(message);
    this.status = status;
    this.code = code;
    this.retryAfter = retryAfter;
  }
}

export function createApi({ apiBase, apiKey }) {
  async function call(method, path, { body, idempotencyKey } = {}) {
    const headers = { Accept: "application/json", "x-api-key": apiKey };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (idempotencyKey) headers["Idempotency-Key"] = idempotencyKey;
    let response;
    try {
      response = await fetch(apiBase + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(30000),
      });
    } catch {
      throw new ApiError(0, "NETWORK", "The server cannot be reached.");
    }
    const data = await response.json().catch(() => null);
    if (!response.ok) {
      const error = (data && data.error) || {};
      throw new ApiError(
        response.status,
        error.code || `HTTP_${response.status}`,
        error.message || response.statusText,
        Number(response.headers.get("Retry-After")) || null,
      );
    }
    return data;
  }

  const user = (userId) => `/users/${encodeURIComponent(userId)}`;
  return {
    userStatus: (userId) => call("GET", user(userId)),
    startLivenessSession: (userId) => call("POST", `${user(userId)}/liveness-sessions`),
    // The selfie is the session: the server fetches its result from Rekognition and decides.
    // Reusing idempotencyKey on a resend returns the first answer (a session counts once).
    register: (userId, livenessSessionId, idempotencyKey) =>
      call("POST", `${user(userId)}/registration`, { body: { livenessSessionId }, idempotencyKey }),
    verify: (userId, livenessSessionId, idempotencyKey) =>
      call("POST", `${user(userId)}/verification`, { body: { livenessSessionId }, idempotencyKey }),
  };
}

export function newIdempotencyKey() {
  return window.crypto?.randomUUID ? window.crypto.randomUUID() : undefined;
}
