// Watch-list alerts everywhere in the dashboard (for roles with handle_alerts): a map layer with
// the checkpoints of unacknowledged alerts, which flashes the checkpoint of a new alert, and a
// counter of unacknowledged alerts in the top bar (a link to the watch-list view).
// app.js calls startAlerts(me) after the map is up, on every sign-in.
import { api } from "../platform/api.js";
import { addStrings, fmtTime, onLangChange, t } from "../platform/i18n.js";
import { getMap, setOverlay } from "../platform/map.js";
import { onEvent, onState } from "../platform/stream.js";
import { can, checkpoints, cpLatLng, cpName } from "./common.js";
import { html, put, node } from "../platform/dom.js";

addStrings({
  "zh-CN": {
    al_layer: "布控告警",
    al_counter: "未签收告警",
    al_counter_go: "（查看布控告警）",
    al_new: "布控告警：{plate} 经过 {cp}",
  },
  en: {
    al_layer: "Watch-list alerts",
    al_counter: "Open alerts",
    al_counter_go: " (open the watch-list)",
    al_new: "Watch-list alert: {plate} passed {cp}",
  },
});

const LIMIT = 500;
let active = false;
let open = new Map(); // alert id → alert
let layer = null;
let layerName = "";
let counter = null;
let announcer = null;
let offEvent = null;
let cps = new Map();
const flashing = new Map(); // checkpoint code → timer

function renderCounter() {
  if (!counter) return;
  const n = open.size;
  const text = n >= LIMIT ? `${LIMIT}+` : String(n);
  counter.querySelector(".al-n").textContent = text;
  counter.querySelector(".al-t").textContent = t("al_counter");
  counter.querySelector(".al-go").textContent = t("al_counter_go");
  counter.classList.toggle("has", n > 0);
}

function redraw() {
  if (!layer) return;
  layer.clearLayers();
  const byCp = new Map();
  for (const a of open.values()) {
    if (!byCp.has(a.checkpoint)) byCp.set(a.checkpoint, []);
    byCp.get(a.checkpoint).push(a);
  }
  for (const [code, list] of byCp) {
    const pos = cpLatLng(cps, code);
    if (!pos) continue;
    const flash = flashing.has(code) ? " flash" : "";
    L.marker(pos, {
      keyboard: false, zIndexOffset: 1000,
      icon: L.divIcon({ className: `al-marker${flash}`, html: node(html`<span>${list.length}</span>`), iconSize: [30, 30] }),
    }).bindTooltip(node(html`<strong>${cpName(cps, code)}</strong>${list.slice(0, 6)
      .map((a) => html`<br>${a.plate} · ${fmtTime(a.ts)}${a.kind === "approximate" ? " ≈" : ""}`)}`))
      .on("click", () => { location.hash = "#/watchlist"; })
      .addTo(layer);
  }
}

/// Flashes a checkpoint on the map for a few seconds (a new alert, or "show on map").
export function flashCheckpoint(code, pan = false) {
  if (!layer) return;
  if (flashing.has(code)) clearTimeout(flashing.get(code));
  flashing.set(code, setTimeout(() => { flashing.delete(code); redraw(); }, 12000));
  const pos = cpLatLng(cps, code);
  if (pos && pan) getMap().setView(pos, Math.max(getMap().getZoom(), 13));
  if (pos && ![...open.values()].some((a) => a.checkpoint === code)) {
    // Acknowledged alerts have no marker of their own: show a short-lived one.
    const m = L.marker(pos, { keyboard: false, icon: L.divIcon({ className: "al-marker flash done", html: "<span>✓</span>", iconSize: [30, 30] }) })
      .bindTooltip(node(html`<span>${cpName(cps, code)}</span>`)).addTo(layer);
    setTimeout(() => layer && layer.removeLayer(m), 12000);
    return;
  }
  redraw();
}

async function reload() {
  if (!active) return;
  try {
    cps = await checkpoints();
    const rows = await api("GET", `/alerts?open=true&limit=${LIMIT}`);
    open = new Map(rows.filter((a) => !a.acked_at).map((a) => [a.id, a]));
  } catch { /* keep what we have; the next event or reconnection tries again */ }
  renderCounter();
  redraw();
}

function onAlert(e) {
  if (!active || e.topic !== "alerts" || !e.data) return;
  const a = e.data;
  if (e.kind === "watchlist.hit" && !a.acked_at) {
    open.set(a.id, a);
    renderCounter();
    flashCheckpoint(a.checkpoint);
    if (announcer) announcer.textContent = t("al_new").replace("{plate}", a.plate).replace("{cp}", cpName(cps, a.checkpoint));
  } else if (e.kind === "watchlist.ack") {
    open.delete(a.id);
    renderCounter();
    redraw();
  }
}

/// Stops everything (sign-out, or a new sign-in).
export function stopAlerts() {
  active = false;
  if (offEvent) offEvent();
  offEvent = null;
  if (layer) setOverlay(layerName, null);
  layer = null;
  if (counter) counter.remove();
  if (announcer) announcer.remove();
  counter = announcer = null;
  open = new Map();
}

/// Starts the layer and counter for a signed-in person who handles alerts.
export async function startAlerts(me) {
  stopAlerts();
  if (!can(me, "handle_alerts")) return;
  active = true;
  layer = L.layerGroup();
  layerName = t("al_layer");
  setOverlay(layerName, layer);
  const right = document.querySelector(".top-right");
  counter = document.createElement("a");
  counter.id = "alert-count";
  counter.className = "al-count";
  counter.href = "#/watchlist";
  put(counter, html`<span class="al-t"></span> <span class="al-n">0</span><span class="sr-only al-go"></span>`);
  announcer = document.createElement("span");
  announcer.className = "sr-only";
  announcer.setAttribute("role", "status");
  announcer.setAttribute("aria-live", "polite");
  right.prepend(counter, announcer);
  offEvent = onEvent(onAlert);
  renderCounter();
  await reload();
}

let wired = false;
function wireOnce() {
  if (wired) return;
  wired = true;
  onState((on) => { if (on) reload(); });
  onLangChange(() => {
    renderCounter();
    if (layer) { setOverlay(layerName, null); layerName = t("al_layer"); setOverlay(layerName, layer); redraw(); }
  });
  const logout = document.getElementById("logout");
  if (logout) logout.addEventListener("click", stopAlerts);
}
wireOnce();
