// Device health: offline devices (live from the stream's device.online/offline events) and
// uptime per UTC day for devices and platforms.
import { api } from "../platform/api.js";
import { addStrings, fmtTime, t } from "../platform/i18n.js";
import { downloadCsv, problemText } from "../platform/ui.js";
import { focusCamera, focusCheckpoint } from "./layer.js";
import { loadHealth, onVideoChange, video } from "./store.js";
import { html, put } from "../platform/dom.js";

addStrings({
  "zh-CN": {
    vh_summary: "在线 {on} · 离线 {off} · 心跳间隔 {i} 秒，连续 {m} 次未收到即判离线",
    vh_offline: "离线设备",
    vh_all: "全部有心跳的设备",
    vh_none_off: "当前没有离线设备。",
    vh_subject: "类型",
    vh_last: "最后心跳",
    vh_since: "状态变化于",
    vh_recent: "最近状态变化（实时）",
    vh_no_recent: "打开本页后暂无状态变化。",
    vh_went_off: "{id} 离线",
    vh_went_on: "{id} 恢复在线",
    vh_uptime: "每日在线率（UTC 日）",
    vh_from: "起始日",
    vh_to: "截止日",
    vh_load: "查询在线率",
    vh_platforms: "平台",
    vh_devices: "设备",
    vh_own: "平台自身",
    vh_cams: "所属摄像机平均",
    vh_none_up: "该时段没有在线记录。",
    vh_silent: "登记但从未发送心跳的摄像机：{n} 台（通过平台汇报的除外）",
    subj_camera: "摄像机",
    subj_checkpoint: "卡口",
    subj_platform: "平台",
    subj_recorder: "录像机",
    vh_show: "定位",
  },
  en: {
    vh_summary: "Online {on} · offline {off} · heartbeat every {i} s, offline after {m} missed beats",
    vh_offline: "Offline devices",
    vh_all: "Every device heard from",
    vh_none_off: "No device is offline now.",
    vh_subject: "Kind",
    vh_last: "Last heartbeat",
    vh_since: "Changed at",
    vh_recent: "Recent changes (live)",
    vh_no_recent: "No change since this page opened.",
    vh_went_off: "{id} went offline",
    vh_went_on: "{id} is back online",
    vh_uptime: "Uptime per day (UTC days)",
    vh_from: "First day",
    vh_to: "Last day",
    vh_load: "Show uptime",
    vh_platforms: "Platforms",
    vh_devices: "Devices",
    vh_own: "own",
    vh_cams: "its cameras (mean)",
    vh_none_up: "No uptime recorded in this period.",
    vh_silent: "Registered cameras that never sent a heartbeat: {n} (unless their platform vouches for them)",
    subj_camera: "camera",
    subj_checkpoint: "checkpoint",
    subj_platform: "platform",
    subj_recorder: "recorder",
    vh_show: "Locate",
  },
});

const pct = (x) => (x == null ? "—" : `${(x * 100).toFixed(1)} %`);
const day = (ms) => new Date(ms).toISOString().slice(0, 10);

function nameOf(subject, id) {
  const v = video();
  const rec = subject === "camera" ? v.byId.get(id) : subject === "checkpoint" ? v.checkpointById.get(id) : subject === "platform" ? v.platformById.get(id) : null;
  return rec ? rec.name : "";
}

