// The command centre's live state, shared by the map layers and the COMMAND view: open
// incidents, units with their last positions, the incident taxonomy and the towns. Loaded from
// the API, kept current by the `incidents` and `units` stream topics, reloaded whenever the stream
// (re)subscribes or reports lag (events may have been missed) and every minute (units' stale flags).
import { api } from "../platform/api.js";
import { currentLang } from "../platform/i18n.js";
import { onEvent, onState } from "../platform/stream.js";
import { isOpen } from "./strings.js";
import { getMeta } from "../platform/ui.js";
import { emitter } from "../platform/life.js";
import { getTowns } from "../video/store.js";

export const incidents = new Map(); // id → Incident (open ones, plus any looked at or closed lately)
export const units = new Map(); // id → UnitView (position_stale, last_fix_age_s as of `loadedAt`)
export let types = []; // the taxonomy from /incident-types
export let towns = []; // [{id, name, name_en, polys}]: the towns and the subdistrict
let typeIndex = new Map();
let perms = [];
let unsubscribe = null;
let refresh = null;
let generation = 0;
let readyPromise = Promise.resolve();
/** Resolves when the current sign-in's first load is done. */
export const ready = () => readyPromise;
// The server's clock minus ours (µs), learned from stream events and API answers.
let skewUs = 0;
const skewSeen = [];
const changes = emitter();

/** Subscribes to changes: f(kind, payload) with kind "incident" | "incidents" | "unit" |
 * "units" | "timeline" | "stream"; returns the unsubscribe function. */
export function onChange(f) { return changes.on(f); }
function emit(kind, payload) { changes.emit(kind, payload); }

export const can = (p) => perms.includes(p);
/** The server's "now" in microseconds (our clock corrected by the observed skew). */
export const serverNowUs = () => Date.now() * 1000 + skewUs;
function learnSkew(atUs) {
  if (typeof atUs !== "number") return;
  // Events are never early, so the largest of the recent differences is the best estimate.
  skewSeen.push(atUs - Date.now() * 1000);
  if (skewSeen.length > 50) skewSeen.shift();
  skewUs = Math.max(...skewSeen);
}

export function typeLabel(code) {
  const e = typeIndex.get(code);
  if (!e) return code || "";
  return currentLang() === "zh-CN" ? e.label_zh : e.label_en;
}

/** A location's town in the interface language (the API gives the Chinese name). */
export function townLabel(loc) {
  if (!loc || !loc.town_id) return "";
  const tw = towns.find((x) => x.id === loc.town_id);
  return currentLang() !== "zh-CN" && tw && tw.name_en ? `${tw.name_en} (${loc.town_name})` : loc.town_name || "";
}

/** Seconds since a unit's last fix, now. */
export function unitAge(u) {
  return u && u.last_fix ? (serverNowUs() - u.last_fix.at) / 1e6 : null;
}
// The server's `position_stale_after_s` (from /meta; 120 s until it answers).
let STALE_AFTER_S = 120;
getMeta().then((m) => { if (Number.isFinite(m.position_stale_after_s)) STALE_AFTER_S = m.position_stale_after_s; }).catch(() => {});
/** Whether a unit's position is stale: the API's flag, or no fix for two minutes since. */
export function unitStale(u) {
  if (!u || !u.last_fix) return true;
  return !!u.position_stale || unitAge(u) > STALE_AFTER_S;
}

/** Incident age in seconds since it was received. */
export const incidentAge = (i) => (serverNowUs() - i.times.received_at) / 1e6;

/** Takes in an incident from an answer or an event, unless we already hold a newer version. */
export function upsertIncident(inc, { quiet = false } = {}) {
  if (!inc || !inc.id) return false;
  const old = incidents.get(inc.id);
  if (old && old.version > inc.version) return false;
  incidents.set(inc.id, inc);
  if (!quiet) emit("incident", { incident: inc, previous: old || null });
  return true;
}

/** Takes in a unit (a stream `Unit` or an API `UnitView`), keeping the newest fix. */
export function upsertUnit(u, { quiet = false } = {}) {
  if (!u || !u.id) return;
  const old = units.get(u.id);
  let next = { ...u };
  if (old) {
    if (old.version > u.version) next = { ...old };
    const a = old.last_fix, b = u.last_fix;
    next.last_fix = !a ? b : !b ? a : (b.at >= a.at ? b : a);
    if (b && (!a || b.at > a.at)) next.position_stale = false;
    else if (!("position_stale" in u)) next.position_stale = old.position_stale;
  } else if (!("position_stale" in u)) next.position_stale = !u.last_fix;
  units.set(u.id, next);
  if (!quiet) emit("unit", { unit: next, previous: old || null });
}

