// The daemon's HTTP/JSON API as the pages use it: Connect unary calls (POST
// /salestrack.v1.<Service>/<Method>, protobuf's JSON mapping) authenticated by the session cookie
// that POST /session sets, and the session itself. Nothing here talks to any other origin.

/** A refusal or failure of a call: `code` is the Connect code ("unauthenticated", ...). */
export class ApiError extends Error {
  constructor(code, message, status) {
    super(message);
    this.code = code;
    this.status = status;
  }
}

// Connect's codes for the HTTP statuses a front door may answer without a Connect error body.
const kCodeOfStatus = {400: 'invalid_argument', 401: 'unauthenticated', 403: 'permission_denied',
                       404: 'unimplemented', 429: 'resource_exhausted', 503: 'unavailable'};

async function decode(res) {
  const text = await res.text();
  let body = {};
  try {
    body = text ? JSON.parse(text) : {};
  } catch {
    body = {message: text.slice(0, 200)};
  }
  if (!res.ok) {
    throw new ApiError(body.code || kCodeOfStatus[res.status] || 'unknown',
                       body.message || `HTTP ${res.status}`, res.status);
  }
  return body;
}

/** Calls `service`.`method` (e.g. 'KpiService', 'GetKpis') with `request`; resolves to the JSON
 * answer, rejects with an ApiError (code 'unavailable' when the daemon cannot be reached). */
export async function call(service, method, request = {}) {
  let res;
  try {
    res = await fetch(`/salestrack.v1.${service}/${method}`, {
      method: 'POST',
      credentials: 'same-origin',
      headers: {'Content-Type': 'application/json', 'Connect-Protocol-Version': '1'},
      body: JSON.stringify(request),
    });
  } catch (e) {
    throw new ApiError('unavailable', String(e), 0);
  }
  return decode(res);
}

/** Opens a session for `key` (an API key): the daemon sets an HttpOnly cookie that later calls
 * and EventSource send. Resolves to what the daemon says of the key (may be {}). */
export async function signIn(key) {
  let res;
  try {
    res = await fetch('/session', {
      method: 'POST',
      credentials: 'same-origin',
      headers: {'Authorization': `Bearer ${key.trim()}`, 'Content-Type': 'application/json'},
      body: '{}',
    });
  } catch (e) {
    throw new ApiError('unavailable', String(e), 0);
  }
  return decode(res);
}

/** Ends the session (the cookie is cleared). */
export async function signOut() {
  try {
    await fetch('/session', {method: 'DELETE', credentials: 'same-origin'});
  } catch {
    // Signed out locally either way.
  }
}

/** The URL of the SSE stream of SubscribeLeaderboard for `request`. */
export function boardStreamUrl(request) {
  return '/sse/salestrack.v1.LeaderboardService/SubscribeLeaderboard?message=' +
         encodeURIComponent(JSON.stringify(request));
}
