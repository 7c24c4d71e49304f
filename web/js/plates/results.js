// The answers of Q1–Q7: a table in the panel, a drawing on the map, the CSV rows and the read
// ids that can be copied into a case as evidence.
import { addStrings, fmtTime, t } from "../platform/i18n.js";
import { getMap } from "../platform/map.js";
import { cpLatLng, cpName, fill } from "./common.js";
import { html, put, node } from "../platform/dom.js";

addStrings({
  "zh-CN": {
    res_count: "共 {n} 条结果",
    res_truncated: "结果已截断（达到上限 {n} 条）：请缩短时段或提高最多返回条数。",
    res_none: "没有符合条件的结果。",
    res_shown: "页面显示前 {n} 条，导出的 CSV 含全部结果。",
    res_select: "选择",
    res_select_all: "全选记录",
    res_companion: "伴随号牌",
    res_occasions: "同行次数",
    res_target_time: "目标车通过",
    res_companion_time: "伴随车通过",
    res_gap: "间隔（秒）",
    res_passes: "同行记录",
    res_show: "在地图上显示",
    res_traj: "查轨迹",
    res_scenes: "出现区域",
    res_reads: "过车次数",
    res_first: "首次出现",
    res_bucket: "时段起点",
    res_total: "合计",
    res_pass: "第 {n} 次通过",
    dir_IN: "进入",
    dir_OUT: "驶出",
    dir_NB: "北向",
    dir_SB: "南向",
    dir_EB: "东向",
    dir_WB: "西向",
    dir_Inbound: "进入",
    dir_Outbound: "驶出",
    dir_Northbound: "北向",
    dir_Southbound: "南向",
    dir_Eastbound: "东向",
    dir_Westbound: "西向",
  },
  en: {
    res_count: "{n} results",
    res_truncated: "The answer was cut at the limit ({n} rows): narrow the window or raise the maximum.",
    res_none: "Nothing matches.",
    res_shown: "The first {n} are shown here; the CSV holds them all.",
    res_select: "Select",
    res_select_all: "Select every read",
    res_companion: "Companion plate",
    res_occasions: "Joint passes",
    res_target_time: "Target passed",
    res_companion_time: "Companion passed",
    res_gap: "Gap (s)",
    res_passes: "Joint passes",
    res_show: "Show on map",
    res_traj: "Trajectory",
    res_scenes: "Scenes",
    res_reads: "Reads",
    res_first: "First seen",
    res_bucket: "From",
    res_total: "Total",
    res_pass: "pass {n}",
    dir_IN: "in",
    dir_OUT: "out",
    dir_NB: "northbound",
    dir_SB: "southbound",
    dir_EB: "eastbound",
    dir_WB: "westbound",
    dir_Inbound: "in",
    dir_Outbound: "out",
    dir_Northbound: "northbound",
    dir_Southbound: "southbound",
    dir_Eastbound: "eastbound",
    dir_Westbound: "westbound",
  },
});

const SHOW = 500;
export const dir = (d) => (d ? (t("dir_" + d) !== "dir_" + d ? t("dir_" + d) : d) : "");
const vehicle = (r) => [r.vehicle_colour, r.vehicle_type, r.vehicle_brand].filter(Boolean).join(" ");
const sec = (us) => Math.round(us / 1e6);

function trajButton(plate) {
  return html`<button type="button" class="secondary small" data-plate="${plate}">${t("res_traj")}</button>`;
}

/// Positions for a trajectory: the answer's checkpoints first, then the bindings.
function posOf(ans, cps, code) {
  const c = ans.checkpoints && ans.checkpoints[String(code)];
  if (c && c.lat != null && c.lon != null) return [c.lat, c.lon];
  return cpLatLng(cps, code);
}

