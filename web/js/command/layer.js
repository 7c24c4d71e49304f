// The live map layers of the command centre, for every view: open incidents by priority (and,
// when switched on, the incidents closed in the last 24 h) and units moving with their GPS
// positions, coloured by status, greyed when the position is stale, labelled with call signs.
// Shown only to roles that may read them (read_incidents; units: view_map); fed by the stream
// through the command store.
import { fmtTime, onLangChange, t } from "../platform/i18n.js";
import { getMap, setOverlay } from "../platform/map.js";
import * as store from "./store.js";
import {
  fmtAge, isOpen, priorityLabel, sourceLabel, stateLabel, unitKindLabel, unitStatusLabel,
} from "./strings.js";
import { html, node } from "../platform/dom.js";

const layers = { open: null, closed: null, units: null };
const names = { open: null, closed: null, units: null };
const incMarkers = new Map(); // id → { marker, key }
const unitMarkers = new Map(); // id → { marker, key }
let me = null;
let unsubscribe = null;
let staleTimer = null;
let selectedId = null;
let selectedInc = null;
let ring = null;
const CLOSED_HOURS = 24;

const NAME_KEYS = { open: "cmd_layer_open", closed: "cmd_layer_closed", units: "cmd_layer_units" };

let registering = false;
function registerOverlays() {
  registering = true;
  try { doRegister(); } finally { registering = false; }
}

function doRegister() {
  const map = getMap();
  for (const k of Object.keys(layers)) {
    const layer = layers[k];
    if (!layer) continue;
    const wasOn = names[k] ? map.hasLayer(layer) : k !== "closed";
    if (names[k]) setOverlay(names[k], null);
    names[k] = t(NAME_KEYS[k]);
    setOverlay(names[k], layer); // adds it to the map and to the layer control
    if (!wasOn) map.removeLayer(layer);
  }
}

function removeOverlays() {
  for (const k of Object.keys(layers)) {
    if (names[k]) setOverlay(names[k], null);
    names[k] = null;
    layers[k] = null;
  }
  incMarkers.clear();
  unitMarkers.clear();
}

// ---- incidents ----

function incidentTitle(i) {
  return `P${i.priority} · ${store.typeLabel(i.type)} · ${stateLabel(i.state)}`;
}

function incidentPopup(i) {
  const loc = i.location || {};
  const place = [store.townLabel(loc), loc.grid_name, loc.road_name].filter(Boolean).join(" · ") || t("cmd_outside");
  return html`<div class="lv-pop"><strong>${priorityLabel(i.priority)} · ${store.typeLabel(i.type)}</strong>
    <table><tr><th scope="row">${t("cmd_state")}</th><td>${stateLabel(i.state)}</td></tr>
    <tr><th scope="row">${t("cmd_received")}</th><td>${fmtTime(i.times.received_at)} (${fmtAge(store.incidentAge(i))})</td></tr>
    <tr><th scope="row">${t("cmd_source")}</th><td>${sourceLabel(i.source)}</td></tr>
    <tr><th scope="row">${t("cmd_location")}</th><td>${place}</td></tr>
    ${i.units.length ? html`<tr><th scope="row">${t("cmd_units_assigned")}</th><td>${i.units.map((u) => (store.units.get(u) || { call_sign: u }).call_sign).join(", ")}</td></tr>` : ""}
    <tr><th scope="row">${t("cmd_id")}</th><td>${i.id}</td></tr></table>
    <a href="#/command?incident=${encodeURIComponent(i.id)}">${t("cmd_open_in_command")}</a></div>`;
}

function incidentKey(i) {
  return `${i.priority}|${i.state}|${i.type}|${i.id === selectedId}`;
}

function incidentIcon(i) {
  const cls = ["lv-inc", `lv-p${i.priority}`];
  if (!isOpen(i.state)) cls.push("lv-closed");
  if (i.id === selectedId) cls.push("lv-selected");
  return L.divIcon({ className: cls.join(" "), html: node(html`<span aria-hidden="true">${i.priority}</span>`), iconSize: [24, 24], iconAnchor: [12, 12] });
}

function label(marker, text) {
  const el = marker.getElement();
  if (el) el.setAttribute("aria-label", text);
}

function wantIncident(i) {
  if (isOpen(i.state)) return layers.open ? "open" : null;
  if (!layers.closed) return null;
  return store.serverNowUs() - i.times.received_at <= CLOSED_HOURS * 3600e6 ? "closed" : null;
}

