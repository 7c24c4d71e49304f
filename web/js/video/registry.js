// The registry: cameras with filters (platform, health, registry status, town, text) and
// paging, the platforms and checkpoints, export; editing for manage_sensors (see edit.js).
import { addStrings, currentLang, t } from "../platform/i18n.js";
import { cameraState, focusCamera, focusCheckpoint } from "./layer.js";
import { getTowns, healthOf, onVideoChange, townAt, video } from "./store.js";
import { editCamera, importForm } from "./edit.js";
import { html, put, append } from "../platform/dom.js";

addStrings({
  "zh-CN": {
    vr_platform: "平台",
    vr_all: "全部",
    vr_health: "在线状态",
    vr_status: "登记状态",
    vr_town: "乡镇/街道",
    vr_search: "搜索（编号、名称、权属单位）",
    vr_page: "第 {a}–{b} 条，共 {n} 条",
    vr_prev: "上一页",
    vr_next: "下一页",
    vr_cameras: "摄像机",
    vr_platforms: "视频平台",
    vr_checkpoints: "卡口",
    vr_show: "定位",
    vr_edit: "编辑",
    vr_new: "新增摄像机",
    vr_export: "导出",
    vr_protocol: "协议",
    vr_vendor: "厂商",
    vr_address: "地址",
    vr_creds: "凭据",
    vr_yes: "已配置",
    vr_no: "无",
    vr_count: "摄像机数",
    vr_none: "没有符合条件的摄像机。",
    vr_lanes: "车道",
  },
  en: {
    vr_platform: "Platform",
    vr_all: "all",
    vr_health: "Health",
    vr_status: "Registry status",
    vr_town: "Town",
    vr_search: "Search (id, name, owner)",
    vr_page: "{a}–{b} of {n}",
    vr_prev: "Previous page",
    vr_next: "Next page",
    vr_cameras: "Cameras",
    vr_platforms: "Video platforms",
    vr_checkpoints: "Checkpoints",
    vr_show: "Locate",
    vr_edit: "Edit",
    vr_new: "New camera",
    vr_export: "Export",
    vr_protocol: "Protocol",
    vr_vendor: "Vendor",
    vr_address: "Address",
    vr_creds: "Credentials",
    vr_yes: "set",
    vr_no: "none",
    vr_count: "Cameras",
    vr_none: "No camera matches.",
    vr_lanes: "Lanes",
  },
});

const PAGE = 20;