function readsTable(rows, cps, numbered) {
  const shown = rows.slice(0, SHOW);
  return html`<table class="pl-results"><caption class="sr-only">${fill("res_count", { n: rows.length })}</caption><thead><tr>
    <th scope="col"><input type="checkbox" data-all aria-label="${t("res_select_all")}" checked></th>
    ${numbered ? html`<th scope="col">#</th>` : ""}<th scope="col">${t("pl_time")}</th><th scope="col">${t("pl_checkpoint")}</th>
    ${numbered ? "" : html`<th scope="col">${t("pl_plate")}</th>`}<th scope="col">${t("pl_direction")}</th><th scope="col">${t("pl_vehicle")}</th>
    <th scope="col">${t("pl_confidence")}</th></tr></thead><tbody>${shown.map((r, i) => html`<tr>
    <td><input type="checkbox" data-read="${r.read_id}" checked aria-label="${t("res_select")} ${r.plate} ${fmtTime(r.ts)}"></td>
    ${numbered ? html`<td><button type="button" class="pl-num" data-focus="${i}" aria-label="${t("res_show")}: ${fill("res_pass", { n: i + 1 })}">${i + 1}</button></td>` : ""}
    <td>${fmtTime(r.ts)}</td><td>${cpName(cps, r.checkpoint)}</td>${numbered ? "" : html`<td>${r.plate}</td>`}
    <td>${dir(r.direction)} ${r.lane != null ? `· ${r.lane}` : ""}</td><td>${vehicle(r)}</td>
    <td>${r.confidence != null ? Number(r.confidence).toFixed(2) : ""}</td></tr>`)}</tbody></table>`;
}

function readsCsv(rows, cps) {
  return {
    header: ["read_id", "plate", "time", "ts_us", "checkpoint", "checkpoint_name", "direction", "lane", "vehicle_colour", "vehicle_type", "vehicle_brand", "plate_colour", "plate_type", "confidence"],
    rows: rows.map((r) => [r.read_id, r.plate, fmtTime(r.ts), r.ts, r.checkpoint, cpName(cps, r.checkpoint), r.direction, r.lane,
      r.vehicle_colour, r.vehicle_type, r.vehicle_brand, r.plate_colour, r.plate_type, r.confidence]),
  };
}

/// Numbered markers, one per pass; passes at the same checkpoint fan out around it.
function drawTrajectory(layer, rows, ans, cps) {
  const seen = new Map();
  const line = [];
  const markers = [];
  rows.forEach((r, i) => {
    const pos = posOf(ans, cps, r.checkpoint);
    if (!pos) { markers.push(null); return; }
    line.push(pos);
    const k = seen.get(r.checkpoint) || 0;
    seen.set(r.checkpoint, k + 1);
    const a = (k * 55 * Math.PI) / 180;
    const d = k === 0 ? 0 : 24 + 4 * k;
    const m = L.marker(pos, {
      keyboard: false, title: `${i + 1}`, zIndexOffset: 2000 + rows.length - i,
      icon: L.divIcon({ className: "pl-pass", html: node(html`<span>${i + 1}</span>`), iconSize: [26, 26], iconAnchor: [13 - d * Math.cos(a), 13 - d * Math.sin(a)] }),
    }).bindTooltip(node(html`${fill("res_pass", { n: i + 1 })} · ${fmtTime(r.ts)}<br>${cpName(cps, r.checkpoint)}`));
    m.addTo(layer);
    markers.push(m);
  });
  if (line.length > 1) L.polyline(line, { color: "#b91c1c", weight: 4, opacity: 0.85, dashArray: "8 6", interactive: false }).addTo(layer);
  return markers;
}

/// Count markers at checkpoints (at-checkpoints, flows, co-travel passes).
function drawCounts(layer, counts, cps, label) {
  const max = Math.max(1, ...counts.values());
  for (const [code, n] of counts) {
    const pos = cpLatLng(cps, code);
    if (!pos) continue;
    const size = Math.round(24 + 22 * Math.sqrt(n / max));
    L.marker(pos, {
      keyboard: false, zIndexOffset: 2000,
      icon: L.divIcon({ className: "pl-count-marker", html: node(html`<span>${n}</span>`), iconSize: [size, size] }),
    }).bindTooltip(node(html`${cpName(cps, code)}<br>${label}: ${n}`)).addTo(layer);
  }
}

function fit(layer) {
  const b = L.latLngBounds([]);
  layer.eachLayer((l) => { if (l.getLatLng) b.extend(l.getLatLng()); else if (l.getBounds) b.extend(l.getBounds()); });
  if (b.isValid()) getMap().fitBounds(b, { padding: [40, 40], maxZoom: 14 });
}

/// Renders an answer into `out` and onto `layer`; returns { csv: {header, rows}, readIds() }.
/// `onPlate(plate)` runs when "trajectory" is chosen for a plate of the answer.
export function showResult(out, ans, q, cps, layer, { onPlate }) {
  layer.clearLayers();
  const rows = ans.rows || [];
  const head = html`<p class="pl-count"><strong>${fill("res_count", { n: ans.count ?? rows.length })}</strong></p>
    ${ans.truncated ? html`<p class="pl-warn" role="alert">${fill("res_truncated", { n: rows.length })}</p>` : ""}
    ${rows.length > SHOW ? html`<p class="muted">${fill("res_shown", { n: SHOW })}</p>` : ""}`;
  let body = "";
  let csv = { header: [], rows: [] };
  let markers = [];
  let companions = null;
  switch (ans.kind) {
    case "trajectory":
      body = readsTable(rows, cps, true);
      csv = readsCsv(rows, cps);
      csv.header.unshift("pass");
      csv.rows.forEach((r, i) => r.unshift(i + 1));
      markers = drawTrajectory(layer, rows, ans, cps);
      break;
    case "at_checkpoints": {
      body = readsTable(rows, cps, false);
      csv = readsCsv(rows, cps);
      const counts = new Map();
      rows.forEach((r) => counts.set(r.checkpoint, (counts.get(r.checkpoint) || 0) + 1));
      drawCounts(layer, counts, cps, t("res_reads"));
      break;
    }
    case "co_travel":
      companions = rows;
      body = html`<table class="pl-results"><thead><tr><th scope="col">${t("res_companion")}</th><th scope="col">${t("res_occasions")}</th><th scope="col"></th></tr></thead>
        <tbody>${rows.slice(0, SHOW).map((c, i) => html`<tr><td>${c.plate}</td><td>${c.occasions}</td>
        <td class="row"><button type="button" class="secondary small" data-companion="${i}">${t("res_show")}</button>${trajButton(c.plate)}</td></tr>
        <tr><td colspan="3"><details><summary>${t("res_passes")} (${c.passes.length})</summary><table><thead><tr>
        <th scope="col">${t("pl_checkpoint")}</th><th scope="col">${t("res_target_time")}</th><th scope="col">${t("res_companion_time")}</th><th scope="col">${t("res_gap")}</th></tr></thead>
        <tbody>${c.passes.map((p) => html`<tr><td>${cpName(cps, p.checkpoint)}</td><td>${fmtTime(p.target_ts)}</td><td>${fmtTime(p.companion_ts)}</td>
        <td>${sec(p.companion_ts - p.target_ts)}</td></tr>`)}</tbody></table></details></td></tr>`)}</tbody></table>`;
      csv = {
        header: ["companion_plate", "occasions", "checkpoint", "checkpoint_name", "target_read", "target_time", "companion_read", "companion_time", "gap_s"],
        rows: rows.flatMap((c) => c.passes.map((p) => [c.plate, c.occasions, p.checkpoint, cpName(cps, p.checkpoint), p.target_read,
          fmtTime(p.target_ts), p.companion_read, fmtTime(p.companion_ts), sec(p.companion_ts - p.target_ts)])),
      };
      break;
    case "multi_scene":
      body = html`<table class="pl-results"><thead><tr><th scope="col">${t("pl_plate")}</th><th scope="col">${t("res_scenes")}</th><th scope="col"></th></tr></thead>
        <tbody>${rows.slice(0, SHOW).map((h) => html`<tr><td>${h.plate}</td><td>${h.scenes.map((s) => s + 1).join(", ")}</td><td>${trajButton(h.plate)}</td></tr>`)}</tbody></table>`;
      csv = { header: ["plate", "scenes"], rows: rows.map((h) => [h.plate, h.scenes.map((s) => s + 1).join(" ")]) };
      break;
    case "partial_plate":
      body = html`<table class="pl-results"><thead><tr><th scope="col">${t("pl_plate")}</th><th scope="col">${t("res_reads")}</th><th scope="col"></th></tr></thead>
        <tbody>${rows.slice(0, SHOW).map((c) => html`<tr><td>${c.plate}</td><td>${c.reads}</td><td>${trajButton(c.plate)}</td></tr>`)}</tbody></table>`;
      csv = { header: ["plate", "reads"], rows: rows.map((c) => [c.plate, c.reads]) };
      break;
    case "flows": {
      const totals = new Map();
      rows.forEach((f) => totals.set(f.checkpoint, (totals.get(f.checkpoint) || 0) + f.reads));
      body = html`<h4>${t("res_total")}</h4><table class="pl-results"><thead><tr><th scope="col">${t("pl_checkpoint")}</th><th scope="col">${t("res_reads")}</th></tr></thead>
        <tbody>${[...totals].sort((a, b) => b[1] - a[1]).map(([c, n]) => html`<tr><td>${cpName(cps, c)}</td><td>${n}</td></tr>`)}</tbody></table>
        <details><summary>${t("res_bucket")}</summary><table class="pl-results"><thead><tr><th scope="col">${t("pl_checkpoint")}</th><th scope="col">${t("res_bucket")}</th><th scope="col">${t("res_reads")}</th></tr></thead>
        <tbody>${rows.slice(0, SHOW).map((f) => html`<tr><td>${cpName(cps, f.checkpoint)}</td><td>${fmtTime(f.bucket_start)}</td><td>${f.reads}</td></tr>`)}</tbody></table></details>`;
      csv = { header: ["checkpoint", "checkpoint_name", "bucket_start", "bucket_start_us", "reads"],
        rows: rows.map((f) => [f.checkpoint, cpName(cps, f.checkpoint), fmtTime(f.bucket_start), f.bucket_start, f.reads]) };
      drawCounts(layer, totals, cps, t("res_reads"));
      break;
    }
    case "first_seen":
      body = html`<table class="pl-results"><thead><tr><th scope="col">${t("pl_plate")}</th><th scope="col">${t("res_first")}</th><th scope="col">${t("res_reads")}</th><th scope="col"></th></tr></thead>
        <tbody>${rows.slice(0, SHOW).map((f) => html`<tr><td>${f.plate}</td><td>${fmtTime(f.first_ts)}</td><td>${f.reads}</td><td>${trajButton(f.plate)}</td></tr>`)}</tbody></table>`;
      csv = { header: ["plate", "first_seen", "first_ts_us", "reads"], rows: rows.map((f) => [f.plate, fmtTime(f.first_ts), f.first_ts, f.reads]) };
      break;
  }
  put(out, html`${head}${rows.length ? body : html`<p>${t("res_none")}</p>`}`);
  out.querySelectorAll("[data-plate]").forEach((b) => b.addEventListener("click", () => onPlate(b.dataset.plate)));
  out.querySelectorAll("[data-focus]").forEach((b) => b.addEventListener("click", () => {
    const m = markers[Number(b.dataset.focus)];
    if (m) { getMap().panTo(m.getLatLng()); m.openTooltip(); }
  }));
  const all = out.querySelector("[data-all]");
  if (all) all.addEventListener("change", () => out.querySelectorAll("[data-read]").forEach((c) => { c.checked = all.checked; }));
  const showCompanion = (i) => {
    layer.clearLayers();
    const counts = new Map();
    companions[i].passes.forEach((p) => counts.set(p.checkpoint, (counts.get(p.checkpoint) || 0) + 1));
    drawCounts(layer, counts, cps, `${companions[i].plate} ${t("res_occasions")}`);
    fit(layer);
  };
  out.querySelectorAll("[data-companion]").forEach((b) => b.addEventListener("click", () => showCompanion(Number(b.dataset.companion))));
  if (companions && companions.length) showCompanion(0);
  fit(layer);
  return {
    csv,
    /// The read ids to copy into a case: the ticked reads, or every read of a co-travel answer.
    readIds() {
      if (ans.kind === "co_travel") return [...new Set(rows.flatMap((c) => c.passes.flatMap((p) => [p.target_read, p.companion_read])))];
      const boxes = [...out.querySelectorAll("[data-read]")];
      const picked = boxes.filter((c) => c.checked).map((c) => Number(c.dataset.read));
      // Rows beyond the shown ones follow the "select all" box.
      const extra = all && all.checked ? rows.slice(SHOW).map((r) => r.read_id) : [];
      return picked.concat(extra);
    },
    hasReads: ["trajectory", "at_checkpoints", "co_travel"].includes(ans.kind) && rows.length > 0,
  };
}
