// The video network view: registry (filters, paging, platforms, checkpoints, editing for
// manage_sensors), coverage, device health and uptime, and "which cameras see this spot" by
// clicking the map. Hash parameters: #/video?tab=seeing&lon=…&lat=…[&from=…&to=…] (RFC 3339),
// #/video?camera=cam-0001, #/video?checkpoint=kk-01.
import { api } from "../platform/api.js";
import { addStrings, t } from "../platform/i18n.js";
import { onMapClick, problemText } from "../platform/ui.js";
import { focusCamera, focusCheckpoint } from "./layer.js";
import { loadVideo } from "./store.js";
import { hashParams } from "./time.js";
import { registryTab } from "./registry.js";
import { coverageTab } from "./coverage.js";
import { healthTab } from "./health.js";
import { seeingTab } from "./seeing.js";
import { html, put } from "../platform/dom.js";
import { tabs } from "../platform/tabs.js";

addStrings({
  "zh-CN": {
    nav_video: "视频网络",
    video_title: "视频监控网络",
    vt_registry: "设备登记",
    vt_coverage: "覆盖分析",
    vt_health: "在线与运行率",
    vt_seeing: "谁能看到这里",
    video_tabs: "视频网络功能",
  },
  en: {
    nav_video: "Video",
    video_title: "Video network",
    vt_registry: "Registry",
    vt_coverage: "Coverage",
    vt_health: "Health & uptime",
    vt_seeing: "Who sees this spot",
    video_tabs: "Video network sections",
  },
});

const TABS = ["registry", "coverage", "health", "seeing"];
const BUILD = { registry: registryTab, coverage: coverageTab, health: healthTab, seeing: seeingTab };

export default {
  id: "video", nav: 50, label: "nav_video", permission: "view_map",
  async render(panel) {
    const params = hashParams();
    put(panel, html`<div class="vid-view"><h2>${t("video_title")}</h2>
      <p class="vid-sr" role="status" aria-live="polite" id="vid-status"></p>
      <div role="tablist" aria-label="${t("video_tabs")}" class="vid-tabs">${TABS.map((id) => html`<button type="button" role="tab" id="vid-tab-${id}"
        aria-controls="vid-pane-${id}" aria-selected="false" tabindex="-1">${t(`vt_${id}`)}</button>`)}</div>
      ${TABS.map((id) => html`<section role="tabpanel" id="vid-pane-${id}" aria-labelledby="vid-tab-${id}" tabindex="0" hidden></section>`)}
      <p class="error" role="alert" id="vid-error"></p></div>`);
    const statusEl = panel.querySelector("#vid-status");
    const status = (msg) => { statusEl.textContent = ""; setTimeout(() => { statusEl.textContent = msg; }, 50); };
    const built = {};
    let canEdit = false;
    try {
      const [me] = await Promise.all([api("GET", "/auth/me"), loadVideo()]);
      canEdit = me.permissions.includes("manage_sensors");
    } catch (e) { panel.querySelector("#vid-error").textContent = problemText(e); return undefined; }

    const tabBar = tabs(panel.querySelector("[role=tablist]"), TABS, { prefix: "vid", onSelect: build });
    const select = (id) => tabBar.select(id);
    function build(id) {
      if (!built[id]) built[id] = BUILD[id](panel.querySelector(`#vid-pane-${id}`), status, canEdit);
      const q = new URLSearchParams(hashParams());
      q.set("tab", id);
      for (const k of ["lon", "lat", "from", "to", "camera", "checkpoint"]) if (id !== "seeing" || k === "camera" || k === "checkpoint") q.delete(k);
      history.replaceState(null, "", `#/video?${q}`);
      return built[id];
    }

    onMapClick((ev) => select("seeing").query(ev.latlng.lng, ev.latlng.lat));

    const lon = Number(params.get("lon"));
    const lat = Number(params.get("lat"));
    const tab = TABS.includes(params.get("tab")) ? params.get("tab") : params.has("lon") ? "seeing" : "registry";
    const view = select(tab);
    if (tab === "seeing" && params.has("lon") && params.has("lat")) {
      const from = Date.parse(params.get("from") || "");
      const to = Date.parse(params.get("to") || "");
      view.query(lon, lat, Number.isNaN(from) ? null : from, Number.isNaN(to) ? null : to);
    }
    if (params.get("camera")) focusCamera(params.get("camera"));
    if (params.get("checkpoint")) focusCheckpoint(params.get("checkpoint"));

    return () => {
      onMapClick(null);
      for (const b of Object.values(built)) if (b && b.cleanup) b.cleanup();
    };
  },
};
