// Test double of the Face Liveness component, injected before the liveness page loads
// (window.__faceauthLivenessDetector is the page's seam, see web/liveness-app/src/detector.jsx).
// It shows what it was given and two buttons with which the test plays the component's
// outcomes: completion (onAnalysisComplete) and an error (onError).
window.__faceauthDetectorMounts = [];
window.__faceauthLivenessDetector = (element, props) => {
  window.__faceauthDetectorMounts.push({ sessionId: props.sessionId, region: props.region });
  const label = document.createElement("p");
  label.id = "stand-in";
  label.dataset.sessionId = props.sessionId;
  label.dataset.region = props.region;
  label.textContent = `Stand-in detector: session ${props.sessionId} in ${props.region}`;
  const complete = document.createElement("button");
  complete.id = "stand-in-complete";
  complete.type = "button";
  complete.textContent = "Report completion";
  complete.addEventListener("click", () => props.onAnalysisComplete());
  const fail = document.createElement("button");
  fail.id = "stand-in-camera-error";
  fail.type = "button";
  fail.textContent = "Report a camera error";
  fail.addEventListener("click", () => props.onError({
    state: "CAMERA_ACCESS_ERROR",
    error: new Error("Permission denied"),
  }));
  element.replaceChildren(label, complete, fail);
  return () => element.replaceChildren();
};
