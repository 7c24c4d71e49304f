// The API client: JSON in and out, the CSRF token on writes, problem documents as errors.
let csrf = sessionStorage.getItem("pingan.csrf") || "";

export function setCsrf(token) {
  csrf = token || "";
  if (csrf) sessionStorage.setItem("pingan.csrf", csrf); else sessionStorage.removeItem("pingan.csrf");
}

export class ApiError extends Error {
  constructor(status, problem) {
    super((problem && problem.detail) || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

/// Calls the API: JSON in (or `raw` with `contentType`), JSON out; a problem document becomes an
/// ApiError. With `binary`, a successful answer is `{blob, headers}` instead (images, files).
export async function api(method, path, body, { raw = false, contentType, binary = false } = {}) {
  const headers = { Accept: "application/json" };
  let payload;
  if (body !== undefined) {
    headers["Content-Type"] = contentType || "application/json";
    payload = raw ? body : JSON.stringify(body);
  }
  if (method !== "GET" && csrf) headers["X-CSRF-Token"] = csrf;
  const resp = await fetch("/api/v1" + path, { method, headers, body: payload, credentials: "same-origin" });
  if (binary && resp.ok) return { blob: await resp.blob(), headers: resp.headers };
  const text = await resp.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = text; }
  if (!resp.ok) throw new ApiError(resp.status, data);
  return data;
}

