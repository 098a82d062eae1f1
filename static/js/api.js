// The one way the pages talk to the server: JSON requests under /api, errors as plain words,
// and a copyable curl command for every call a page makes.

// `problems`: the server's list of problems, each naming its `field` (a 422, or a 409 that names one).
export class ApiError extends Error {
  constructor(message, status, problems = []) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.problems = problems;
  }
}

// FastAPI's {"detail": ...}: a string, or a list of validation errors, each naming its field once.
export function describeDetail(detail) {
  if (typeof detail === "string") return detail;
  if (Array.isArray(detail)) {
    return detail.map((item) => {
      const where = item.field || (item.loc || []).filter((part) => part !== "body" && part !== "query").join(".");
      return where ? `${where}: ${item.msg}` : item.msg;
    }).join("; ");
  }
  return JSON.stringify(detail);
}

function withQuery(path, query) {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== "") params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

function shellQuote(text) {
  return `'${text.replaceAll("'", "'\\''")}'`;
}

export function curlCommand(method, url, { body, form } = {}) {
  const parts = ["curl"];
  if (method !== "GET") parts.push("-X", method);
  parts.push(shellQuote(new URL(url, window.location.origin).href));
  if (body !== undefined) {
    parts.push("-H", shellQuote("Content-Type: application/json"), "-d", shellQuote(JSON.stringify(body)));
  }
  if (form) {
    for (const [key, value] of Object.entries(form)) {
      parts.push("-F", shellQuote(value instanceof Blob ? `${key}=@${value.name || "data.csv"}` : `${key}=${value}`));
    }
  }
  return parts.join(" ");
}

// Listeners told about each call (the "API calls" panel).
const listeners = new Set();
export function onCall(listener) {
  listeners.add(listener);
}

// api("POST", "/api/networks", {body}) -> parsed JSON (null for 204). Throws ApiError with the
// server's message in plain words. `label` names the call in the page's API panel.
export async function api(method, path, { body, form, query, label, signal } = {}) {
  const url = withQuery(path, query);
  const init = { method, headers: { Accept: "application/json" }, signal };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  } else if (form) {
    const data = new FormData();
    for (const [key, value] of Object.entries(form)) data.append(key, value);
    init.body = data;
  }
  if (label) for (const listener of listeners) listener(label, curlCommand(method, url, { body, form }));
  let response;
  try {
    response = await fetch(url, init);
  } catch (error) {
    if (error.name === "AbortError") throw error;
    throw new ApiError("The server could not be reached. Is it still running?", 0);
  }
  if (response.status === 204) return null;
  const text = await response.text();
  let payload = null;
  try {
    payload = text ? JSON.parse(text) : null;
  } catch {
    payload = null;
  }
  if (!response.ok) {
    const message = payload && payload.detail !== undefined ? describeDetail(payload.detail) : text || response.statusText;
    const problems = payload && Array.isArray(payload.detail) ? payload.detail : [];
    throw new ApiError(`${method} ${path} failed (${response.status}): ${message}`, response.status, problems);
  }
  return payload;
}

// Record a call that is not made through fetch (an EventSource stream) in the API panel.
export function announce(label, method, url) {
  for (const listener of listeners) listener(label, curlCommand(method, url).replace(/^curl/, method === "GET" ? "curl -N" : "curl"));
}

// The server's limits on a request (GET /api/limits), asked for once per page.
let limits = null;
export function serverLimits() {
  limits = limits || api("GET", "/api/limits");
  return limits;
}
