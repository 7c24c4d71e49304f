// The video network on the map, for every view: cameras (grid-clustered when zoomed out, on the
// canvas renderer), their view wedges when zoomed in, checkpoints, and live detection events.
import { addStrings, fmtTime, onLangChange, t } from "../platform/i18n.js";
import { getMap, setOverlay } from "../platform/map.js";
import { onEvent } from "../platform/stream.js";
import { fillTemplate, healthOf, loadVideo, onVideoChange, safeUrl, video } from "./store.js";
import { html, node } from "../platform/dom.js";

addStrings({
  "zh-CN": {
    layers_cameras: "摄像机",
    layers_camera_views: "摄像机视域",
    layers_checkpoints: "治安卡口",
    layers_detections: "实时检测事件",
    cam_platform: "平台",
    cam_status: "登记状态",
    cam_health: "在线状态",
    cam_live: "实时视频",
    cam_playback: "回放（最近15分钟）",
    cam_ptz: "云台(PTZ)",
    cam_fixed: "固定",
    cam_heading: "朝向",
    cam_range: "视距",
    cam_none: "无",
    st_active: "在用",
    st_maintenance: "维修中",
    st_retired: "已退役",
    h_online: "在线",
    h_offline: "离线",
    h_unknown: "无心跳",
    cluster_label: "{n} 台摄像机，按回车放大",
    cp_lanes: "车道",
    cp_directions: "方向",
    det_label: "检测：{label}",
    det_at: "摄像机",
    det_colour: "颜色",
  },
  en: {
    layers_cameras: "Cameras",
    layers_camera_views: "Camera views",
    layers_checkpoints: "Checkpoints",
    layers_detections: "Live detections",
    cam_platform: "Platform",
    cam_status: "Registry status",
    cam_health: "Health",
    cam_live: "Live video",
    cam_playback: "Playback (last 15 min)",
    cam_ptz: "PTZ",
    cam_fixed: "fixed",
    cam_heading: "Heading",
    cam_range: "Range",
    cam_none: "none",
    st_active: "active",
    st_maintenance: "maintenance",
    st_retired: "retired",
    h_online: "online",
    h_offline: "offline",
    h_unknown: "no heartbeat",
    cluster_label: "{n} cameras, press Enter to zoom in",
    cp_lanes: "Lanes",
    cp_directions: "Directions",
    det_label: "Detection: {label}",
    det_at: "Camera",
    det_colour: "Colour",
  },
});

/// Zoom levels: clusters up to CLUSTER_MAX, single cameras and view wedges from WEDGE_MIN.
const CLUSTER_MAX = 15;
const WEDGE_MIN = 16;
const CELL_PX = 64;
const COLOURS = { online: "#047857", offline: "#a4000f", unknown: "#0b5cad", idle: "#6b7280" };

let started = false;
let renderer = null;
const layers = { cameras: null, views: null, checkpoints: null, detections: null };
const names = {};

/// A camera's colour key: registry status first, then health.
export function cameraState(c) {
  if (c.status !== "active") return "idle";
  const h = healthOf("camera", c.id);
  return h === true ? "online" : h === false ? "offline" : "unknown";
}

function healthText(subject, id) {
  const h = healthOf(subject, id);
  return h === true ? t("h_online") : h === false ? t("h_offline") : t("h_unknown");
}

function link(url, text) {
  const u = safeUrl(url);
  return u ? html`<a href="${u}" target="_blank" rel="noopener noreferrer">${text}</a>` : (t("cam_none"));
}

/// The popup of a camera: name, platform, status, live and playback links.
export function cameraPopup(c) {
  const v = video();
  const p = c.platform_id ? v.platformById.get(c.platform_id) : null;
  const now = Date.now();
  const st = cameraState(c);
  return html`<div class="vid-popup"><strong>${c.name}</strong> <span class="muted">${c.id}</span>
    <table><tr><th scope="row">${t("cam_platform")}</th><td>${p ? p.name : c.platform_id || "—"}</td></tr>
    <tr><th scope="row">${t("cam_status")}</th><td>${t(`st_${c.status}`)}</td></tr>
    <tr><th scope="row">${t("cam_health")}</th><td class="vid-h-${st}">${healthText("camera", c.id)}</td></tr>
    <tr><th scope="row">${t("cam_heading")}</th><td>${c.ptz ? (t("cam_ptz")) : `${c.heading_deg}° / ${c.fov_deg}°`} · ${t("cam_range")} ${c.range_m} m</td></tr>
    <tr><th scope="row">${t("cam_live")}</th><td>${link(fillTemplate(c.live_url, c), t("cam_live"))}</td></tr>
    <tr><th scope="row">${t("cam_playback")}</th><td>${link(fillTemplate(c.playback_url, c, now - 15 * 60000, now), t("cam_playback"))}</td></tr>
    </table></div>`;
}

