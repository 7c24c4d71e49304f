// The forms of the investigative queries Q1–Q7: their fields and the query object each builds
// (POST /plates/query `query`; times are UTC microseconds, windows [from, to)).
import { addStrings, t } from "../platform/i18n.js";
import { DAY_US, cpName, nowMicros, readWindow, windowFields } from "./common.js";
import { html, nothing } from "../platform/dom.js";

addStrings({
  "zh-CN": {
    q_trajectory: "轨迹查询",
    q_at_checkpoints: "卡口过车",
    q_co_travel: "伴随车辆",
    q_multi_scene: "多点碰撞",
    q_partial_plate: "模糊号牌",
    q_flows: "卡口流量",
    q_first_seen: "首次出现",
    qh_trajectory: "某号牌在时段内依次经过的卡口，按时间排序，在地图上编号标出。",
    qh_at_checkpoints: "所选卡口在时段内的全部过车记录。",
    qh_co_travel: "在同一卡口、前后若干秒内多次与目标车辆同行的车辆（伴随）。",
    qh_multi_scene: "在地图上画 2–5 个圆形区域（每个有自己的时段），找出出现在多个区域的车辆（碰撞）。",
    qh_partial_plate: "号牌不完整时：? 代表一个字符，* 代表任意多个字符，如 鲁Q?B0*。",
    qh_flows: "各卡口每小时或每天的过车数量。",
    qh_first_seen: "首次过车记录落在时段内的号牌（新出现车辆）。",
    f_kind: "查询类型",
    f_plate: "号牌",
    f_delta: "前后间隔（秒，1–600）",
    f_min_occ: "最少同行次数",
    f_pattern: "号牌模式",
    f_confusables: "包含易混淆字符（如 0/D、8/B、2/Z）",
    f_colour: "号牌颜色",
    f_type: "号牌种类",
    f_any: "不限",
    f_bucket: "统计粒度",
    f_hour: "按小时",
    f_day: "按天（辖区日）",
    f_limit: "最多返回条数（默认 1000，最多 10000）",
    f_checkpoints: "卡口（可多选）",
    f_all: "全选",
    f_none: "全不选",
    f_pick_cp: "请至少选择一个卡口",
    f_min_scenes: "至少出现在几个区域（默认全部）",
    c_blue: "蓝",
    c_yellow: "黄",
    c_green: "绿",
    c_white: "白",
    c_black: "黑",
    pt_01: "01 大型汽车",
    pt_02: "02 小型汽车",
    pt_15: "15 挂车",
    pt_16: "16 教练汽车",
    pt_23: "23 警用汽车",
    pt_51: "51 大型新能源汽车",
    pt_52: "52 小型新能源汽车",
  },
  en: {
    q_trajectory: "Trajectory",
    q_at_checkpoints: "Reads at checkpoints",
    q_co_travel: "Co-travel",
    q_multi_scene: "Multi-scene",
    q_partial_plate: "Partial plate",
    q_flows: "Flows",
    q_first_seen: "First seen",
    qh_trajectory: "The checkpoints a plate passed in the window, in time order, numbered on the map.",
    qh_at_checkpoints: "Every read at the chosen checkpoints in the window.",
    qh_co_travel: "Vehicles that passed the same checkpoints within a few seconds of the target, on several occasions.",
    qh_multi_scene: "Draw 2–5 circles on the map, each with its own window; find the plates seen in several of them.",
    qh_partial_plate: "For an incomplete plate: ? stands for one character, * for any run, e.g. 鲁Q?B0*.",
    qh_flows: "Reads per checkpoint per hour or per day.",
    qh_first_seen: "Plates whose first retained read falls in the window.",
    f_kind: "Query",
    f_plate: "Plate",
    f_delta: "Time gap (s, 1–600)",
    f_min_occ: "Minimum joint passes",
    f_pattern: "Plate pattern",
    f_confusables: "Include OCR-confusable characters (0/D, 8/B, 2/Z…)",
    f_colour: "Plate colour",
    f_type: "Plate type",
    f_any: "any",
    f_bucket: "Bucket",
    f_hour: "per hour",
    f_day: "per day (district day)",
    f_limit: "Maximum rows (default 1,000, at most 10,000)",
    f_checkpoints: "Checkpoints (choose one or more)",
    f_all: "All",
    f_none: "None",
    f_pick_cp: "Choose at least one checkpoint",
    f_min_scenes: "Seen in at least this many scenes (default: all)",
    c_blue: "blue",
    c_yellow: "yellow",
    c_green: "green",
    c_white: "white",
    c_black: "black",
    pt_01: "01 large vehicle",
    pt_02: "02 small vehicle",
    pt_15: "15 trailer",
    pt_16: "16 driving-school car",
    pt_23: "23 police vehicle",
    pt_51: "51 large new-energy vehicle",
    pt_52: "52 small new-energy vehicle",
  },
});

export const KINDS = ["trajectory", "co_travel", "multi_scene", "partial_plate", "at_checkpoints", "flows", "first_seen"];
const COLOURS = ["blue", "yellow", "green", "white", "black"];
const TYPES = ["01", "02", "15", "16", "23", "51", "52"];

function num(id, label, value, min, max, required = false) {
  return html`<div><label for="${id}">${label}</label><input type="number" id="${id}" min="${min}" max="${max}" value="${value}" ?required=${required}></div>`;
}

function plateField(id, value) {
  return html`<div><label for="${id}">${t("f_plate")}</label>
    <input id="${id}" required autocomplete="off" spellcheck="false" value="${value || ""}" placeholder="鲁Q12345"></div>`;
}

