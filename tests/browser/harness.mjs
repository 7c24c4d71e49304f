// The harness of pingan's browser tests: the real pingan binary on the small demo district,
// Debian's Chromium (headless) driven by Playwright, signed-in pages per role, axe checks and
// screenshots. Run the tests with `scripts/browser-tests` (or `node --test tests/browser/*.test.mjs`
// after `npm ci` here). README.md beside this file tells more.
//
// API (one server per test file; share it and its pages between the tests of the file):
//
//   import { test, before, after } from "node:test";
//   import assert from "node:assert/strict";
//   import { startServer, gotoView, checkA11y, screenshot, PASSWORD } from "./harness.mjs";
//
//   let server;
//   before(async () => { server = await startServer({ live: false }); });
//   after(() => server?.close());
//
//   test("the operator sees the command view", async () => {
//     const page = await server.page("operator");   // signed in through the login form
//     await gotoView(page, "command");             // #/command, waits for the panel
//     await page.getByRole("button", { name: "…" }).click();
//     await checkA11y(page, "command view");       // no serious/critical axe violations
//     await screenshot(page, "command-zh");        // only when PINGAN_SCREENSHOTS=DIR
//   });
//
// startServer({ live = false, speed, args = [] }) → Server. `live: true` runs the demo's live
//   simulation (units move, calls come in, plate reads arrive: needed for stream tests);
//   `speed` passes --speed N; `args` are extra arguments for `pingan demo`.
// Server:
//   .url              "http://127.0.0.1:PORT" (no trailing slash); .port; .dataDir; .log (file)
//   .page(role, opts) a Page signed in as `role` (admin operator officer investigator grid desk
//                     analyst auditor; password PASSWORD), cached per role: the same Page comes
//                     back on the next call. opts.fresh: a new browser context (own cookies and
//                     storage) instead of the cached one. opts.lang: "zh-CN" (default) or "en",
//                     set when the page is made (before it loads; not for a cached page).
//                     A cached page comes back as the previous test left it: gotoView() it
//                     where you need it.
//   .anonPage(opts)   a new Page in its own context, not signed in, at the login screen.
//   .newContext(opts) a raw Playwright BrowserContext with the harness's settings (locale en-US,
//                     time zone UTC so that the UI must convert times to the district's zone).
//   .api(role)        a small API client signed in as `role`: get(path), post(path, body),
//                     put/patch/del; paths after /api/v1 ("/auth/me"); throws on non-2xx with
//                     .status and .problem. Handles the CSRF token.
//   .stop()           stops the pingan process (data dir kept), .start() starts it again on the
//                     same port and data dir (e.g. for reconnect tests), .restart() both.
//   .close()          closes the browser, stops the server and removes the data dir.
// gotoView(page, id)   navigates to #/id and waits until the nav marks it current and the view
//                      has rendered its panel. Returns the panel Locator (#panel).
// signIn(page, role, password?)  signs in through the login form of a page at the login screen.
// page.pingErrors      (every harness page) uncaught errors, console errors, HTTP >= 400 seen.
// checkA11y(page, label, { include, exclude, disable })  injects axe-core, runs its standard
//                      rules (WCAG 2.0-2.2 A/AA incl. colour contrast, best practices) and fails
//                      on serious or critical violations, listing them. `disable`: rule ids.
// screenshot(page, name)  saves DIR/name.png when PINGAN_SCREENSHOTS=DIR; otherwise nothing.
// viewsFor(page)       the view registry as the page knows it: [{id, label, permission}], and
//                      expectedNav(page) the ids the signed-in role should see (from /auth/me).
// uiString(page, key)  the UI's own text for an i18n key in the page's current language.
// setLanguage(page, "en"|"zh-CN")  switches with the language button (no-op when already).
// eventually(f, what, timeoutMs)   polls f() until truthy.
// settle(page)         waits until no HTTP request has been in flight for 300 ms (max 5 s).
// districtTime(isoOrMicros, lang) formats a time as the UI must (Asia/Shanghai, fmtTime style).
//
// Environment: PINGAN_BIN (default <repo>/target/debug/pingan), PINGAN_TEST_WEB_DIR (serve
// that web/ folder with --web-dir instead of the UI built into the binary), PINGAN_SCREENSHOTS,
// PINGAN_CHROMIUM (default /usr/bin/chromium), PINGAN_TEST_HEADED=1 (show the browser, needs a
// display), PINGAN_TEST_SLOWMO=ms, PINGAN_TEST_KEEP=1 (keep the data dir with pingan.log).
// Default timeout of each Playwright action or wait: 10 s. The pingan process is killed if the
// test process exits or is interrupted.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, openSync, closeSync, readFileSync, mkdirSync, existsSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
export const REPO = resolve(here, "../..");
export const PASSWORD = "pingan-demo";
export const ROLES = ["admin", "operator", "officer", "investigator", "grid", "desk", "analyst", "auditor"];
export const DISTRICT_ZONE = "Asia/Shanghai";

