// The JSON API client: bearer token from sessionStorage, RFC 9457 problem details as ApiError.
const BASE = "/api/v1";
const TOKEN_KEY = "alliance.token";
const ME_KEY = "alliance.me";

export class ApiError extends Error {
  constructor(status, problem) {
    super((problem && (problem.detail || problem.title)) || `HTTP ${status}`);
    this.status = status;
    this.problem = problem || {};
  }

  get errors() {
    return Array.isArray(this.problem.errors) ? this.problem.errors : [];
  }
}

export function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function signOut() {
  sessionStorage.removeItem(TOKEN_KEY);
  sessionStorage.removeItem(ME_KEY);
}

function toLogin() {
  const next = location.pathname + location.search;
  location.assign(`/login?next=${encodeURIComponent(next)}`);
}

/** Pages other than sign-in call this first: without a token there is nothing to show. */
export function requireToken() {
  if (!token()) {
    toLogin();
    throw new Error("not signed in");
  }
}

/**
 * Call the API. `json` sends a JSON body, `form` a FormData/URLSearchParams body; `raw` returns the Response
 * (downloads). A 401 signs out and goes to the sign-in page; every other failure throws ApiError.
 */
export async function api(path, { method = "GET", json, form, raw = false, signal } = {}) {
  const headers = { Accept: "application/json, application/problem+json" };
  const current = token();
  if (current) headers.Authorization = `Bearer ${current}`;
  let body;
  if (json !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(json);
  } else if (form !== undefined) {
    body = form;
  }
  let response;
  try {
    response = await fetch(BASE + path, { method, headers, body, signal });
  } catch (error) {
    if (error.name === "AbortError") throw error;
    throw new ApiError(0, { title: "network", detail: String(error) });
  }
  if (response.status === 401 && current) {
    signOut();
    toLogin();
    throw new ApiError(401, await problemOf(response));
  }
  if (!response.ok) throw new ApiError(response.status, await problemOf(response));
  if (raw) return response;
  if (response.status === 204) return null;
  const text = await response.text();
  return text ? JSON.parse(text) : null;
}

async function problemOf(response) {
  try {
    return await response.json();
  } catch {
    return { title: response.statusText, status: response.status };
  }
}

export async function signIn(username, password) {
  const form = new URLSearchParams({ username, password, grant_type: "password" });
  const result = await api("/auth/token", { method: "POST", form });
  sessionStorage.setItem(TOKEN_KEY, result.access_token);
  sessionStorage.removeItem(ME_KEY);
  return me();
}

/** The signed-in account (cached for the browser tab). */
export async function me() {
  const cached = sessionStorage.getItem(ME_KEY);
  if (cached) return JSON.parse(cached);
  const account = await api("/auth/me");
  sessionStorage.setItem(ME_KEY, JSON.stringify(account));
  return account;
}

/** Download a file the API serves behind the token (a plain link cannot send the Authorization header). */
export async function download(path, fallbackName) {
  const response = await api(path, { raw: true });
  const disposition = response.headers.get("Content-Disposition") || "";
  const match = disposition.match(/filename="?([^";]+)"?/);
  const blob = await response.blob();
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = match ? match[1] : fallbackName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}
