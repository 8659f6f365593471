// The Face Liveness component behind one small seam, so the browser tests can drive the page
// without AWS: a test sets window.__faceauthLivenessDetector before the page loads to a
// function (element, props) => unmount that renders a stand-in into `element`. Nothing here
// decides liveness: the API fetches the session's result from Rekognition itself.
import { lazy, Suspense, useEffect, useRef } from "react";

// Loaded on first use: TensorFlow.js and the AWS SDK make it the page's large chunk.
const AmplifyDetector = lazy(() => import("./AmplifyDetector.jsx"));

export function LivenessDetector({ identityPoolId, ...props }) {
  const standIn = window.__faceauthLivenessDetector;
  if (typeof standIn === "function") return <StandIn mount={standIn} props={props} />;
  if (!identityPoolId) {
    return (
      <p className="message" role="alert">
        This page is not set up for Face Liveness: it needs the Cognito identity pool id
        (identityPoolId in config.json, or ?identityPoolId=; see docs/connector.md).
      </p>
    );
  }
  return (
    <Suspense fallback={<p className="status">Loading the liveness check…</p>}>
      <AmplifyDetector identityPoolId={identityPoolId} {...props} />
    </Suspense>
  );
}

function StandIn({ mount, props }) {
  const element = useRef(null);
  // Mounted once: the page gives each session a detector of its own (keyed by session id).
  useEffect(() => mount(element.current, props), []);
  return <div ref={element} />;
}
