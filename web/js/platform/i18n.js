import { emitter } from "./life.js";

// Every string of the UI in zh-CN (default) and English. Keys missing in one language fall back
// to the other, and a test checks that both languages carry the same keys.
export const STRINGS = {
  "zh-CN": {
    skip: "跳到主要内容",
    signin: "登录",
    signout: "退出",
    username: "用户名",
    password: "密码",
    bad_login: "用户名或密码错误",
    limited: "尝试次数过多，请稍后再试",
    other_lang: "English",
    live_on: "实时",
    live_off: "离线",
    nav_map: "地图",
    nav_audit: "审计",
    nav_admin: "管理",
    layers_district: "辖区",
    layers_town: "乡镇/街道",
    layers_grid: "网格",
    layers_road: "道路",
    layers_key_place: "重点部位",
    layers_key_road: "重点路段",
    map_title: "态势地图",
    map_hint: "点击地图查询所在乡镇、网格和最近道路。",
    locate_title: "位置",
    town: "乡镇",
    grid: "网格",
    nearest_road: "最近道路",
    distance_m: "距离(米)",
    outside: "辖区外",
    events_title: "实时事件",
    no_events: "暂无事件",
    audit_title: "审计日志",
    audit_verify: "校验哈希链",
    audit_ok: "哈希链完整",
    audit_broken: "哈希链断裂于条目",
    actor: "操作者",
    action: "操作",
    outcome: "结果",
    time: "时间",
    object: "对象",
    purpose: "用途",
    reference: "案件/警情编号",
    filter: "筛选",
    more: "更多",
    entries: "条",
    admin_title: "系统管理",
    users: "用户",
    devices: "设备",
    role: "角色",
    display_name: "姓名",
    agency: "机构",
    create: "创建",
    disable: "停用",
    enable: "启用",
    status: "状态",
    enabled: "启用",
    disabled: "停用",
    device_id: "设备编号",
    kind: "类型",
    name: "名称",
    last_seen: "最近心跳",
    register: "登记设备",
    key_once: "设备密钥（仅显示一次）：",
    geography: "地理数据",
    import: "导入",
    imported: "已导入要素",
    saved: "已保存",
    error: "错误",
    nav_label: "主导航",
    map_label: "地图",
    layers_subdistrict: "街道",
    role_admin: "系统管理员",
    role_operator: "指挥中心值班员",
    role_officer: "巡逻民警",
    role_investigator: "侦查员",
    role_grid_worker: "网格员",
    role_agency_desk: "部门值班",
    role_analyst: "分析员",
    role_auditor: "审计员",
    outcome_success: "成功",
    outcome_denied: "拒绝",
    outcome_failed: "失败",
    outcome_error: "出错",
    kind_checkpoint: "卡口",
    kind_camera: "摄像机",
    kind_platform: "视频平台",
    kind_recorder: "录像机",
    kind_unit: "巡逻单元",
  },
  "en": {
    skip: "Skip to main content",
    signin: "Sign in",
    signout: "Sign out",
    username: "User name",
    password: "Password",
    bad_login: "Wrong user name or password",
    limited: "Too many attempts; try again later",
    other_lang: "中文",
    live_on: "live",
    live_off: "offline",
    nav_map: "Map",
    nav_audit: "Audit",
    nav_admin: "Admin",
    layers_district: "District",
    layers_town: "Towns",
    layers_grid: "Grids",
    layers_road: "Roads",
    layers_key_place: "Key places",
    layers_key_road: "Key road sections",
    map_title: "Situation map",
    map_hint: "Click the map to find the town, grid and nearest road.",
    locate_title: "Location",
    town: "Town",
    grid: "Grid",
    nearest_road: "Nearest road",
    distance_m: "Distance (m)",
    outside: "outside the district",
    events_title: "Live events",
    no_events: "No events yet",
    audit_title: "Audit ledger",
    audit_verify: "Verify the hash chain",
    audit_ok: "Hash chain intact",
    audit_broken: "Hash chain broken at entry",
    actor: "Actor",
    action: "Action",
    outcome: "Outcome",
    time: "Time",
    object: "Object",
    purpose: "Purpose",
    reference: "Case/incident",
    filter: "Filter",
    more: "More",
    entries: "entries",
    admin_title: "Administration",
    users: "Users",
    devices: "Devices",
    role: "Role",
    display_name: "Name",
    agency: "Agency",
    create: "Create",
    disable: "Disable",
    enable: "Enable",
    status: "Status",
    enabled: "enabled",
    disabled: "disabled",
    device_id: "Device id",
    kind: "Kind",
    name: "Name",
    last_seen: "Last heartbeat",
    register: "Register device",
    key_once: "Device key (shown once):",
    geography: "Geography",
    import: "Import",
    imported: "Features imported",
    saved: "Saved",
    error: "Error",
    nav_label: "Main navigation",
    map_label: "Map",
    layers_subdistrict: "Subdistrict",
    role_admin: "Administrator",
    role_operator: "Command-centre operator",
    role_officer: "Patrol officer",
    role_investigator: "Investigator",
    role_grid_worker: "Grid worker",
    role_agency_desk: "Agency desk",
    role_analyst: "Analyst",
    role_auditor: "Auditor",
    outcome_success: "success",
    outcome_denied: "denied",
    outcome_failed: "failed",
    outcome_error: "error",
    kind_checkpoint: "Checkpoint",
    kind_camera: "Camera",
    kind_platform: "Video platform",
    kind_recorder: "Recorder",
    kind_unit: "Patrol unit",
  },
};