function syncIncident(i) {
  const want = wantIncident(i);
  const have = incMarkers.get(i.id);
  if (have && have.layer !== want) {
    layers[have.layer] && layers[have.layer].removeLayer(have.marker);
    incMarkers.delete(i.id);
  }
  if (!want) return;
  const cur = incMarkers.get(i.id);
  if (cur) {
    const key = incidentKey(i);
    if (cur.key !== key) {
      cur.marker.setIcon(incidentIcon(i));
      cur.marker.setZIndexOffset(i.id === selectedId ? 3000 : 1000 + (5 - i.priority) * 100);
      cur.marker.options.title = incidentTitle(i);
      label(cur.marker, incidentTitle(i));
      cur.key = key;
    }
    cur.incident = i;
    return;
  }
  const marker = L.marker([i.location.lat, i.location.lon], {
    icon: incidentIcon(i), keyboard: true, title: incidentTitle(i),
    zIndexOffset: i.id === selectedId ? 3000 : 1000 + (5 - i.priority) * 100,
  });
  const entry = { marker, key: incidentKey(i), layer: want, incident: i };
  marker.bindPopup(() => node(incidentPopup(entry.incident)), { maxWidth: 320 });
  marker.on("add", () => label(marker, incidentTitle(entry.incident)));
  incMarkers.set(i.id, entry);
  layers[want].addLayer(marker);
}

function syncAllIncidents() {
  for (const [id, m] of incMarkers) {
    const i = store.incidents.get(id);
    if (!i || !wantIncident(i)) { layers[m.layer] && layers[m.layer].removeLayer(m.marker); incMarkers.delete(id); }
  }
  for (const i of store.incidents.values()) syncIncident(i);
}

// ---- units ----

function unitTitle(u) {
  const stale = store.unitStale(u) ? ` · ${u.last_fix ? t("cmd_stale") : t("cmd_no_fix")}` : "";
  return `${u.call_sign} · ${unitStatusLabel(u.status)}${stale}`;
}

function unitPopup(u) {
  const f = u.last_fix;
  const age = store.unitAge(u);
  const inc = u.incident_id ? store.incidents.get(u.incident_id) : null;
  const incText = u.incident_id
    ? (store.can("read_incidents")
      ? html`<a href="#/command?incident=${encodeURIComponent(u.incident_id)}">${inc ? `${store.typeLabel(inc.type)} (${u.incident_id})` : u.incident_id}</a>`
      : (u.incident_id))
    : t("cmd_none");
  return html`<div class="lv-pop"><strong>${u.call_sign}</strong> <span class="muted">${unitKindLabel(u.kind)} · ${u.agency}</span>
    <table><tr><th scope="row">${t("cmd_state")}</th><td>${unitStatusLabel(u.status)}</td></tr>
    <tr><th scope="row">${t("cmd_position_age")}</th><td>${f ? `${fmtTime(f.at)} (${fmtAge(age)})` : t("cmd_no_fix")}
      ${store.unitStale(u) && f ? html`<span class="cmd-flag">${t("cmd_stale")}</span>` : ""}</td></tr>
    ${f && f.speed_kmh != null ? html`<tr><th scope="row">${t("cmd_speed")}</th><td>${Math.round(f.speed_kmh)} ${t("cmd_kmh")}</td></tr>` : ""}
    <tr><th scope="row">${t("cmd_crew")}</th><td>${(u.crew || []).join("、") || t("cmd_none")}</td></tr>
    <tr><th scope="row">${t("cmd_incident")}</th><td>${incText}</td></tr></table></div>`;
}

function unitKey(u) { return `${u.status}|${store.unitStale(u)}|${u.call_sign}`; }

function unitIcon(u) {
  const cls = ["lv-unit", `lv-us-${u.status}`];
  if (store.unitStale(u)) cls.push("lv-stale");
  return L.divIcon({
    className: cls.join(" "), iconSize: [16, 16], iconAnchor: [8, 8],
    html: node(html`<span class="lv-dot" aria-hidden="true"></span><span class="lv-cs" aria-hidden="true">${u.call_sign}</span>`),
  });
}

