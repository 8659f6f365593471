// Where the page finds the API and the Cognito identity pool: the local server's
// /config.json (`make run` writes apiBase and apiKey), then query parameters, which win:
// ?apiBase=https://<api-id>.execute-api.<region>.amazonaws.com/v1&apiKey=...&identityPoolId=...

const DEFAULTS = { apiBase: "/v1", apiKey: "", identityPoolId: "", user: "" };

export async function loadConfig(search = window.location.search) {
  const config = { ...DEFAULTS };
  try {
    // The page is built into web/liveness/, one level below the site root.
    const response = await fetch("../config.json", { signal: AbortSignal.timeout(5000) });
    if (response.ok) Object.assign(config, pick(await response.json()));
  } catch {
    // No config.json (the page is hosted elsewhere): query parameters or typed values.
  }
  Object.assign(config, pick(Object.fromEntries(new URLSearchParams(search))));
  config.apiBase = config.apiBase.replace(/\/$/, "");
  return config;
}

function pick(source) {
  const known = {};
  for (const key of Object.keys(DEFAULTS)) {
    if (typeof source[key] === "string" && source[key]) known[key] = source[key];
  }
  return known;
}