// Relative paths are taken from where the tests were started (the server runs elsewhere).
const BIN = process.env.PINGAN_BIN ? resolve(process.env.PINGAN_BIN) : join(REPO, "target/debug/pingan");
const WEB_DIR = process.env.PINGAN_TEST_WEB_DIR ? resolve(process.env.PINGAN_TEST_WEB_DIR) : "";
const CHROMIUM = process.env.PINGAN_CHROMIUM || "/usr/bin/chromium";
// Playwright's launch() gives every browser a fresh temporary profile (user-data-dir) of its
// own and removes it on close; Playwright refuses --user-data-dir in `args` for that reason.
const CHROMIUM_ARGS = [
  "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
  "--disable-sync", "--no-first-run", "--disable-quic", "--disable-dev-shm-usage",
];

async function freePort() {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", fail);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => ok(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Every pingan process this test process started, killed if the test process exits early.
const children = new Set();
const killChildren = () => { for (const c of children) { try { c.kill("SIGKILL"); } catch { /* gone */ } } };
process.on("exit", killChildren);
for (const sig of ["SIGINT", "SIGTERM"]) process.once(sig, () => { killChildren(); process.exit(130); });

class Server {
  constructor({ live, speed, args }) {
    this.live = live;
    this.extraArgs = [...(speed ? ["--speed", String(speed)] : []), ...args];
    this.dataDir = mkdtempSync(join(tmpdir(), "pingan-browser-"));
    this.log = join(this.dataDir, "pingan.log");
    this.port = 0;
    this.url = "";
    this.proc = null;
    this.browser = null;
    this.pages = new Map();
    this.contexts = new Set();
  }

  async start() {
    if (!existsSync(BIN)) {
      throw new Error(`pingan binary not found at ${BIN}: build it (cargo build -p pingan --locked) or set PINGAN_BIN`);
    }
    if (!this.port) { this.port = await freePort(); this.url = `http://127.0.0.1:${this.port}`; }
    const args = ["demo", "--small", "--data-dir", join(this.dataDir, "demo"), "--listen", `127.0.0.1:${this.port}`];
    if (!this.live) args.push("--no-live");
    if (WEB_DIR) args.push("--web-dir", resolve(WEB_DIR));
    args.push(...this.extraArgs);
    const out = openSync(this.log, "a");
    const env = { ...process.env, PINGAN_LOG: process.env.PINGAN_LOG || "info" };
    for (const k of ["PINGAN_CONFIG", "PINGAN_DATABASE_URL", "PINGAN_LISTEN", "PINGAN_DATA_DIR", "PINGAN_WEB_DIR", "PINGAN_MQTT_URL"]) delete env[k];
    const proc = spawn(BIN, args, { cwd: this.dataDir, env, stdio: ["ignore", out, out] });
    closeSync(out);
    children.add(proc);
    let exited = null;
    proc.on("exit", (code, signal) => { exited = { code, signal }; children.delete(proc); });
    this.proc = proc;
    this.exited = () => exited;
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (exited) throw new Error(`pingan exited (${exited.code ?? exited.signal}) before it was ready:\n${this.logTail()}`);
      try {
        const r = await fetch(`${this.url}/readyz`);
        if (r.ok) break;
      } catch { /* not listening yet */ }
      if (Date.now() > deadline) throw new Error(`pingan not ready within 60 s:\n${this.logTail()}`);
      await sleep(100);
    }
    return this;
  }

  logTail(lines = 30) {
    try { return readFileSync(this.log, "utf8").split("\n").slice(-lines).join("\n"); } catch { return "(no log)"; }
  }

  async stop() {
    const proc = this.proc;
    this.proc = null;
    if (!proc || this.exited()) return;
    const done = new Promise((r) => proc.once("exit", r));
    proc.kill("SIGTERM");
    let timer;
    const late = new Promise((r) => { timer = setTimeout(() => r(false), 10_000); });
    const stopped = await Promise.race([done.then(() => true), late]);
    clearTimeout(timer); // a pending timer would keep the test process alive
    if (!stopped) { proc.kill("SIGKILL"); await done; }
  }

  async restart() { await this.stop(); await this.start(); }

  async ensureBrowser() {
    if (this.browser) return this.browser;
    if (!existsSync(CHROMIUM)) {
      throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install chromium fonts-wqy-microhei (or scripts/ensure-test-deps.sh --with browser)`);
    }
    this.browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: CHROMIUM_ARGS,
      headless: process.env.PINGAN_TEST_HEADED !== "1",
      slowMo: Number(process.env.PINGAN_TEST_SLOWMO || 0),
    });
    return this.browser;
  }

  async newContext(opts = {}) {
    const browser = await this.ensureBrowser();
    const { lang, ...rest } = opts;
    const ctx = await browser.newContext({
      baseURL: this.url,
      locale: "en-US",
      timezoneId: "UTC",
      viewport: { width: 1280, height: 800 },
      ...rest,
    });
    ctx.setDefaultTimeout(10_000);
    if (lang) {
      await ctx.addInitScript((l) => {
        if (!sessionStorage.getItem("pingan.test.lang-set")) {
          localStorage.setItem("pingan.lang", l);
          sessionStorage.setItem("pingan.test.lang-set", "1");
        }
      }, lang);
    }
    this.contexts.add(ctx);
    ctx.on("close", () => this.contexts.delete(ctx));
    return ctx;
  }

  async anonPage(opts = {}) {
    const ctx = await this.newContext(opts);
    const page = await ctx.newPage();
    collectErrors(page);
    await page.goto("/");
    await waitVisible(page, page.locator("#login-view"), "the login form");
    return page;
  }

  async page(role, { fresh = false, lang } = {}) {
    if (!fresh && this.pages.has(role)) return this.pages.get(role);
    const page = await this.anonPage({ lang });
    await signIn(page, role);
    if (!fresh) this.pages.set(role, page);
    return page;
  }

  api(role) { return new ApiClient(this.url, role); }

  async close() {
    for (const ctx of [...this.contexts]) await ctx.close().catch(() => {});
    if (this.browser) await this.browser.close().catch(() => {});
    this.browser = null;
    await this.stop();
    if (process.env.PINGAN_TEST_KEEP !== "1") rmSync(this.dataDir, { recursive: true, force: true });
  }
}

/// Starts pingan's small demo district on a free port with a fresh data dir; resolves when
/// /readyz answers. See the API at the top of this file.
export async function startServer({ live = false, speed = 0, args = [] } = {}) {
  const server = new Server({ live, speed, args });
  try { await server.start(); } catch (e) { await server.close(); throw e; }
  return server;
}

/// Signs in through the login form (as a person would) and waits for the workspace.
export async function signIn(page, role, password = PASSWORD) {
  await page.locator("#username").fill(role);
  await page.locator("#password").fill(password);
  await page.locator("#login-form button[type=submit]").click();
  await waitVisible(page, page.locator("#workspace"), `the workspace after signing in as ${role}`);
  await page.locator("#nav a").first().waitFor();
  await page.locator("#panel > *").first().waitFor();
}

/// Keeps the page's uncaught errors and console errors on page.pingErrors (tests may assert
/// that it stays empty).
export function collectErrors(page) {
  page.pingErrors = [];
  page.on("pageerror", (e) => page.pingErrors.push(`pageerror: ${e.message}`));
  page.on("console", (m) => { if (m.type() === "error") page.pingErrors.push(`console: ${m.text()}`); });
  page.on("response", (r) => { if (r.status() >= 400) page.pingErrors.push(`http ${r.status()}: ${r.request().method()} ${r.url()}`); });
  page.pingInflight = 0;
  page.pingLastNet = Date.now();
  page.on("request", () => { page.pingInflight++; page.pingLastNet = Date.now(); });
  const done = () => { page.pingInflight = Math.max(0, page.pingInflight - 1); page.pingLastNet = Date.now(); };
  page.on("requestfinished", done);
  page.on("requestfailed", done);
  return page;
}

/// Waits until the page has had no HTTP request in flight for `quietMs` (the WebSocket does not
/// count), at most `timeout` ms; never fails. For a view's first data load.
export async function settle(page, quietMs = 300, timeout = 5_000) {
  const deadline = Date.now() + timeout;
  while (Date.now() < deadline) {
    if (page.pingInflight === 0 && Date.now() - page.pingLastNet >= quietMs) return;
    await sleep(50);
  }
}

/// Waits for `locator` to be visible; on time-out the error also lists the page's errors and
/// failed requests (a UI module that fails to load shows up here).
export async function waitVisible(page, locator, what) {
  try {
    await locator.waitFor({ state: "visible" });
  } catch (e) {
    const errs = (page.pingErrors || []).filter((x) => !/401.*\/auth\/me|status of 401/.test(x));
    throw new Error(`${what} did not show: ${e.message.split("\n")[0]}${errs.length ? `\npage errors:\n  ${errs.join("\n  ")}` : ""}`);
  }
}

/// Opens a view (#/id) and waits until the nav marks it as current and the view has rendered
/// its panel (a marker put into the panel beforehand is gone). Returns the panel Locator.
/// Already on that view: nothing is re-rendered (use page.reload() for a fresh start).
export async function gotoView(page, id) {
  const changed = await page.evaluate((h) => {
    if (location.hash === h) return false;
    const marker = document.createElement("i");
    marker.dataset.testStale = "1";
    marker.hidden = true;
    document.getElementById("panel").append(marker);
    location.hash = h;
    return true;
  }, `#/${id}`);
  await page.locator(`#nav a[aria-current="page"][href="#/${id}"]`).waitFor();
  const panel = page.locator("#panel");
  if (changed) await page.waitForFunction(() => !document.querySelector("#panel [data-test-stale]"));
  await panel.locator("> :not([data-test-stale])").first().waitFor();
  return panel;
}

/// Waits until the page's map stands still: no zoom or pan animation, and the same centre and
/// zoom over two samples 250 ms apart (after sign-in the map fits the district, animated).
export async function mapSettled(page, timeout = 10_000) {
  await page.waitForFunction(async () => {
    const { getMap } = await import("/js/platform/map.js");
    const m = getMap();
    if (!m || m._animatingZoom || (m._panAnim && m._panAnim._inProgress)) return false;
    const key = () => `${m.getCenter().lat},${m.getCenter().lng},${m.getZoom()}`;
    const a = key();
    await new Promise((r) => setTimeout(r, 250));
    return !m._animatingZoom && key() === a;
  }, null, { timeout, polling: 100 });
}

/// A point of the page where a click lands on the map itself (not on a marker, a control, a popup
/// or a tooltip): the nearest such point to `near` (page coordinates; the map's middle if absent),
/// searched in rings outward. Page coordinates, ready for `page.mouse.click`.
export async function freeMapPoint(page, near = null) {
  await mapSettled(page);
  const box = await page.locator("#map").boundingBox();
  const point = await page.evaluate(({ box, near }) => {
    const cx = near ? near.x : box.x + box.width / 2;
    const cy = near ? near.y : box.y + box.height / 2;
    const inside = (x, y) => x > box.x + 40 && x < box.x + box.width - 40 && y > box.y + 40 && y < box.y + box.height - 40;
    for (let r = 0; r < Math.max(box.width, box.height) / 2; r += 17) {
      for (let a = 0; a < 360; a += 30) {
        const x = cx + r * Math.cos((a * Math.PI) / 180);
        const y = cy + r * Math.sin((a * Math.PI) / 180);
        if (!inside(x, y)) continue;
        const el = document.elementFromPoint(x, y);
        if (el && el.closest("#map") && !el.closest(".leaflet-marker-icon, .leaflet-interactive, .leaflet-control, .leaflet-popup, .leaflet-tooltip")) return { x, y };
      }
    }
    return null;
  }, { box, near });
  if (!point) throw new Error("no free spot on the map");
  return point;
}

/// Shown Chinese text not marked as Chinese (no `lang="zh-…"` on it or an ancestor): in the English
/// interface that is data a screen reader would read with English rules (WCAG 3.1.2).
export async function unmarkedChinese(page) {
  return page.evaluate(() => {
    const out = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      const s = n.textContent.trim();
      if (!el || !s || !/[\u3400-\u9fff]/.test(s) || el.closest("script, style, [hidden], option")) continue;
      if (!(el.offsetWidth || el.offsetHeight || el.getClientRects().length)) continue;
      const owner = el.closest("[lang]");
      if (!owner || !owner.lang.toLowerCase().startsWith("zh")) out.push(`<${el.tagName.toLowerCase()}> "${s.slice(0, 60)}"`);
    }
    return out;
  });
}

/// The UI's own string for an i18n key in the page's current language (t(key) of i18n.js).
export async function uiString(page, key) {
  return page.evaluate(async (k) => (await import("/js/platform/i18n.js")).t(k), key);
}

/// Switches the UI language with the language button until it is `lang`; waits for the switch.
export async function setLanguage(page, lang) {
  for (let i = 0; i < 3; i++) {
    if ((await page.evaluate(() => document.documentElement.lang)) === lang) return;
    const before = await page.evaluate(() => document.documentElement.lang);
    await page.locator("#lang").click();
    await page.waitForFunction((b) => document.documentElement.lang !== b, before);
  }
  throw new Error(`could not switch the UI to ${lang}`);
}

/// The view registry as the page has it (web/js/platform/registry.js, filled by app.js).
export async function viewsFor(page) {
  return page.evaluate(async () => {
    const { allViews } = await import("/js/platform/registry.js");
    const VIEWS = allViews();
    return VIEWS.map((v) => ({ id: v.id, label: v.label, permission: v.permission }));
  });
}

/// The ids of the views the page's signed-in user may use, from /auth/me permissions.
export async function expectedNav(page) {
  const views = await viewsFor(page);
  const me = await page.evaluate(async () => (await fetch("/api/v1/auth/me")).json());
  return views.filter((v) => me.permissions.includes(v.permission)).map((v) => v.id);
}

const AXE_SOURCE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

/// Runs axe-core in the page and returns the serious and critical violations.
export async function axeViolations(page, { include, exclude, disable = [] } = {}) {
  await page.evaluate((src) => { if (!window.axe) (0, eval)(src); }, AXE_SOURCE);
  const result = await page.evaluate(async ({ include, exclude, disable }) => {
    const context = include || exclude ? { include: include || [document], exclude: exclude || [] } : document;
    const rules = Object.fromEntries(disable.map((r) => [r, { enabled: false }]));
    // axe's standard rule set: WCAG 2.0/2.1/2.2 A and AA (colour contrast included) and best
    // practices; its experimental rules stay off.
    const r = await window.axe.run(context, { rules, resultTypes: ["violations"] });
    return r.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.slice(0, 5).map((n) => ({ target: n.target.join(" "), summary: n.failureSummary })),
    }));
  }, { include, exclude, disable });
  return result.filter((v) => v.impact === "serious" || v.impact === "critical");
}

