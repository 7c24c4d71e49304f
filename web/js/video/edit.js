// Editing the camera registry (manage_sensors): a camera form in a dialog with field-named
// errors from the API, delete, and CSV/GeoJSON import with the per-row report.
import { api } from "../platform/api.js";
import { addStrings, t } from "../platform/i18n.js";
import { problemText } from "../platform/ui.js";
import { loadVideo, video } from "./store.js";
import { html, nothing, put, append } from "../platform/dom.js";

addStrings({
  "zh-CN": {
    ve_title_new: "新增摄像机",
    ve_title_edit: "编辑摄像机 {id}",
    ve_save: "保存",
    ve_delete: "删除",
    ve_confirm_delete: "确定删除摄像机 {id}？",
    ve_id: "编号",
    ve_name: "名称",
    ve_channel: "国标通道编号（20位）",
    ve_lon: "经度",
    ve_lat: "纬度",
    ve_height: "安装高度（米）",
    ve_heading: "朝向（度，正北顺时针）",
    ve_fov: "水平视场角（度）",
    ve_range: "视距（米）",
    ve_ptz: "云台摄像机（PTZ）",
    ve_live: "实时流地址模板",
    ve_playback: "回放地址模板（含 {start}/{end}）",
    ve_installed: "安装日期",
    ve_owner: "权属单位",
    ve_no_platform: "（无平台）",
    ve_saved: "摄像机 {id} 已保存",
    ve_deleted: "摄像机 {id} 已删除",
    ve_import: "导入摄像机（CSV 或 GeoJSON）",
    ve_file: "文件",
    ve_do_import: "导入",
    ve_imported: "导入完成：",
    ve_rejected: "被拒绝的行",
    ve_row: "行",
    ve_policy: "有效行已保存，无效行未写入",
  },
  en: {
    ve_title_new: "New camera",
    ve_title_edit: "Edit camera {id}",
    ve_save: "Save",
    ve_delete: "Delete",
    ve_confirm_delete: "Delete camera {id}?",
    ve_id: "Id",
    ve_name: "Name",
    ve_channel: "GB/T 28181 channel id (20 digits)",
    ve_lon: "Longitude",
    ve_lat: "Latitude",
    ve_height: "Mounting height (m)",
    ve_heading: "Heading (degrees clockwise from north)",
    ve_fov: "Horizontal field of view (degrees)",
    ve_range: "Range (m)",
    ve_ptz: "PTZ camera",
    ve_live: "Live URL template",
    ve_playback: "Playback URL template (with {start}/{end})",
    ve_installed: "Installed on",
    ve_owner: "Owner",
    ve_no_platform: "(no platform)",
    ve_saved: "Camera {id} saved",
    ve_deleted: "Camera {id} deleted",
    ve_import: "Import cameras (CSV or GeoJSON)",
    ve_file: "File",
    ve_do_import: "Import",
    ve_imported: "Import done:",
    ve_rejected: "Rejected rows",
    ve_row: "Row",
    ve_policy: "valid rows kept, invalid rows not written",
  },
});

const FIELDS = [
  ["id", "ve_id", "text"], ["name", "ve_name", "text"], ["platform_id", "vr_platform", "platform"], ["channel_id", "ve_channel", "text"],
  ["lon", "ve_lon", "number"], ["lat", "ve_lat", "number"], ["height_m", "ve_height", "number"], ["heading_deg", "ve_heading", "number"],
  ["fov_deg", "ve_fov", "number"], ["range_m", "ve_range", "number"], ["ptz", "ve_ptz", "checkbox"], ["live_url", "ve_live", "text"],
  ["playback_url", "ve_playback", "text"], ["status", "vr_status", "status"], ["installed_on", "ve_installed", "date"], ["owner", "ve_owner", "text"],
];

function input(f, label, kind, c) {
  const id = `ve-${f}`;
  const val = c ? c[f] : f === "status" ? "active" : null;
  const err = html`<span class="error vid-field-error" id="${id}-err"></span>`;
  if (kind === "checkbox") return html`<div class="vid-check"><input id="${id}" type="checkbox" ?checked=${!!val} aria-describedby="${id}-err"><label for="${id}">${t(label)}</label>${err}</div>`;
  if (kind === "platform") {
    return html`<label for="${id}">${t(label)}</label><select id="${id}" aria-describedby="${id}-err"><option value="">${t("ve_no_platform")}</option>
      ${video().platforms.map((p) => html`<option value="${p.id}" ?selected=${p.id === val}>${p.name} (${p.id})</option>`)}</select>${err}`;
  }
  if (kind === "status") {
    return html`<label for="${id}">${t(label)}</label><select id="${id}" aria-describedby="${id}-err">${["active", "maintenance", "retired"]
      .map((s) => html`<option value="${s}" ?selected=${s === val}>${t(`st_${s}`)}</option>`)}</select>${err}`;
  }
  const ro = f === "id" && !!c;
  const req = ["id", "name", "lon", "lat", "range_m"].includes(f);
  return html`<label for="${id}">${t(label)}</label><input id="${id}" type="${kind === "number" ? "text" : kind}" inputmode=${kind === "number" ? "decimal" : nothing}
    value="${val ?? ""}" ?readonly=${ro} ?required=${req} aria-describedby="${id}-err" autocomplete="off">${err}`;
}

