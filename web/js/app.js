// Boot: sign-in, navigation by role, the map, the live stream, language switching.
import { api, setCsrf } from "./platform/api.js";
import { applyStatic, currentLang, onLangChange, setLang, setZone, t } from "./platform/i18n.js";
import { initMap } from "./platform/map.js";
import { connect, disconnect, onState } from "./platform/stream.js";
import { onMapClick, getMeta } from "./platform/ui.js";
import { allViews, setActionWords, setViews } from "./platform/registry.js";
import platform from "./platform/index.js";
import command from "./command/index.js";
import plates from "./plates/index.js";
import video from "./video/index.js";
import analytics from "./analytics/index.js";
import patrols from "./patrols/index.js";
import demo from "./demo/index.js";
import { startLangParts } from "./platform/langparts.js";
import { append } from "./platform/dom.js";

/// THE list of capabilities: each `web/js/<capability>/index.js` gives its views (placed in the
/// navigation by their `nav` number) and what it starts once signed in (its map layers).
const CAPABILITIES = [platform, command, patrols, plates, video, analytics, demo];
setViews(CAPABILITIES.flatMap((c) => c.views).sort((a, b) => a.nav - b.nav));
setActionWords(Object.assign({}, ...CAPABILITIES.map((c) => c.audit || {})));

let me = null;
let cleanup = null;
let routeGeneration = 0;

function show(el, on) { document.getElementById(el).hidden = !on; }

function allowedViews() {
  return allViews().filter((v) => me && me.permissions.includes(v.permission));
}

function renderNav() {
  const nav = document.getElementById("nav");
  const current = (location.hash.replace(/^#\//, "") || "map").split("?")[0];
  nav.replaceChildren();
  for (const v of allowedViews()) {
    const a = document.createElement("a");
    a.href = `#/${v.id}`;
    a.textContent = t(v.label);
    if (v.id === current) a.setAttribute("aria-current", "page");
    nav.append(a);
  }
}

async function route() {
  if (!me) return;
  renderNav();
  const id = (location.hash.replace(/^#\//, "") || "map").split("?")[0];
  const view = allowedViews().find((v) => v.id === id) || allowedViews()[0];
  const panel = document.getElementById("panel");
  if (cleanup) { try { cleanup(); } catch { /* the old view is gone either way */ } }
  cleanup = null;
  onMapClick(null);
  // A view left before its render finished must not touch the next one: its cleanup runs as
  // soon as it returns, and its late errors are not shown in the panel.
  const mine = ++routeGeneration;
  try {
    const done = await view.render(panel);
    if (typeof done === "function") {
      if (mine === routeGeneration) cleanup = done;
      else { try { done(); } catch { /* already gone */ } }
    }
  } catch (e) {
    if (mine !== routeGeneration) return;
    console.error(e);
    panel.textContent = `${t("error")}: ${e.message}`;
  }
}

async function enter() {
  try { me = await api("GET", "/auth/me"); } catch { me = null; }
  show("login-view", !me);
  show("workspace", !!me);
  show("nav", !!me);
  show("logout", !!me);
  if (!me) { document.getElementById("who").textContent = ""; return; }
  renderWho();
  try { setZone((await getMeta()).time_zone); } catch { /* keep the default zone */ }
  await initMap(document.getElementById("map"));
  for (const c of CAPABILITIES) if (c.start) c.start(me);
  connect();
  await route();
}

document.getElementById("login-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const err = document.getElementById("login-error");
  err.textContent = "";
  try {
    const resp = await api("POST", "/auth/login", {
      username: document.getElementById("username").value.trim(),
      password: document.getElementById("password").value,
    });
    setCsrf(resp.csrf_token);
    document.getElementById("password").value = "";
    await enter();
  } catch (e) {
    err.textContent = e.status === 429 ? t("limited") : t("bad_login");
  }
});

document.getElementById("logout").addEventListener("click", async () => {
  try { await api("POST", "/auth/logout"); } catch { /* already signed out */ }
  setCsrf("");
  disconnect();
  me = null;
  await enter();
});

document.getElementById("lang").addEventListener("click", () => setLang(currentLang() === "zh-CN" ? "en" : "zh-CN"));
let live = false;
function renderLive() {
  const el = document.getElementById("live");
  el.classList.toggle("on", live);
  el.textContent = me ? (live ? t("live_on") : t("live_off")) : "";
}
function renderWho() {
  document.getElementById("who").textContent = me ? `${me.user.display_name} · ${t(`role_${me.user.role}`)}` : "";
}

// The skip link moves focus to the main region without touching the view in the address.
document.querySelector("a.skip").addEventListener("click", (ev) => {
  ev.preventDefault();
  document.getElementById("main").focus();
});

// The switch names the other language in that language (so its own lang attribute).
function renderLangButton() {
  const b = document.getElementById("lang");
  b.textContent = t("other_lang");
  b.lang = currentLang() === "zh-CN" ? "en" : "zh-CN";
}
onLangChange(() => { renderLangButton(); renderWho(); renderLive(); route(); });
onState((on) => { live = on; renderLive(); });
window.addEventListener("hashchange", route);

applyStatic();
renderLangButton();
startLangParts();
enter();
