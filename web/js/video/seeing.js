// "Which cameras see this spot": click the map (or type a position), nearest first, with live
// and playback links for a time window.
import { api } from "../platform/api.js";
import { addStrings, t } from "../platform/i18n.js";
import { getMap } from "../platform/map.js";
import { problemText } from "../platform/ui.js";
import { cameraState, focusCamera, wedge } from "./layer.js";
import { safeUrl, video } from "./store.js";
import { isoUtc, localInputToMs, msToLocalInput } from "./time.js";
import { html, put, node } from "../platform/dom.js";

addStrings({
  "zh-CN": {
    vs_hint: "在地图上点击任意位置，列出视域覆盖该点的摄像机（由近到远），附实时和回放链接。也可输入坐标。",
    vs_lon: "经度",
    vs_lat: "纬度",
    vs_window: "回放时段",
    vs_w15: "最近15分钟",
    vs_w60: "最近1小时",
    vs_w360: "最近6小时",
    vs_w1440: "最近24小时",
    vs_custom: "自定义",
    vs_from: "开始（辖区时间）",
    vs_to: "结束（辖区时间）",
    vs_find: "查询",
    vs_none: "没有摄像机的视域覆盖此点。",
    vs_found: "{n} 台摄像机看得到 {lon}, {lat}",
    vs_distance: "距离",
    vs_live: "实时",
    vs_playback: "回放",
    vs_show: "在地图上显示",
    vs_bad_pos: "请输入有效的经纬度",
    vs_bad_window: "时段无效：开始须早于结束",
    vs_loading: "查询中…",
    vs_spot: "查询点",
  },
  en: {
    vs_hint: "Click anywhere on the map to list the cameras whose view contains that spot, nearest first, with live and playback links. Or type a position.",
    vs_lon: "Longitude",
    vs_lat: "Latitude",
    vs_window: "Playback window",
    vs_w15: "last 15 minutes",
    vs_w60: "last hour",
    vs_w360: "last 6 hours",
    vs_w1440: "last 24 hours",
    vs_custom: "custom",
    vs_from: "From (district time)",
    vs_to: "To (district time)",
    vs_find: "Find cameras",
    vs_none: "No camera's view contains this spot.",
    vs_found: "{n} cameras see {lon}, {lat}",
    vs_distance: "Distance",
    vs_live: "live",
    vs_playback: "playback",
    vs_show: "Show on map",
    vs_bad_pos: "Enter a valid longitude and latitude",
    vs_bad_window: "Invalid window: the start must come before the end",
    vs_loading: "Searching…",
    vs_spot: "Spot",
  },
});