function checkpointPopup(k) {
  return html`<div class="vid-popup"><strong>${k.name}</strong> <span class="muted">${k.id}</span>
    <table><tr><th scope="row">${t("cp_lanes")}</th><td>${k.lanes}</td></tr>
    <tr><th scope="row">${t("cp_directions")}</th><td>${(k.directions || []).join(", ")}</td></tr>
    <tr><th scope="row">${t("cam_health")}</th><td>${healthText("checkpoint", k.id)}</td></tr></table></div>`;
}

/// A fixed camera's view as a ring of [lat, lng] (apex, arc); PTZ: a full circle.
export function wedge(c, steps = 16) {
  const mPerLat = 111320;
  const mPerLon = 111320 * Math.cos((c.lat * Math.PI) / 180);
  const pt = (deg) => {
    const a = (deg * Math.PI) / 180;
    return [c.lat + (c.range_m * Math.cos(a)) / mPerLat, c.lon + (c.range_m * Math.sin(a)) / mPerLon];
  };
  if (c.ptz) return Array.from({ length: 32 }, (_, i) => pt((i * 360) / 32));
  const ring = [[c.lat, c.lon]];
  for (let i = 0; i <= steps; i++) ring.push(pt(c.heading_deg - c.fov_deg / 2 + (c.fov_deg * i) / steps));
  return ring;
}

function singleMarker(c) {
  const col = COLOURS[cameraState(c)];
  const m = L.circleMarker([c.lat, c.lon], { renderer, radius: 5, weight: 1.5, color: "#fff", fillColor: col, fillOpacity: 0.95 });
  m.bindTooltip(node(html`<span>${c.name} · ${c.id}</span>`));
  m.bindPopup(() => node(cameraPopup(c)), { maxWidth: 320 });
  return m;
}

function clusterMarker(cell, zoom) {
  const n = cell.items.length;
  const size = n < 10 ? 26 : n < 100 ? 32 : 40;
  const label = t("cluster_label").replace("{n}", n);
  const icon = L.divIcon({
    className: `vid-cluster${cell.offline ? " vid-cluster-off" : ""}`,
    html: node(html`<span aria-hidden="true">${n}</span>`), iconSize: [size, size],
  });
  const m = L.marker([cell.lat / n, cell.lng / n], { icon, title: label, keyboard: true, riseOnHover: true });
  m.on("add", () => { const el = m.getElement(); if (el) el.setAttribute("aria-label", label); });
  m.on("click", () => {
    const b = L.latLngBounds(cell.items.map((c) => [c.lat, c.lon]));
    const map = getMap();
    if (b.getNorthEast().equals(b.getSouthWest())) map.setView(b.getCenter(), Math.max(zoom + 2, WEDGE_MIN));
    else map.fitBounds(b.pad(0.3), { maxZoom: Math.max(zoom + 2, WEDGE_MIN) });
  });
  return m;
}

function drawCameras() {
  const map = getMap();
  const group = layers.cameras;
  if (!map || !group || !map.hasLayer(group)) return;
  group.clearLayers();
  const zoom = map.getZoom();
  const bounds = map.getBounds().pad(0.25);
  const inView = video().cameras.filter((c) => bounds.contains([c.lat, c.lon]));
  if (zoom > CLUSTER_MAX) { inView.forEach((c) => group.addLayer(singleMarker(c))); return; }
  const cells = new Map();
  for (const c of inView) {
    const p = map.project([c.lat, c.lon], zoom);
    const key = `${Math.floor(p.x / CELL_PX)}:${Math.floor(p.y / CELL_PX)}`;
    let cell = cells.get(key);
    if (!cell) { cell = { items: [], lat: 0, lng: 0, offline: false }; cells.set(key, cell); }
    cell.items.push(c);
    cell.lat += c.lat;
    cell.lng += c.lon;
    if (cameraState(c) === "offline") cell.offline = true;
  }
  for (const cell of cells.values()) group.addLayer(cell.items.length === 1 ? singleMarker(cell.items[0]) : clusterMarker(cell, zoom));
}

function drawViews() {
  const map = getMap();
  const group = layers.views;
  if (!map || !group || !map.hasLayer(group)) return;
  group.clearLayers();
  if (map.getZoom() < WEDGE_MIN) return;
  const bounds = map.getBounds().pad(0.3);
  for (const c of video().cameras) {
    if (c.status !== "active" || !bounds.contains([c.lat, c.lon])) continue;
    const col = COLOURS[cameraState(c)];
    group.addLayer(L.polygon(wedge(c), { renderer, interactive: false, color: col, weight: 1, fillColor: col, fillOpacity: 0.12 }));
  }
}