/// Opens the editor for camera `c` (null: a new camera).
export function editCamera(c, status) {
  const dlg = document.createElement("dialog");
  dlg.className = "vid-dialog";
  dlg.setAttribute("aria-labelledby", "ve-title");
  put(dlg, html`<form method="dialog" novalidate><h2 id="ve-title">${c ? t("ve_title_edit").replace("{id}", c.id) : t("ve_title_new")}</h2>
    ${FIELDS.map(([f, l, k]) => input(f, l, k, c))}
    <p class="error" id="ve-error" role="alert"></p>
    <div class="row"><button type="submit">${t("ve_save")}</button>${c ? html`<button type="button" class="danger" id="ve-delete">${t("ve_delete")}</button>` : ""}
    <button type="button" class="secondary" id="ve-cancel">${t("cancel")}</button></div></form>`);
  document.body.append(dlg);
  const $ = (s) => dlg.querySelector(s);
  const close = () => { dlg.close(); dlg.remove(); };
  $("#ve-cancel").addEventListener("click", close);
  dlg.addEventListener("cancel", (ev) => { ev.preventDefault(); close(); });
  const fail = (e) => {
    dlg.querySelectorAll(".vid-field-error").forEach((s) => { s.textContent = ""; });
    const errs = (e.problem && e.problem.errors) || [];
    let first = null;
    for (const er of errs) {
      const span = $(`#ve-${er.field}-err`);
      if (span) { span.textContent = er.message; first = first || $(`#ve-${er.field}`); }
    }
    $("#ve-error").textContent = problemText(e);
    if (first) first.focus();
  };
  dlg.querySelector("form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const body = {};
    for (const [f, , k] of FIELDS) {
      const el = $(`#ve-${f}`);
      if (k === "checkbox") body[f] = el.checked;
      else if (k === "number") { const s = el.value.trim(); if (s !== "") body[f] = Number(s); }
      else { const s = el.value.trim(); if (s !== "") body[f] = s; }
    }
    try {
      if (c) await api("PUT", `/video/cameras/${encodeURIComponent(c.id)}`, body);
      else await api("POST", "/video/cameras", body);
      close();
      status(t("ve_saved").replace("{id}", body.id));
      await loadVideo(true);
    } catch (e) { fail(e); }
  });
  if (c) {
    $("#ve-delete").addEventListener("click", async () => {
      if (!window.confirm(t("ve_confirm_delete").replace("{id}", c.id))) return;
      try {
        await api("DELETE", `/video/cameras/${encodeURIComponent(c.id)}`);
        close();
        status(t("ve_deleted").replace("{id}", c.id));
        await loadVideo(true);
      } catch (e) { fail(e); }
    });
  }
  dlg.showModal();
  (c ? $("#ve-name") : $("#ve-id")).focus();
}

/// The import form: a CSV or GeoJSON file, sent as is; shows the counts and the rejected rows.
export function importForm(el, status) {
  put(el, html`<form id="ve-import" class="vid-form"><label for="ve-file">${t("ve_import")}</label>
    <input id="ve-file" type="file" accept=".csv,.geojson,.json,text/csv,application/geo+json" required>
    <button type="submit">${t("ve_do_import")}</button></form><p class="error" id="ve-import-error" role="alert"></p><div id="ve-import-out"></div>`);
  el.querySelector("#ve-import").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const file = el.querySelector("#ve-file").files[0];
    const out = el.querySelector("#ve-import-out");
    el.querySelector("#ve-import-error").textContent = "";
    if (!file) return;
    const csv = /\.csv$/i.test(file.name) || file.type === "text/csv";
    try {
      const r = await api("POST", "/video/cameras/import", await file.text(), { raw: true, contentType: csv ? "text/csv" : "application/geo+json" });
      const counts = Object.entries(r).filter(([, x]) => typeof x === "number").map(([k, x]) => `${k}: ${x}`).join(", ");
      const rej = r.rejected || [];
      put(out, html`<p class="ok">${t("ve_imported")} ${counts} (${t("ve_policy")})</p>
        ${rej.length ? html`<table><caption>${t("ve_rejected")} (${rej.length})</caption><thead><tr><th scope="col">${t("ve_row")}</th><th scope="col">${t("ve_id")}</th><th scope="col">${t("error")}</th></tr></thead>
        <tbody>${rej.map((x) => html`<tr><td>${x.row}</td><td>${x.id || ""}</td><td>${(x.errors || []).map((er) => `${er.field}: ${er.message}`).join("; ")}</td></tr>`)}</tbody></table>` : ""}`);
      status(`${t("ve_imported")} ${counts}`);
      await loadVideo(true);
    } catch (e) { el.querySelector("#ve-import-error").textContent = problemText(e); }
  });
}