/// Renders the tab into `el`; returns `{ query(lon, lat, fromMs, toMs), cleanup }`.
export function seeingTab(el, status) {
  const now = Date.now();
  put(el, html`<p class="muted">${t("vs_hint")}</p>
    <form id="vs-form" class="vid-form">
      <div class="vid-2"><div><label for="vs-lon">${t("vs_lon")}</label><input id="vs-lon" inputmode="decimal" required></div>
      <div><label for="vs-lat">${t("vs_lat")}</label><input id="vs-lat" inputmode="decimal" required></div></div>
      <label for="vs-window">${t("vs_window")}</label>
      <select id="vs-window"><option value="15">${t("vs_w15")}</option><option value="60">${t("vs_w60")}</option>
        <option value="360">${t("vs_w360")}</option><option value="1440">${t("vs_w1440")}</option><option value="custom">${t("vs_custom")}</option></select>
      <div class="vid-2" id="vs-custom" hidden><div><label for="vs-from">${t("vs_from")}</label><input id="vs-from" type="datetime-local" value="${msToLocalInput(now - 3600000)}"></div>
      <div><label for="vs-to">${t("vs_to")}</label><input id="vs-to" type="datetime-local" value="${msToLocalInput(now)}"></div></div>
      <button type="submit">${t("vs_find")}</button></form>
    <p class="error" id="vs-error" role="alert"></p><div id="vs-result"></div>`);
  const $ = (s) => el.querySelector(s);
  const overlay = L.layerGroup().addTo(getMap());
  const windowSel = $("#vs-window");
  windowSel.addEventListener("change", () => { $("#vs-custom").hidden = windowSel.value !== "custom"; });

  function windowMs() {
    if (windowSel.value !== "custom") { const end = Date.now(); return [end - Number(windowSel.value) * 60000, end]; }
    return [localInputToMs($("#vs-from").value), localInputToMs($("#vs-to").value)];
  }

  async function query(lon, lat, fromMs, toMs) {
    $("#vs-error").textContent = "";
    if (!Number.isFinite(lon) || !Number.isFinite(lat) || Math.abs(lon) > 180 || Math.abs(lat) > 90) { $("#vs-error").textContent = t("vs_bad_pos"); return; }
    if (fromMs != null && toMs != null) {
      windowSel.value = "custom";
      $("#vs-custom").hidden = false;
      $("#vs-from").value = msToLocalInput(fromMs);
      $("#vs-to").value = msToLocalInput(toMs);
    } else [fromMs, toMs] = windowMs();
    if (!(fromMs < toMs)) { $("#vs-error").textContent = t("vs_bad_window"); return; }
    $("#vs-lon").value = lon.toFixed(6);
    $("#vs-lat").value = lat.toFixed(6);
    const out = $("#vs-result");
    put(out, html`<p class="muted">${t("vs_loading")}</p>`);
    overlay.clearLayers();
    L.circleMarker([lat, lon], { radius: 8, color: "#f5b400", weight: 3, fillColor: "#12263f", fillOpacity: 0.9 })
      .bindTooltip(node(html`<span>${t("vs_spot")}</span>`)).addTo(overlay);
    let rows;
    try {
      const q = new URLSearchParams({ lon: lon.toFixed(6), lat: lat.toFixed(6), from: isoUtc(fromMs), to: isoUtc(toMs) });
      rows = await api("GET", `/video/seeing?${q}`);
    } catch (e) { out.replaceChildren(); $("#vs-error").textContent = problemText(e); return; }
    const head = rows.length === 0 ? t("vs_none")
      : t("vs_found").replace("{n}", rows.length).replace("{lon}", lon.toFixed(5)).replace("{lat}", lat.toFixed(5));
    status(head);
    const v = video();
    put(out, html`<h3>${head}</h3><ol class="vid-seeing">${rows.map((r, i) => {
      const c = v.byId.get(r.camera_id);
      const p = c && c.platform_id ? v.platformById.get(c.platform_id) : null;
      const live = safeUrl(r.live_url);
      const pb = safeUrl(r.playback_url);
      return html`<li class="card"><strong>${r.name}</strong> <span class="muted">${r.camera_id}${p ? ` · ${p.name}` : ""}</span><br>
        ${t("vs_distance")} ${r.distance_m.toFixed(0)} m ·
        ${live ? html`<a href="${live}" target="_blank" rel="noopener noreferrer">${t("vs_live")}</a>` : ""}
        ${pb ? html` · <a href="${pb}" target="_blank" rel="noopener noreferrer">${t("vs_playback")}</a>` : ""}
        <button type="button" class="secondary vid-small" data-show="${i}">${t("vs_show")}</button></li>`;
    })}</ol>`);
    rows.forEach((r) => {
      const c = v.byId.get(r.camera_id);
      if (!c) return;
      const col = cameraState(c) === "offline" ? "#a4000f" : "#0b5cad";
      L.polygon(wedge(c), { color: col, weight: 2, fillOpacity: 0.15, interactive: false }).addTo(overlay);
    });
    out.querySelectorAll("[data-show]").forEach((b) => b.addEventListener("click", () => focusCamera(rows[Number(b.dataset.show)].camera_id)));
    const b = L.latLngBounds([[lat, lon]]);
    rows.forEach((r) => { const c = v.byId.get(r.camera_id); if (c) b.extend([c.lat, c.lon]); });
    const map = getMap();
    if (!map.getBounds().contains(b) || map.getZoom() < 16) map.fitBounds(b.pad(0.5), { maxZoom: 18 });
  }

  $("#vs-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    query(Number($("#vs-lon").value), Number($("#vs-lat").value));
  });
  return { query, cleanup: () => overlay.remove() };
}