/// The form fields of one kind (inside the query form). `prefill` carries a plate or a window
/// from a previous result ("trajectory of this plate").
export function fieldsHtml(kind, cps, prefill = {}) {
  const to = prefill.to ?? Math.ceil(nowMicros() / (60 * 1e6)) * 60 * 1e6;
  const from = prefill.from ?? to - DAY_US;
  const win = windowFields("q", from, to);
  const limit = html`<div><label for="q-limit">${t("f_limit")}</label><input type="number" id="q-limit" min="1" max="10000" placeholder="1000"></div>`;
  switch (kind) {
    case "trajectory":
      return html`${plateField("q-plate", prefill.plate)}${win}${limit}`;
    case "co_travel":
      return html`${plateField("q-plate", prefill.plate)}${win}
        <div class="pl-pair">${num("q-delta", t("f_delta"), 120, 1, 600, true)}${num("q-minocc", t("f_min_occ"), 3, 1, 1000, true)}</div>${limit}`;
    case "multi_scene":
      return html`<div id="q-scenes"></div>${num("q-minscenes", t("f_min_scenes"), "", 1, 5)}${limit}`;
    case "partial_plate":
      return html`<div><label for="q-pattern">${t("f_pattern")}</label>
        <input id="q-pattern" required autocomplete="off" spellcheck="false" placeholder="鲁Q?B0*" value="${prefill.pattern || ""}"></div>
        <div class="pl-check"><input type="checkbox" id="q-confusables"><label for="q-confusables">${t("f_confusables")}</label></div>
        <div class="pl-pair"><div><label for="q-colour">${t("f_colour")}</label><select id="q-colour"><option value="">${t("f_any")}</option>
        ${COLOURS.map((c) => html`<option value="${c}">${t("c_" + c)}</option>`)}</select></div>
        <div><label for="q-ptype">${t("f_type")}</label><select id="q-ptype"><option value="">${t("f_any")}</option>
        ${TYPES.map((c) => html`<option value="${c}">${t("pt_" + c)}</option>`)}</select></div></div>${win}${limit}`;
    case "at_checkpoints":
      return html`<fieldset class="pl-cps"><legend>${t("f_checkpoints")}</legend>
        <div class="row"><button type="button" class="secondary" data-cps="all">${t("f_all")}</button>
        <button type="button" class="secondary" data-cps="none">${t("f_none")}</button></div>
        ${[...cps.values()].map((b) => html`<div class="pl-check"><input type="checkbox" id="q-cp-${b.code}" value="${b.code}">
          <label for="q-cp-${b.code}">${cpName(cps, b.code)}</label></div>`)}</fieldset>${win}${limit}`;
    case "flows":
      return html`<div><label for="q-bucket">${t("f_bucket")}</label><select id="q-bucket">
        <option value="hour">${t("f_hour")}</option><option value="day">${t("f_day")}</option></select></div>${win}${limit}`;
    case "first_seen":
      return html`${win}${limit}`;
    default:
      return nothing;
  }
}

/// Wires the buttons inside a kind's fields (select all / none checkpoints).
export function wireFields(root) {
  root.querySelectorAll("[data-cps]").forEach((b) => b.addEventListener("click", () => {
    root.querySelectorAll(".pl-cps input[type=checkbox]").forEach((c) => { c.checked = b.dataset.cps === "all"; });
  }));
}

function intOf(root, id) {
  const v = root.querySelector(`#${id}`).value.trim();
  return v === "" ? null : Number.parseInt(v, 10);
}

/// Builds the query object of a kind from its form; throws a message when a field is missing.
/// `scenes` is the multi-scene editor (for multi_scene).
export function buildQuery(kind, root, scenes) {
  const q = { kind };
  const limit = intOf(root, "q-limit");
  if (limit !== null) q.limit = limit;
  const plate = () => root.querySelector("#q-plate").value.trim().toUpperCase();
  switch (kind) {
    case "trajectory":
      Object.assign(q, { plate: plate() }, readWindow(root, "q"));
      break;
    case "co_travel":
      Object.assign(q, { plate: plate() }, readWindow(root, "q"), {
        delta_s: intOf(root, "q-delta") ?? 120, min_occasions: intOf(root, "q-minocc") ?? 1,
      });
      break;
    case "multi_scene": {
      q.scenes = scenes.toQuery();
      const m = intOf(root, "q-minscenes");
      if (m !== null) q.min_scenes = m;
      break;
    }
    case "partial_plate": {
      Object.assign(q, { pattern: root.querySelector("#q-pattern").value.trim().toUpperCase() }, readWindow(root, "q"));
      q.expand_confusables = root.querySelector("#q-confusables").checked;
      const colour = root.querySelector("#q-colour").value;
      const ptype = root.querySelector("#q-ptype").value;
      if (colour) q.plate_colour = colour;
      if (ptype) q.plate_type = Number(ptype);
      break;
    }
    case "at_checkpoints":
      q.checkpoints = [...root.querySelectorAll(".pl-cps input:checked")].map((c) => Number(c.value));
      if (q.checkpoints.length === 0) throw new Error(t("f_pick_cp"));
      Object.assign(q, readWindow(root, "q"));
      break;
    case "flows":
      Object.assign(q, { bucket: root.querySelector("#q-bucket").value }, readWindow(root, "q"));
      break;
    case "first_seen":
      Object.assign(q, readWindow(root, "q"));
      break;
  }
  return q;
}

/// A one-line summary of a query (for approval requests and result headings).
export function summary(q) {
  const parts = [t("q_" + q.kind)];
  if (q.plate) parts.push(q.plate);
  if (q.pattern) parts.push(q.pattern);
  if (q.checkpoints) parts.push(`${q.checkpoints.length} × ${t("pl_checkpoint")}`);
  if (q.scenes) parts.push(`${q.scenes.length} ${t("sc_count")}`);
  return parts.join(" · ");
}

