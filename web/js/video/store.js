// The video network as the UI holds it: cameras, platforms, checkpoints and device health,
// loaded once, kept current from the stream (registry changes, online/offline), shared by the
// map layers and the video view.
import { api } from "../platform/api.js";
import { geographyLayer } from "../platform/map.js";
import { onEvent, onState } from "../platform/stream.js";

const state = {
  cameras: [], byId: new Map(), platforms: [], platformById: new Map(),
  checkpoints: [], checkpointById: new Map(),
  health: new Map(), // `${subject}:${id}` → {online, last_seen_at, changed_at}
  healthMeta: null,
};
const listeners = new Set();
let loading = null;
let towns = null;

/// Subscribes to changes: `f(what, data)` with what = cameras | platforms | checkpoints | health.
export function onVideoChange(f) { listeners.add(f); return () => listeners.delete(f); }
function emit(what, data) { listeners.forEach((f) => { try { f(what, data); } catch (e) { console.error(e); } }); }

export function video() { return state; }

async function loadCameras() {
  state.cameras = await api("GET", "/video/cameras");
  state.byId = new Map(state.cameras.map((c) => [c.id, c]));
  emit("cameras");
}
async function loadPlatforms() {
  state.platforms = await api("GET", "/video/platforms");
  state.platformById = new Map(state.platforms.map((p) => [p.id, p]));
  emit("platforms");
}
async function loadCheckpoints() {
  state.checkpoints = await api("GET", "/video/checkpoints");
  state.checkpointById = new Map(state.checkpoints.map((c) => [c.id, c]));
  emit("checkpoints");
}
export async function loadHealth() {
  const h = await api("GET", "/video/health");
  state.health = new Map(h.devices.map((d) => [`${d.subject}:${d.id}`, d]));
  state.healthMeta = { interval_s: h.interval_s, missed_beats: h.missed_beats };
  emit("health");
  return h;
}

/// Loads everything (once; `force` loads again).
export function loadVideo(force = false) {
  if (!loading || force) {
    loading = Promise.all([loadCameras(), loadPlatforms(), loadCheckpoints(), loadHealth().catch(() => null)])
      .then(() => state)
      .catch((e) => { loading = null; throw e; });
  }
  return loading;
}

/// true (online), false (offline) or null (never heard from).
export function healthOf(subject, id) {
  const h = state.health.get(`${subject}:${id}`);
  return h ? h.online : null;
}

const timers = {};
function later(key, f) {
  clearTimeout(timers[key]);
  timers[key] = setTimeout(() => f().catch(() => {}), 800);
}

// Online/offline changes may have been missed before a (re)subscription or a lag: read them again.
onState((on) => { if (on && loading) loadHealth().catch(() => {}); });

onEvent((e) => {
  if (e.topic !== "devices" || !e.kind) return;
  const d = e.data || {};
  if (e.kind === "device.online" || e.kind === "device.offline") {
    const key = `${d.subject}:${d.id}`;
    const online = e.kind === "device.online";
    const old = state.health.get(key) || {};
    state.health.set(key, { ...old, subject: d.subject, id: d.id, online,
      last_seen_at: d.at || d.last_seen_at || old.last_seen_at, changed_at: e.at });
    emit("health", { subject: d.subject, id: d.id, online, at: e.at });
  } else if (!loading) {
    // nothing loaded yet: the next load reads the registry anyway
  } else if (e.kind.startsWith("registry.camera.")) later("c", loadCameras);
  else if (e.kind.startsWith("registry.platform.")) later("p", loadPlatforms);
  else if (e.kind.startsWith("registry.checkpoint.")) later("k", loadCheckpoints);
});

/// Fills a camera's URL template as the server does: `{start}`/`{end}` RFC 3339 UTC to the
/// second, `{start_unix}`/`{end_unix}` seconds, `{camera_id}`, `{channel_id}`.
export function fillTemplate(tpl, cam, fromMs, toMs) {
  if (!tpl) return null;
  const iso = (ms) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");
  let out = tpl.replaceAll("{camera_id}", cam.id).replaceAll("{channel_id}", cam.channel_id || "");
  if (fromMs != null && toMs != null) {
    out = out.replaceAll("{start_unix}", String(Math.floor(fromMs / 1000)))
      .replaceAll("{end_unix}", String(Math.floor(toMs / 1000)))
      .replaceAll("{start}", iso(fromMs)).replaceAll("{end}", iso(toMs));
  }
  return out;
}

export { safeUrl } from "../platform/ui.js";

function inRing(ring, x, y) {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i];
    const [xj, yj] = ring[j];
    if ((yi > y) !== (yj > y) && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}
function inPolygon(rings, x, y) {
  if (!inRing(rings[0], x, y)) return false;
  for (let k = 1; k < rings.length; k++) if (inRing(rings[k], x, y)) return false;
  return true;
}

/// The towns and the subdistrict, `[{id, name, name_en, polys}]`, loaded once.
export async function getTowns() {
  if (towns) return towns;
  const out = [];
  for (const kind of ["subdistrict", "town"]) {
    let fc;
    try { fc = await geographyLayer(kind); } catch { continue; }
    for (const f of (fc && fc.features) || []) {
      const g = f.geometry || {};
      const polys = g.type === "Polygon" ? [g.coordinates] : g.type === "MultiPolygon" ? g.coordinates : [];
      out.push({ id: f.properties.id, name: f.properties.name, name_en: f.properties.name_en, polys });
    }
  }
  towns = out;
  return towns;
}

const townCache = new Map();
/// The id of the town (or subdistrict) a position lies in, or null.
export function townAt(towns, lon, lat) {
  if (!towns.length) return null;
  const key = `${lon},${lat}`;
  if (townCache.has(key)) return townCache.get(key);
  const hit = towns.find((t) => t.polys.some((p) => inPolygon(p, lon, lat)));
  const id = hit ? hit.id : null;
  townCache.set(key, id);
  return id;
}
