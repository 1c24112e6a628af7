// The moderation API, called with the signed-in key: the console can do nothing else.

import { language } from "./i18n.js";

const BASE = "/api/v1/moderation";
const KEY_SLOT = "commentgate.console.key";

/** A non-2xx answer: its status and its JSON error body (`{code, message, current?}`). */
export class ApiError extends Error {
  constructor(status, error) {
    super(error?.message || `HTTP ${status}`);
    this.status = status;
    this.code = error?.code || "";
    this.current = error?.current || null;
  }
}

/** The key of this tab (sessionStorage: never a cookie, the URL or a log), or "". */
export function storedKey() {
  return sessionStorage.getItem(KEY_SLOT) || "";
}

export function storeKey(key) {
  sessionStorage.setItem(KEY_SLOT, key);
}

export function forgetKey() {
  sessionStorage.removeItem(KEY_SLOT);
}

/** A query string from an object; arrays repeat, empty values are left out. */
export function query(params) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    for (const one of Array.isArray(value) ? value : [value]) {
      if (one !== "" && one !== null && one !== undefined) search.append(name, String(one));
    }
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}

/** Call the moderation API; resolves to the JSON body, rejects with ApiError. */
export async function call(method, path, { body, ifMatch, key = storedKey() } = {}) {
  const headers = { Authorization: `Bearer ${key}`, "Accept-Language": language() };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (ifMatch) headers["If-Match"] = ifMatch;
  busy(1);
  try {
    const response = await fetch(BASE + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: "no-store",
      credentials: "omit",
    });
    const data = await response.json().catch(() => null);
    if (!response.ok) throw new ApiError(response.status, data?.error);
    return data;
  } finally {
    busy(-1);
  }
}

// How many calls are under way, on <body data-calls>: tests and the benchmark wait for 0.
function busy(delta) {
  const calls = Number(document.body.dataset.calls || 0) + delta;
  document.body.dataset.calls = String(calls);
}

export const api = {
  sites: (key) => call("GET", "/sites", { key }),
  queue: (params) => call("GET", `/comments${query(params)}`),
  counts: (params) => call("GET", `/comments/counts${query(params)}`),
  comment: (id) => call("GET", `/comments/${id}`),
  approve: (id, etag) => call("POST", `/comments/${id}/approve`, { ifMatch: etag }),
  reject: (id, etag, reason) =>
    call("POST", `/comments/${id}/reject`, { ifMatch: etag, body: { reason } }),
  reopen: (id, etag) => call("POST", `/comments/${id}/reopen`, { ifMatch: etag }),
  edit: (id, etag, fields) => call("PATCH", `/comments/${id}`, { ifMatch: etag, body: fields }),
  edits: (id) => call("GET", `/comments/${id}/edits`),
  reveal: (id) => call("POST", `/comments/${id}/reveal`, { body: { fields: ["phone", "ip"] } }),
  bulk: (body) => call("POST", "/comments/bulk", { body }),
  ban: (body) => call("POST", "/bans", { body }),
  lift: (banId) => call("POST", `/bans/${banId}/lift`, { body: { restore: true } }),
};