/// The violations as readable text (one block per rule, its first nodes).
export function describeViolations(violations) {
  return violations.map((v) => `- [${v.impact}] ${v.id}: ${v.help}\n${v.nodes.map((n) => `    at ${n.target}\n      ${String(n.summary).replace(/\n/g, "\n      ")}`).join("\n")}`).join("\n");
}

/// Fails (with a readable list) when axe finds serious or critical violations.
export async function checkA11y(page, label, opts = {}) {
  const bad = await axeViolations(page, opts);
  if (bad.length) throw new Error(`accessibility (${label}): ${bad.length} serious/critical axe violation(s):\n${describeViolations(bad)}`);
}

/// Saves a screenshot as $PINGAN_SCREENSHOTS/name.png when that variable is set.
export async function screenshot(page, name, opts = {}) {
  const dir = process.env.PINGAN_SCREENSHOTS;
  if (!dir) return null;
  mkdirSync(dir, { recursive: true });
  const path = join(resolve(dir), `${name}.png`);
  // Let tiles of vector layers, fonts and transitions settle.
  await page.evaluate(() => document.fonts && document.fonts.ready);
  await page.waitForTimeout(300);
  await page.screenshot({ path, ...opts });
  return path;
}

/// A time as the UI must show it: the district's zone, fmtTime's format for the language.
export function districtTime(isoOrMicros, lang = "zh-CN") {
  const d = typeof isoOrMicros === "number" ? new Date(isoOrMicros / 1000) : new Date(isoOrMicros);
  return new Intl.DateTimeFormat(lang === "en" ? "en-GB" : "zh-CN", {
    timeZone: DISTRICT_ZONE, year: "numeric", month: "2-digit", day: "2-digit",
    hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false,
  }).format(d);
}