export function registryTab(el, status, canEdit) {
  const v = video();
  put(el, html`<form id="vr-form" class="vid-filters" role="search">
      <div><label for="vr-platform">${t("vr_platform")}</label><select id="vr-platform"></select></div>
      <div><label for="vr-health">${t("vr_health")}</label><select id="vr-health"><option value="">${t("vr_all")}</option>
        <option value="online">${t("h_online")}</option><option value="offline">${t("h_offline")}</option><option value="unknown">${t("h_unknown")}</option></select></div>
      <div><label for="vr-status">${t("vr_status")}</label><select id="vr-status"><option value="">${t("vr_all")}</option>
        ${["active", "maintenance", "retired"].map((s) => html`<option value="${s}">${t(`st_${s}`)}</option>`)}</select></div>
      <div><label for="vr-town">${t("vr_town")}</label><select id="vr-town"><option value="">${t("vr_all")}</option></select></div>
      <div class="vid-wide"><label for="vr-q">${t("vr_search")}</label><input id="vr-q" type="search" autocomplete="off"></div></form>
    <div class="row vid-pager"><button type="button" class="secondary" id="vr-prev">${t("vr_prev")}</button><span id="vr-count" aria-live="polite"></span>
      <button type="button" class="secondary" id="vr-next">${t("vr_next")}</button></div>
    <table id="vr-table"><caption class="vid-sr">${t("vr_cameras")}</caption><thead><tr><th scope="col">${t("device_id")}</th><th scope="col">${t("name")}</th>
      <th scope="col">${t("vr_platform")}</th><th scope="col">${t("vr_health")}</th><th scope="col"><span class="vid-sr">${t("vr_show")}</span></th></tr></thead><tbody></tbody></table>
    <div class="row vid-export">${t("vr_export")}: <a href="/api/v1/video/cameras/export?format=csv" download="cameras.csv">${t("vr_cameras")} CSV</a>
      <a href="/api/v1/video/cameras/export?format=geojson" download="cameras.geojson">${t("vr_cameras")} GeoJSON</a>
      <a href="/api/v1/video/checkpoints/export?format=csv" download="checkpoints.csv">${t("vr_checkpoints")} CSV</a></div>
    <div id="vr-admin"></div>
    <h3>${t("vr_platforms")}</h3><div id="vr-platforms"></div>
    <h3>${t("vr_checkpoints")}</h3><div id="vr-cps"></div>`);
  const $ = (s) => el.querySelector(s);
  let page = 0;
  let towns = [];
  const townName = (id) => { const x = towns.find((tw) => tw.id === id); return x ? (currentLang() === "en" && x.name_en ? x.name_en : x.name) : "—"; };

  function fillSelects() {
    const sel = $("#vr-platform");
    const keep = sel.value;
    put(sel, html`<option value="">${t("vr_all")}</option>${v.platforms.map((p) => html`<option value="${p.id}">${p.name} (${p.id})</option>`)}`);
    sel.value = keep;
  }

  function matches() {
    const pf = $("#vr-platform").value;
    const hf = $("#vr-health").value;
    const sf = $("#vr-status").value;
    const tf = $("#vr-town").value;
    const q = $("#vr-q").value.trim().toLowerCase();
    return v.cameras.filter((c) => (!pf || c.platform_id === pf) && (!sf || c.status === sf)
      && (!hf || (hf === "unknown" ? healthOf("camera", c.id) == null : hf === "online" ? healthOf("camera", c.id) === true : healthOf("camera", c.id) === false))
      && (!tf || townAt(towns, c.lon, c.lat) === tf)
      && (!q || `${c.id} ${c.name} ${c.owner || ""} ${c.channel_id || ""}`.toLowerCase().includes(q)));
  }

  function renderTable() {
    const list = matches();
    const pages = Math.max(1, Math.ceil(list.length / PAGE));
    page = Math.min(page, pages - 1);
    const rows = list.slice(page * PAGE, page * PAGE + PAGE);
    $("#vr-count").textContent = list.length ? t("vr_page").replace("{a}", page * PAGE + 1).replace("{b}", page * PAGE + rows.length).replace("{n}", list.length) : t("vr_none");
    $("#vr-prev").disabled = page === 0;
    $("#vr-next").disabled = page >= pages - 1;
    put($("#vr-table tbody"), rows.map((c) => {
      const p = c.platform_id ? v.platformById.get(c.platform_id) : null;
      const st = cameraState(c);
      const h = healthOf("camera", c.id);
      return html`<tr><td>${c.id}</td><td>${c.name}<br><span class="muted">${townName(townAt(towns, c.lon, c.lat))}${c.ptz ? ` · ${t("cam_ptz")}` : ""}</span></td>
        <td>${p ? p.name : c.platform_id || "—"}</td>
        <td class="vid-h-${st}">${t(`st_${c.status}`)}<br>${h === true ? t("h_online") : h === false ? t("h_offline") : t("h_unknown")}</td>
        <td><button type="button" class="secondary vid-small" data-show="${c.id}" aria-label="${`${t("vr_show")} ${c.name}`}">${t("vr_show")}</button>
        ${canEdit ? html`<button type="button" class="secondary vid-small" data-edit="${c.id}" aria-label="${`${t("vr_edit")} ${c.name}`}">${t("vr_edit")}</button>` : ""}</td></tr>`;
    }));
  }

  function renderLists() {
    const counts = new Map();
    v.cameras.forEach((c) => counts.set(c.platform_id, (counts.get(c.platform_id) || 0) + 1));
    put($("#vr-platforms"), html`<table><thead><tr><th scope="col">${t("vr_platform")}</th><th scope="col">${t("vr_vendor")} · ${t("vr_protocol")}</th>
      <th scope="col">${t("vr_count")}</th><th scope="col">${t("vr_health")}</th></tr></thead><tbody>${v.platforms.map((p) => {
      const h = healthOf("platform", p.id);
      return html`<tr><td>${p.name}<br><span class="muted">${p.id} · ${p.address} · ${t("vr_creds")} ${p.has_credentials ? t("vr_yes") : t("vr_no")}</span></td>
        <td>${p.vendor || "—"} · ${p.protocol}</td><td>${counts.get(p.id) || 0}</td>
        <td class="${h === false ? "bad" : h ? "ok" : ""}">${h === true ? t("h_online") : h === false ? t("h_offline") : t("h_unknown")}</td></tr>`;
    })}</tbody></table>`);
    put($("#vr-cps"), html`<table><thead><tr><th scope="col">${t("device_id")}</th><th scope="col">${t("name")}</th><th scope="col">${t("vr_lanes")}</th><th scope="col">${t("vr_health")}</th><th scope="col"><span class="vid-sr">${t("vr_show")}</span></th></tr></thead>
      <tbody>${v.checkpoints.map((k) => { const h = healthOf("checkpoint", k.id); return html`<tr><td>${k.id}</td><td>${k.name}</td><td>${k.lanes}</td>
        <td class="${h === false ? "bad" : h ? "ok" : ""}">${h === true ? t("h_online") : h === false ? t("h_offline") : t("h_unknown")}</td>
        <td><button type="button" class="secondary vid-small" data-cp="${k.id}" aria-label="${`${t("vr_show")} ${k.name}`}">${t("vr_show")}</button></td></tr>`; })}</tbody></table>`);
  }

  $("#vr-form").addEventListener("input", () => { page = 0; renderTable(); });
  $("#vr-form").addEventListener("submit", (ev) => ev.preventDefault());
  $("#vr-prev").addEventListener("click", () => { page -= 1; renderTable(); });
  $("#vr-next").addEventListener("click", () => { page += 1; renderTable(); });
  el.addEventListener("click", (ev) => {
    const b = ev.target.closest("button");
    if (!b) return;
    if (b.dataset.show) focusCamera(b.dataset.show);
    else if (b.dataset.cp) focusCheckpoint(b.dataset.cp);
    else if (b.dataset.edit) editCamera(v.byId.get(b.dataset.edit), status);
  });
  if (canEdit) {
    const admin = $("#vr-admin");
    put(admin, html`<div class="row"><button type="button" id="vr-new">${t("vr_new")}</button></div><div id="vr-import"></div>`);
    admin.querySelector("#vr-new").addEventListener("click", () => editCamera(null, status));
    importForm(admin.querySelector("#vr-import"), status);
  }

  fillSelects();
  renderTable();
  renderLists();
  getTowns().then((tw) => {
    towns = tw;
append($("#vr-town"), tw.map((x) => html`<option value="${x.id}">${currentLang() === "en" && x.name_en ? x.name_en : x.name}</option>`));
    renderTable();
  }).catch(() => {});
  const off = onVideoChange((what) => { if (what === "platforms") fillSelects(); renderTable(); renderLists(); });
  return { cleanup: off };
}