async function loadIncidents(gen) {
  const list = await api("GET", "/incidents?limit=1000");
  if (gen !== generation) return;
  // Drop open incidents we hold that the server no longer lists as open (missed events).
  const ids = new Set(list.map((i) => i.id));
  for (const [id, inc] of incidents) if (isOpen(inc.state) && !ids.has(id)) incidents.delete(id);
  list.forEach((i) => upsertIncident(i, { quiet: true }));
  emit("incidents");
}

async function loadUnits(gen) {
  const list = await api("GET", "/units");
  if (gen !== generation) return;
  for (const u of list) {
    if (u.last_fix && u.last_fix_age_s != null) learnSkew(u.last_fix.at + u.last_fix_age_s * 1e6);
    const old = units.get(u.id);
    // The API's flag is the truth as of now; a fresher fix from the stream wins over it.
    if (old && old.last_fix && u.last_fix && old.last_fix.at > u.last_fix.at) u.last_fix = old.last_fix;
    units.set(u.id, u);
  }
  emit("units");
}

/** Closed incidents received in the last `hours` (for the map's closed layer). */
export async function loadRecentClosed(hours = 24) {
  const from = new Date(serverNowUs() / 1000 - hours * 3600e3).toISOString();
  const list = await api("GET", `/incidents?open=false&from=${encodeURIComponent(from)}&limit=1000`);
  list.forEach((i) => upsertIncident(i, { quiet: true }));
  emit("incidents");
  return list.filter((i) => !isOpen(i.state));
}

async function loadAll(gen) {
  const jobs = [];
  if (can("read_incidents")) {
    jobs.push(loadIncidents(gen));
    if (types.length === 0) {
      jobs.push(api("GET", "/incident-types").then((list) => {
        types = list;
        typeIndex = new Map(list.map((e) => [e.code, e]));
        emit("incidents");
      }));
    }
  }
  if (can("view_map")) jobs.push(loadUnits(gen));
  if (towns.length === 0) {
    jobs.push(getTowns().then((list) => { towns = list; }).catch(() => { towns = []; }));
  }
  const results = await Promise.allSettled(jobs);
  const failed = results.find((r) => r.status === "rejected");
  if (failed) console.warn("command store:", failed.reason);
}

function onStreamEvent(e) {
  if (!e || !e.topic) return;
  learnSkew(e.at);
  if (e.topic === "incidents" && can("read_incidents")) {
    if (e.kind === "incident.timeline") emit("timeline", e.data && e.data.incident_id);
    else if (e.data && e.data.id) upsertIncident(e.data);
  } else if (e.topic === "units" && can("view_map")) {
    if (e.data && e.data.id) upsertUnit(e.data);
  }
}

// Events flow from now on, and some may have been missed (a new connection, or this client
// lagged): load again. At sign-in this may repeat the first load; it is cheap, and it is what
// keeps an incident recorded between that load and the subscription from going unseen.
onState((on) => {
  if (!unsubscribe) return;
  if (on) loadAll(generation);
  emit("stream", on);
});

/** Starts (or restarts, for a new sign-in) the store for a user's permissions. */
export async function startStore(me) {
  stopStore();
  perms = (me && me.permissions) || [];
  generation += 1;
  unsubscribe = onEvent(onStreamEvent);
  refresh = setInterval(() => { if (can("view_map")) loadUnits(generation).catch(() => {}); }, 60000);
  readyPromise = loadAll(generation);
  await readyPromise;
}

export function stopStore() {
  if (unsubscribe) unsubscribe();
  unsubscribe = null;
  if (refresh) clearInterval(refresh);
  refresh = null;
  incidents.clear();
  units.clear();
  perms = [];
}

/** Open incidents sorted for the queue: priority, then the oldest first. */
export function openQueue() {
  return [...incidents.values()].filter((i) => isOpen(i.state))
    .sort((a, b) => a.priority - b.priority || a.times.received_at - b.times.received_at);
}