/// Waits until `f()` returns a truthy value (polled), or fails with `what`.
export async function eventually(f, what = "condition", timeout = 15_000, every = 200) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    try { last = await f(); if (last) return last; } catch (e) { last = e; }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`);
    await sleep(every);
  }
}

/// A small API client signed in as one account (cookie session + CSRF token).
export class ApiClient {
  constructor(url, role, password = PASSWORD) {
    this.url = url;
    this.role = role;
    this.password = password;
    this.cookie = "";
    this.csrf = "";
  }

  async login() {
    const r = await fetch(`${this.url}/api/v1/auth/login`, {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ username: this.role, password: this.password }),
    });
    if (!r.ok) throw new Error(`login as ${this.role}: HTTP ${r.status} ${await r.text()}`);
    this.cookie = r.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
    this.csrf = (await r.json()).csrf_token || "";
  }

  async request(method, path, body) {
    if (!this.cookie) await this.login();
    const headers = { Accept: "application/json", Cookie: this.cookie };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (method !== "GET") headers["X-CSRF-Token"] = this.csrf;
    const r = await fetch(`${this.url}/api/v1${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await r.text();
    let data = null;
    try { data = text ? JSON.parse(text) : null; } catch { data = text; }
    if (!r.ok) {
      const e = new Error(`${method} ${path}: HTTP ${r.status} ${text.slice(0, 300)}`);
      e.status = r.status;
      e.problem = data;
      throw e;
    }
    return data;
  }

  get(path) { return this.request("GET", path); }
  post(path, body) { return this.request("POST", path, body ?? {}); }
  put(path, body) { return this.request("PUT", path, body); }
  patch(path, body) { return this.request("PATCH", path, body); }
  del(path) { return this.request("DELETE", path); }
}