function drawCheckpoints() {
  const group = layers.checkpoints;
  if (!group) return;
  group.clearLayers();
  for (const k of video().checkpoints) {
    const h = healthOf("checkpoint", k.id);
    // No text inside (a drawn gantry), so the accessible name is the checkpoint's own name,
    // marked with its language (the names are Chinese data, not UI text).
    const icon = L.divIcon({ className: `vid-cp${h === false ? " vid-cp-off" : ""}`, html: "", iconSize: [20, 20] });
    const label = `${k.name} (${k.id})`;
    const m = L.marker([k.lat, k.lon], { icon, title: label, keyboard: true });
    m.on("add", () => {
      const el = m.getElement();
      if (!el) return;
      el.setAttribute("aria-label", label);
      if (/[\u3400-\u9fff]/.test(k.name)) el.setAttribute("lang", "zh-CN");
    });
    m.bindPopup(() => node(checkpointPopup(k)), { maxWidth: 300 });
    group.addLayer(m);
  }
}

function redraw() { drawCameras(); drawViews(); }

/// A short-lived marker at the camera of a detection event (stream topic `detections`).
function showDetection(e) {
  const d = e.data || {};
  const c = video().byId.get(d.camera_id);
  if (!c || !layers.detections) return;
  const label = t("det_label").replace("{label}", d.label || "?");
  const icon = L.divIcon({ className: "vid-det", html: node(html`<span aria-hidden="true"></span>`), iconSize: [22, 22] });
  const m = L.marker([c.lat, c.lon], { icon, title: label, keyboard: false, zIndexOffset: 1000 });
  m.bindTooltip(node(html`${label}${d.colour ? ` · ${t("det_colour")} ${d.colour}` : ""}<br>${t("det_at")}: ${c.name} · ${fmtTime(d.start_at || e.at)}`));
  m.bindPopup(() => node(cameraPopup(c)), { maxWidth: 320 });
  layers.detections.addLayer(m);
  setTimeout(() => layers.detections.removeLayer(m), 60000);
}

function register() {
  const map = getMap();
  for (const key of Object.keys(layers)) {
    const wasOn = names[key] ? map.hasLayer(layers[key]) : true;
    if (names[key]) setOverlay(names[key], null);
    names[key] = t(key === "views" ? "layers_camera_views" : `layers_${key}`);
    setOverlay(names[key], layers[key]);
    if (!wasOn) map.removeLayer(layers[key]);
  }
}

/// Starts the video layers once the map exists (app.js calls it after initMap); later calls
/// (a new sign-in) reload the registry.
export async function startVideoLayers() {
  const map = getMap();
  if (!map) return;
  if (started) { loadVideo(true).catch(() => {}); return; }
  started = true;
  renderer = L.canvas({ padding: 0.3 });
  layers.cameras = L.layerGroup();
  layers.views = L.layerGroup();
  layers.checkpoints = L.layerGroup();
  layers.detections = L.layerGroup();
  layers.cameras.on("add", () => setTimeout(drawCameras));
  layers.views.on("add", () => setTimeout(drawViews));
  register();
  map.on("moveend", redraw);
  onLangChange(() => { register(); drawCheckpoints(); });
  let pending = null;
  onVideoChange((what) => {
    if (what === "checkpoints" || what === "health") drawCheckpoints();
    if (what !== "platforms" && !pending) pending = setTimeout(() => { pending = null; redraw(); }, 300);
  });
  onEvent((e) => { if (e.topic === "detections" && e.kind === "detection") showDetection(e); });
  try { await loadVideo(); } catch (e) { console.warn("video layers:", e); }
}

/// Centres the map on a camera and opens its popup.
export function focusCamera(id, zoom = 18) {
  const map = getMap();
  const c = video().byId.get(id);
  if (!map || !c) return;
  map.setView([c.lat, c.lon], Math.max(map.getZoom(), zoom));
  L.popup({ maxWidth: 320 }).setLatLng([c.lat, c.lon]).setContent(node(cameraPopup(c))).openOn(map);
}

/// Centres the map on a checkpoint and opens its popup.
export function focusCheckpoint(id, zoom = 16) {
  const map = getMap();
  const k = video().checkpointById.get(id);
  if (!map || !k) return;
  map.setView([k.lat, k.lon], Math.max(map.getZoom(), zoom));
  L.popup({ maxWidth: 300 }).setLatLng([k.lat, k.lon]).setContent(node(checkpointPopup(k))).openOn(map);
}