export function healthTab(el, status) {
  const today = Date.now();
  put(el, html`<p id="vh-summary"></p><h3>${t("vh_offline")}</h3><div id="vh-off"></div>
    <h3>${t("vh_recent")}</h3><ul class="events" id="vh-recent"><li class="muted">${t("vh_no_recent")}</li></ul>
    <details><summary>${t("vh_all")}</summary><div id="vh-all"></div></details>
    <h3>${t("vh_uptime")}</h3>
    <form id="vh-form" class="vid-form"><div class="vid-2"><div><label for="vh-from">${t("vh_from")}</label><input id="vh-from" type="date" value="${day(today - 6 * 86400000)}" required></div>
      <div><label for="vh-to">${t("vh_to")}</label><input id="vh-to" type="date" value="${day(today)}" required></div></div>
      <button type="submit">${t("vh_load")}</button></form><p class="error" id="vh-error" role="alert"></p><div id="vh-uptime"></div>`);
  const $ = (s) => el.querySelector(s);

  function deviceRows(list) {
    return html`<table><thead><tr><th scope="col">${t("vh_subject")}</th><th scope="col">${t("device_id")}</th><th scope="col">${t("vh_last")}</th><th scope="col">${t("vh_since")}</th><th scope="col"><span class="vid-sr">${t("vh_show")}</span></th></tr></thead><tbody>
      ${list.map((d) => html`<tr><td>${t(`subj_${d.subject}`)}</td><td>${d.id}<br><span class="muted">${nameOf(d.subject, d.id)}</span></td>
        <td>${fmtTime(d.last_seen_at)}</td><td>${fmtTime(d.changed_at)}</td>
        <td>${d.subject === "camera" || d.subject === "checkpoint" ? html`<button type="button" class="secondary vid-small" data-subject="${d.subject}" data-id="${d.id}">${t("vh_show")}</button>` : ""}</td></tr>`)}</tbody></table>`;
  }

  function render() {
    const v = video();
    const all = [...v.health.values()].sort((a, b) => a.subject.localeCompare(b.subject) || a.id.localeCompare(b.id));
    const off = all.filter((d) => !d.online);
    const m = v.healthMeta || { interval_s: "?", missed_beats: "?" };
    const heard = new Set(all.filter((d) => d.subject === "camera").map((d) => d.id));
    put($("#vh-summary"), html`${t("vh_summary").replace("{on}", all.length - off.length).replace("{off}", off.length).replace("{i}", m.interval_s).replace("{m}", m.missed_beats)}<br>
      <span class="muted">${t("vh_silent").replace("{n}", v.cameras.filter((c) => !heard.has(c.id)).length)}</span>`);
    put($("#vh-off"), off.length ? deviceRows(off) : html`<p class="ok">${t("vh_none_off")}</p>`);
    put($("#vh-all"), deviceRows(all));
  }
  el.addEventListener("click", (ev) => {
    const b = ev.target.closest("button[data-subject]");
    if (!b) return;
    if (b.dataset.subject === "camera") focusCamera(b.dataset.id); else focusCheckpoint(b.dataset.id);
  });

  const off = onVideoChange((what, data) => {
    if (what !== "health" && what !== "cameras") return;
    render();
    if (what === "health" && data) {
      const msg = t(data.online ? "vh_went_on" : "vh_went_off").replace("{id}", `${t(`subj_${data.subject}`)} ${data.id}`);
      const list = $("#vh-recent");
      list.querySelectorAll("li.muted").forEach((li) => li.remove());
      const li = document.createElement("li");
      li.className = data.online ? "ok" : "bad";
      li.textContent = `${fmtTime(data.at)} · ${msg}`;
      list.prepend(li);
      while (list.children.length > 30) list.lastChild.remove();
      status(msg);
    }
  });

  async function uptime() {
    $("#vh-error").textContent = "";
    const from = $("#vh-from").value;
    const to = $("#vh-to").value;
    let r;
    try { r = await api("GET", `/video/uptime?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`); } catch (e) { $("#vh-error").textContent = problemText(e); return; }
    const days = [...new Set([...r.devices.map((d) => d.day), ...r.platforms.map((p) => p.day)])].sort();
    const out = $("#vh-uptime");
    if (!days.length) { put(out, html`<p class="muted">${t("vh_none_up")}</p>`); return; }
    const matrix = (rows, key, cell) => {
      const by = new Map();
      rows.forEach((x) => { const k = key(x); if (!by.has(k)) by.set(k, {}); by.get(k)[x.day] = x; });
      return [...by.entries()].sort((a, b) => a[0].localeCompare(b[0])).map(([k, m]) => html`<tr><th scope="row">${k}</th>${days.map((d) => html`<td>${m[d] ? cell(m[d]) : "—"}</td>`)}</tr>`);
    };
    const head = html`<tr><th scope="col"></th>${days.map((d) => html`<th scope="col">${d.slice(5)}</th>`)}</tr>`;
    put(out, html`<h4>${t("vh_platforms")}</h4><div class="vid-scroll"><table class="vid-matrix"><caption class="muted">${t("vh_own")} / ${t("vh_cams")}</caption><thead>${head}</thead>
      <tbody>${matrix(r.platforms, (p) => `${nameOf("platform", p.platform_id)} (${p.platform_id})`, (p) => html`${pct(p.own_share)}<br><span class="muted">${pct(p.cameras_share)}</span>`)}</tbody></table></div>
      <h4>${t("vh_devices")}</h4><div class="vid-scroll"><table class="vid-matrix"><thead>${head}</thead>
      <tbody>${matrix(r.devices, (d) => `${t(`subj_${d.subject}`)} ${d.id}`, (d) => (pct(d.share)))}</tbody></table></div>
      <div class="row"><button type="button" class="secondary" id="vh-csv">${t("csv")}</button></div>`);
    $("#vh-csv").addEventListener("click", () => downloadCsv(`uptime-${from}-${to}.csv`, ["subject", "id", "day", "online_s", "beats", "share"],
      r.devices.map((d) => [d.subject, d.id, d.day, d.online_s, d.beats, d.share])));
  }
  $("#vh-form").addEventListener("submit", (ev) => { ev.preventDefault(); uptime(); });

  render();
  loadHealth().catch((e) => { $("#vh-error").textContent = problemText(e); });
  uptime();
  return { cleanup: off };
}
