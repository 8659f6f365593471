// Amplify UI's FaceLivenessDetector with guest credentials from a Cognito identity pool,
// whose unauthenticated role may call only rekognition:StartFaceLivenessSession.
import { FaceLivenessDetector } from "@aws-amplify/ui-react-liveness";
import "@aws-amplify/ui-react/styles.css";
import { Amplify } from "aws-amplify";

let configuredPool = null;

function configureIdentityPool(identityPoolId) {
  if (configuredPool === identityPoolId) return;
  // The pool's region is the prefix of its id ("eu-west-1:...").
  Amplify.configure({ Auth: { Cognito: { identityPoolId, allowGuestAccess: true } } });
  configuredPool = identityPoolId;
}

export default function AmplifyDetector({ identityPoolId, sessionId, region, onAnalysisComplete, onError, onUserCancel }) {
  configureIdentityPool(identityPoolId);
  return (
    <FaceLivenessDetector
      sessionId={sessionId}
      region={region}
      onAnalysisComplete={onAnalysisComplete}
      onError={onError}
      onUserCancel={onUserCancel}
    />
  );
}
