// The liveness page: user -> new session (our API) -> Face Liveness component with its id and
// region -> on completion, register or verify with {"livenessSessionId"} -> the result.
import { useEffect, useMemo, useRef, useState } from "react";
import { createApi, newIdempotencyKey } from "./api.js";
import { LivenessDetector } from "./detector.jsx";
import {
  describeApiError,
  describeDetectorError,
  lockedMessage,
  RESEND_CODES,
} from "./messages.js";

const USER_ID = /^[A-Za-z0-9_-]{1,64}$/;

export function LivenessPage({ config }) {
  const [userId, setUserId] = useState(config.user);
  const [apiKey, setApiKey] = useState(config.apiKey);
  const api = useMemo(() => createApi({ apiBase: config.apiBase, apiKey }), [config.apiBase, apiKey]);
  // start -> check (detector) -> sending -> result; stopped: a check ended without a result.
  const [view, setView] = useState("start");
  const [mode, setMode] = useState("verify"); // or "register"
  const [session, setSession] = useState(null);
  const [answer, setAnswer] = useState(null); // the API's registration or verification
  const [message, setMessage] = useState("");
  const [unsent, setUnsent] = useState(null); // {sessionId, key}: a resend may still succeed
  const [busy, setBusy] = useState(false);
  const heading = useRef(null);

  useEffect(() => {
    document.body.dataset.view = view;
    heading.current?.focus();
  }, [view]);

  async function run(task) {
    setBusy(true);
    setMessage("");
    try {
      await task();
    } catch (err) {
      setMessage(describeApiError(err));
    } finally {
      setBusy(false);
    }
  }

  const onStart = (event) => {
    event.preventDefault();
    if (!USER_ID.test(userId)) return setMessage("Use 1-64 letters, digits, “_” or “-” for the user name.");
    if (!apiKey) return setMessage("Enter the API key.");
    return run(async () => {
      const status = await api.userStatus(userId);
      if (status.locked) return setMessage(lockedMessage(status.lockedUntil));
      setMode(status.registered ? "verify" : "register");
      return startSession();
    });
  };

  async function startSession() {
    setUnsent(null);
    const created = await api.startLivenessSession(userId);
    setSession(created);
    setView("check");
  }

  const newCheck = (nextMode) => run(async () => {
    setMode(nextMode);
    try {
      await startSession();
    } catch (err) {
      setView("stopped");
      throw err;
    }
  });

  async function send({ sessionId, key }) {
    setView("sending");
    setMessage("");
    try {
      const body = mode === "register"
        ? await api.register(userId, sessionId, key)
        : await api.verify(userId, sessionId, key);
      setAnswer(body);
      setUnsent(null);
      setView("result");
    } catch (err) {
      if (err.code === "USER_NOT_REGISTERED") setMode("register");
      if (err.code === "ALREADY_REGISTERED") setMode("verify");
      // A spent or failed session never succeeds again; a lost or busy answer may.
      setUnsent(RESEND_CODES.has(err.code) ? { sessionId, key } : null);
      setMessage(describeApiError(err));
      setView("stopped");
    }
  }

  // Callbacks of the detector of one session (it is keyed by the session id).
  const detectorProps = session && {
    identityPoolId: config.identityPoolId,
    sessionId: session.sessionId,
    region: session.region,
    onAnalysisComplete: () => send({ sessionId: session.sessionId, key: newIdempotencyKey() }),
    onError: (livenessError) => {
      setMessage(describeDetectorError(livenessError));
      setView("stopped");
    },
    onUserCancel: () => {
      setMessage("The liveness check was cancelled.");
      setView("stopped");
    },
  };

  const title = {
    start: "Log in with a liveness check",
    check: mode === "register" ? "Register with a liveness check" : "Liveness check",
    sending: "Checking…",
    stopped: mode === "register" ? "Not registered" : "Not logged in",
    result: resultTitle(mode, answer, userId),
  }[view];

  return (
    <section aria-labelledby="title">
      <h1 id="title" ref={heading} tabIndex={-1}>{title}</h1>
      {view === "start" && (
        <form className="card" onSubmit={onStart} noValidate>
          <p className="lead">
            A short video check shows that a live person is in front of the camera; the server
            then registers you or logs you in with it.
          </p>
          <label htmlFor="user-id">User name</label>
          <input id="user-id" value={userId} onChange={(e) => setUserId(e.target.value.trim())}
                 autoComplete="username" maxLength={64} required />
          <label htmlFor="api-key">API key</label>
          <input id="api-key" type="password" value={apiKey} onChange={(e) => setApiKey(e.target.value.trim())}
                 autoComplete="off" required />
          <button id="start-button" type="submit" className="primary" disabled={busy}>
            {busy ? "Starting…" : "Start the liveness check"}
          </button>
        </form>
      )}
      {view === "check" && detectorProps && (
        <>
          <p className="lead" id="mode">
            {mode === "register"
              ? "First time here: this check gives the server your reference."
              : "Follow the instructions to log in."}
          </p>
          <div id="detector" className="detector" data-session-id={session.sessionId}>
            <LivenessDetector key={session.sessionId} {...detectorProps} />
          </div>
        </>
      )}
      {view === "sending" && <p className="status" role="status">Asking the server for the result…</p>}
      {view === "result" && <Result mode={mode} answer={answer} />}
      {message && <p id="message" className="message" role="alert">{message}</p>}
      {(view === "stopped" || view === "result") && (
        <div className="actions">
          {unsent && (
            <button id="resend-button" type="button" className="primary" disabled={busy}
                    onClick={() => send(unsent)}>Send again</button>
          )}
          <button id="new-check-button" type="button" className={unsent ? "" : "primary"} disabled={busy}
                  onClick={() => newCheck(view === "result" && mode === "register" ? "verify" : mode)}>
            {view === "result" && mode === "register" ? "Log in with a liveness check now" : "Start a new check"}
          </button>
          <button type="button" className="link" onClick={() => { setMessage(""); setView("start"); }}>
            Use another user name
          </button>
        </div>
      )}
    </section>
  );
}

function resultTitle(mode, answer, userId) {
  if (mode === "register") return "Registered";
  return answer?.result === "PASS" ? `Welcome, ${userId}` : "Not recognised";
}

function Result({ mode, answer }) {
  if (mode === "register") {
    return (
      <div className="card verdict pass" id="result" data-result="REGISTERED">
        <p className="verdict-line"><strong>Registered</strong>: the liveness check’s frame is your reference.</p>
        <dl className="facts">
          <dt>User</dt><dd>{answer.userId}</dd>
          <dt>Registered at</dt><dd>{formatTime(answer.registeredAt)}</dd>
          <dt>Run</dt><dd className="mono">{answer.runId}</dd>
        </dl>
      </div>
    );
  }
  const passed = answer.result === "PASS";
  return (
    <div className={`card verdict ${passed ? "pass" : "fail"}`} id="result" data-result={answer.result}>
      <p className="verdict-line">
        <strong id="result-word">{answer.result}</strong>
        {passed ? ": a live person, and it’s you." : ": a live person, but not this user’s face."}
      </p>
      <dl className="facts">
        <dt>Similarity</dt><dd id="result-similarity">{answer.similarity.toFixed(2)}</dd>
        <dt>Needed</dt><dd>{String(answer.threshold)}</dd>
        <dt>Verified at</dt><dd>{formatTime(answer.verifiedAt)}</dd>
        <dt>Run</dt><dd className="mono">{answer.runId}</dd>
      </dl>
    </div>
  );
}

function formatTime(iso) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}
