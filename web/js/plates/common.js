// Shared pieces of the plate views (investigation, watch-list, alerts layer): district-zone
// times for datetime-local inputs, the checkpoint bindings, the signed-in person, problem text.
import { api } from "../platform/api.js";
import { addStrings, t, utcMsToWall, wallToUtcMs, zone } from "../platform/i18n.js";
import { html } from "../platform/dom.js";

addStrings({
  "zh-CN": {
    pl_from: "开始时间",
    pl_to: "结束时间",
    pl_zone_hint: "时间按辖区时区",
    pl_checkpoint: "卡口",
    pl_plate: "号牌",
    pl_time: "通过时间",
    pl_direction: "方向",
    pl_lane: "车道",
    pl_vehicle: "车辆",
    pl_confidence: "置信度",
    pl_read_id: "过车记录号",
    pl_unknown_cp: "未登记卡口",
    pl_bad_time: "请填写完整的开始和结束时间",
    pl_exact: "精确命中",
    pl_approximate: "近似命中",
    pl_approx_detail: "第{pos}位：识别为“{read}”，布控为“{listed}”",
    r_stolen_vehicle: "被盗抢车辆",
    r_wanted_person: "在逃人员",
    r_missing_person: "失踪人员",
    r_hit_and_run: "交通肇事逃逸",
    r_criminal_investigation: "刑事侦查",
    r_other: "其他",
    o_intercepted: "已拦截",
    o_not_found: "未发现",
    o_false_match: "误报",
    o_misread: "识别错误",
    o_other: "其他",
    role_operator: "值班员",
    role_investigator: "侦查员",
  },
  en: {
    pl_from: "From",
    pl_to: "To",
    pl_zone_hint: "times in the district's zone",
    pl_checkpoint: "Checkpoint",
    pl_plate: "Plate",
    pl_time: "Passed at",
    pl_direction: "Direction",
    pl_lane: "Lane",
    pl_vehicle: "Vehicle",
    pl_confidence: "Confidence",
    pl_read_id: "Read id",
    pl_unknown_cp: "unbound checkpoint",
    pl_bad_time: "Give a complete start and end time",
    pl_exact: "Exact hit",
    pl_approximate: "Approximate hit",
    pl_approx_detail: "character {pos}: read “{read}”, listed “{listed}”",
    r_stolen_vehicle: "Stolen vehicle",
    r_wanted_person: "Wanted person",
    r_missing_person: "Missing person",
    r_hit_and_run: "Hit and run",
    r_criminal_investigation: "Criminal investigation",
    r_other: "Other",
    o_intercepted: "Intercepted",
    o_not_found: "Not found",
    o_false_match: "False match",
    o_misread: "Misread",
    o_other: "Other",
    role_operator: "Operator",
    role_investigator: "Investigator",
  },
});

export const REASONS = ["stolen_vehicle", "wanted_person", "missing_person", "hit_and_run", "criminal_investigation", "other"];
export const OUTCOMES = ["intercepted", "not_found", "false_match", "misread", "other"];
/// Roles that may receive alerts (they hold handle_alerts; the server checks again).
export const ALERT_ROLES = ["operator", "investigator"];

export { fill } from "../platform/i18n.js";

// ---- Times: datetime-local values are wall-clock times of the district's zone.

/// "2026-11-08T02:10" (district wall clock) → UTC microseconds, or null.
export function localToMicros(value, tz = zone()) {
  const ms = wallToUtcMs(value, tz);
  return ms === null ? null : ms * 1000;
}

/// UTC microseconds → "YYYY-MM-DDTHH:MM" on the district's wall clock (for datetime-local).
export function microsToLocal(us, tz = zone()) {
  return utcMsToWall(Math.floor(us / 1000), tz);
}

export function nowMicros() { return Date.now() * 1000; }
export const HOUR_US = 3600 * 1e6;
export const DAY_US = 24 * HOUR_US;

/// A labelled pair of datetime-local inputs; `prefix` makes the ids unique.
export function windowFields(prefix, fromUs, toUs) {
  return html`<div class="pl-window"><div><label for="${prefix}-from">${t("pl_from")}</label>
    <input type="datetime-local" id="${prefix}-from" required value="${microsToLocal(fromUs)}" aria-describedby="${prefix}-zone"></div>
    <div><label for="${prefix}-to">${t("pl_to")}</label>
    <input type="datetime-local" id="${prefix}-to" required value="${microsToLocal(toUs)}" aria-describedby="${prefix}-zone"></div>
    <p class="muted pl-zone" id="${prefix}-zone">${t("pl_zone_hint")} (${zone()})</p></div>`;
}

/// Reads a window written by `windowFields`; throws a message when incomplete.
export function readWindow(root, prefix) {
  const from = localToMicros(root.querySelector(`#${prefix}-from`).value);
  const to = localToMicros(root.querySelector(`#${prefix}-to`).value);
  if (from === null || to === null) throw new Error(t("pl_bad_time"));
  return { from, to };
}

// ---- The checkpoint bindings: code → name and position.

let cpCache = null;
let cpAt = 0;
/// Map of code → {code, checkpoint_id, name, lon, lat}, refreshed every 5 minutes.
export async function checkpoints() {
  if (!cpCache || Date.now() - cpAt > 300000) {
    const rows = await api("GET", "/plates/checkpoints");
    cpCache = new Map(rows.map((b) => [b.code, b]));
    cpAt = Date.now();
  }
  return cpCache;
}

/// A checkpoint's display name: "kk-01 临港大道西入口卡口" (or the bare code when unbound).
export function cpName(cps, code) {
  const b = cps && cps.get(Number(code));
  if (!b) return `#${code} (${t("pl_unknown_cp")})`;
  return `${b.checkpoint_id || "#" + code}${b.name ? " " + b.name : ""}`;
}

export function cpLatLng(cps, code) {
  const b = cps && cps.get(Number(code));
  return b && b.lat != null && b.lon != null ? [b.lat, b.lon] : null;
}

// ---- The signed-in person (permissions decide which parts a view shows).

export async function whoAmI() {
  return api("GET", "/auth/me");
}

export function can(me, permission) {
  return !!(me && me.permissions && me.permissions.includes(permission));
}

/// A problem document as text: the detail, then each field error as "field: message".
export function problemDetail(e) {
  const p = e && e.problem;
  if (!p || typeof p !== "object") return (e && e.message) || String(e);
  const head = p.detail || p.title || `HTTP ${e.status}`;
  const errs = (p.errors || []).slice(0, 6).map((x) => (x.field ? `${x.field}: ${x.message}` : x.message || JSON.stringify(x)))
    .filter((x) => !head.includes(x));
  return errs.length ? `${head} — ${errs.join("; ")}` : head;
}

/// Great-circle distance in metres (as the server computes scenes).
export function haversineM(a, b) {
  const rad = (x) => (x * Math.PI) / 180;
  const h = Math.sin(rad(b[0] - a[0]) / 2) ** 2 + Math.cos(rad(a[0])) * Math.cos(rad(b[0])) * Math.sin(rad(b[1] - a[1]) / 2) ** 2;
  return 2 * 6371008.8 * Math.asin(Math.sqrt(h));
}

/// The label of an alert's kind, with the approximate hit's detail.
export function hitText(a) {
  if (a.kind !== "approximate") return t("pl_exact");
  const d = a.detail || {};
  return `${t("pl_approximate")} (${fill("pl_approx_detail", { pos: (d.position ?? 0) + 1, read: d.read_char ?? "?", listed: d.listed_char ?? "?" })})`;
}