function syncUnit(u) {
  if (!layers.units) return;
  const have = unitMarkers.get(u.id);
  if (!u.last_fix) {
    if (have) { layers.units.removeLayer(have.marker); unitMarkers.delete(u.id); }
    return;
  }
  const ll = [u.last_fix.lat, u.last_fix.lon];
  if (have) {
    have.unit = u;
    const cur = have.marker.getLatLng();
    if (cur.lat !== ll[0] || cur.lng !== ll[1]) have.marker.setLatLng(ll);
    const key = unitKey(u);
    if (have.key !== key) {
      have.marker.setIcon(unitIcon(u));
      have.marker.options.title = unitTitle(u);
      label(have.marker, unitTitle(u));
      have.key = key;
    }
    if (have.marker.isPopupOpen()) have.marker.setPopupContent(unitPopup(u));
    return;
  }
  const marker = L.marker(ll, { icon: unitIcon(u), keyboard: true, title: unitTitle(u), zIndexOffset: 500 });
  const entry = { marker, key: unitKey(u), unit: u };
  marker.bindPopup(() => node(unitPopup(entry.unit)), { maxWidth: 300 });
  marker.on("add", () => label(marker, unitTitle(entry.unit)));
  unitMarkers.set(u.id, entry);
  layers.units.addLayer(marker);
}

function syncAllUnits() {
  for (const [id, m] of unitMarkers) if (!store.units.has(id)) { layers.units.removeLayer(m.marker); unitMarkers.delete(id); }
  for (const u of store.units.values()) syncUnit(u);
}

// ---- selection ----

function drawRing() {
  const map = getMap();
  if (ring) { map.removeLayer(ring); ring = null; }
  if (!selectedInc) return;
  ring = L.marker([selectedInc.location.lat, selectedInc.location.lon], {
    icon: L.divIcon({ className: "lv-ring", iconSize: [44, 44], iconAnchor: [22, 22] }),
    interactive: false, keyboard: false, zIndexOffset: 2900,
  }).addTo(map);
}

/** Highlights the incident being viewed (null: none). */
export function highlightIncident(incident) {
  const before = selectedId;
  selectedId = incident ? incident.id : null;
  selectedInc = incident || null;
  for (const id of [before, selectedId]) {
    const i = id && store.incidents.get(id);
    if (i) syncIncident(i);
  }
  drawRing();
}

/** Centres the map on an incident (zooming in when far out). */
export function focusIncident(incident) {
  const map = getMap();
  if (!map || !incident) return;
  map.setView([incident.location.lat, incident.location.lon], Math.max(map.getZoom(), 14));
}

/** Centres the map on a unit and opens its popup. */
export function focusUnit(id) {
  const m = unitMarkers.get(id);
  const map = getMap();
  if (!m || !map) return false;
  if (layers.units && !map.hasLayer(layers.units)) map.addLayer(layers.units);
  map.setView(m.marker.getLatLng(), Math.max(map.getZoom(), 14));
  m.marker.openPopup();
  return true;
}

// ---- life cycle ----

function onStore(kind, payload) {
  if (kind === "incident") syncIncident(payload.incident);
  else if (kind === "incidents") syncAllIncidents();
  else if (kind === "unit") syncUnit(payload.unit);
  else if (kind === "units") syncAllUnits();
}

function teardown() {
  if (unsubscribe) unsubscribe();
  unsubscribe = null;
  if (staleTimer) clearInterval(staleTimer);
  staleTimer = null;
  selectedId = null;
  selectedInc = null;
  if (ring && getMap()) getMap().removeLayer(ring);
  ring = null;
  if (getMap()) removeOverlays();
}

/** Starts the live layers for the signed-in user (again after each sign-in). */
export async function initLiveLayers(user) {
  teardown();
  me = user;
  const perms = (me && me.permissions) || [];
  if (perms.includes("read_incidents")) {
    layers.open = L.layerGroup();
    layers.closed = L.layerGroup();
    layers.closed.on("add", () => {
      if (!registering) store.loadRecentClosed(CLOSED_HOURS).catch((e) => console.warn(e));
    });
  }
  if (perms.includes("view_map")) layers.units = L.layerGroup();
  registerOverlays();
  unsubscribe = store.onChange(onStore);
  // Stale flags change with time alone; closed incidents age out of the 24 h layer.
  staleTimer = setInterval(() => { syncAllUnits(); if (layers.closed) syncAllIncidents(); }, 10000);
  await store.startStore(me);
  syncAllIncidents();
  syncAllUnits();
}

onLangChange(() => {
  if (!me || !getMap()) return;
  registerOverlays();
  for (const m of incMarkers.values()) m.key = "";
  for (const m of unitMarkers.values()) m.key = "";
  syncAllIncidents();
  syncAllUnits();
});