let lang = localStorage.getItem("pingan.lang") || "zh-CN";
let districtZone = "Asia/Shanghai";

/// Adds a view's strings: `addStrings({ "zh-CN": {...}, en: {...} })`. Each view module keeps
/// its own strings beside its code; both languages must carry the same keys (a browser test
/// checks every registered table).
export function addStrings(table) {
  for (const l of Object.keys(STRINGS)) Object.assign(STRINGS[l], table[l] || {});
}

/// The district's time zone (from /meta), used by every time shown.
export function setZone(zone) { if (zone) districtZone = zone; }
export function zone() { return districtZone; }
const langChanges = emitter();

export function t(key) {
  return STRINGS[lang][key] ?? STRINGS["en"][key] ?? key;
}

/// A translated string with its `{name}` placeholders filled in.
export function fill(key, values) {
  return t(key).replace(/\{(\w+)\}/g, (_, k) => String(values[k] ?? ""));
}

export function currentLang() { return lang; }

/// A number in the interface language's notation, at most `digits` decimals; "—" when missing.
export function fmtNum(x, digits = 1) {
  if (x == null || !Number.isFinite(x)) return "—";
  return x.toLocaleString(lang === "zh-CN" ? "zh-CN" : "en-GB", { maximumFractionDigits: digits });
}

export function setLang(next) {
  lang = next;
  localStorage.setItem("pingan.lang", lang);
  applyStatic();
  langChanges.emit(lang);
}

/** Subscribes to language changes; returns the unsubscribe function. */
export function onLangChange(f) { return langChanges.on(f); }

/// Fills every element carrying data-i18n.
export function applyStatic(root = document) {
  document.documentElement.lang = lang;
  root.querySelectorAll("[data-i18n]").forEach((el) => { el.textContent = t(el.dataset.i18n); });
  root.querySelectorAll("[data-i18n-aria]").forEach((el) => { el.setAttribute("aria-label", t(el.dataset.i18nAria)); });
}

/// A time in the district's zone, e.g. 2015-05-08 10:30:00.
export function fmtTime(iso, tz) {
  if (!iso) return "";
  const d = typeof iso === "number" ? new Date(iso / 1000) : new Date(iso);
  return new Intl.DateTimeFormat(lang === "en" ? "en-GB" : "zh-CN", {
    timeZone: tz || districtZone, year: "numeric", month: "2-digit", day: "2-digit",
    hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false,
  }).format(d);
}

/// How far the zone's wall clock is ahead of UTC at the instant `utcMs` (ms).
function zoneOffsetMs(utcMs, tz) {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone: tz, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit",
    hour: "2-digit", minute: "2-digit", second: "2-digit",
  }).formatToParts(new Date(utcMs));
  const p = Object.fromEntries(parts.map((x) => [x.type, x.value]));
  const asUtc = Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour % 24, +p.minute, +p.second);
  return asUtc - Math.floor(utcMs / 1000) * 1000;
}

/// A `<input type="datetime-local">` value ("2026-11-08T02:10"), read as the district's wall
/// clock whatever the browser's zone → epoch ms, or null when it is not such a value.
export function wallToUtcMs(value, tz = districtZone) {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(String(value || ""));
  if (!m) return null;
  const naive = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +(m[6] || 0));
  // Twice: the offset at the guess, then at the corrected instant (right across DST changes).
  const guess = naive - zoneOffsetMs(naive, tz);
  return naive - zoneOffsetMs(guess, tz);
}

/// Epoch ms → "YYYY-MM-DDTHH:MM" on the district's wall clock (for datetime-local inputs).
export function utcMsToWall(ms, tz = districtZone) {
  return new Date(ms + zoneOffsetMs(ms, tz)).toISOString().slice(0, 16);
}
