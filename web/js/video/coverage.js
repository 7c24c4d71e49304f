// Coverage of key places and key road sections per town and for the district, the uncovered
// stretches on the map, and suggested sites for new cameras with their explanation.
import { api } from "../platform/api.js";
import { addStrings, currentLang, t } from "../platform/i18n.js";
import { getMap, setOverlay } from "../platform/map.js";
import { downloadCsv, problemText } from "../platform/ui.js";
import { html, put, node } from "../platform/dom.js";

addStrings({
  "zh-CN": {
    vc_k: "建议新点位数",
    vc_gap: "最短未覆盖路段（米）",
    vc_range: "建议点位视距（米）",
    vc_roads: "同时测算全部道路（较慢）",
    vc_run: "计算覆盖",
    vc_district: "全区",
    vc_key_roads: "重点路段覆盖",
    vc_key_places: "重点部位覆盖",
    vc_roads_all: "全部道路覆盖",
    vc_cameras: "计入的在用摄像机",
    vc_town: "乡镇/街道",
    vc_outside: "乡镇之外",
    vc_uncovered: "未覆盖路段",
    vc_suggestions: "建议新增摄像机点位",
    vc_method: "计算方法",
    vc_layer_gaps: "未覆盖路段",
    vc_layer_sites: "建议点位",
    vc_length: "长度",
    vc_show: "显示",
    vc_none_gaps: "没有达到长度阈值的未覆盖路段。",
    vc_of: "{a} / {b}",
    vc_points: "个采样点",
    vc_explain: "在此处设一台视距 {r} 米的云台摄像机，可新覆盖重点路段 {m} 米（全区重点路段覆盖率提高 {pts} 个百分点）{places}；受益最多的要素：{f}。",
    vc_explain_places: "，新覆盖重点部位采样点 {n} 个",
    vc_loading: "计算中…",
    vc_site: "点位",
    vc_by_town: "各乡镇/街道覆盖率",
  },
  en: {
    vc_k: "Sites to suggest",
    vc_gap: "Shortest uncovered stretch (m)",
    vc_range: "Range of a suggested camera (m)",
    vc_roads: "Also measure every road (slower)",
    vc_run: "Compute coverage",
    vc_district: "District",
    vc_key_roads: "Key road sections covered",
    vc_key_places: "Key places covered",
    vc_roads_all: "All roads covered",
    vc_cameras: "Active cameras counted",
    vc_town: "Town",
    vc_outside: "outside the towns",
    vc_uncovered: "Uncovered road stretches",
    vc_suggestions: "Suggested new camera sites",
    vc_method: "Method",
    vc_layer_gaps: "Uncovered stretches",
    vc_layer_sites: "Suggested sites",
    vc_length: "Length",
    vc_show: "Show",
    vc_none_gaps: "No uncovered stretch reaches the length threshold.",
    vc_of: "{a} of {b}",
    vc_points: "sample points",
    vc_explain: "A {r} m PTZ camera here would newly cover {m} m of key road (+{pts} points of the district's key road coverage){places}; features gaining most: {f}.",
    vc_explain_places: " and {n} key-place sample points",
    vc_loading: "Computing…",
    vc_site: "Site",
    vc_by_town: "Coverage per town",
  },
});

const pct = (x) => (x == null ? "—" : `${(x * 100).toFixed(1)} %`);
const km = (m) => `${(m / 1000).toFixed(2)} km`;

function figures(f) {
  const places = f.key_place_area_m2 > 0
    ? `${pct(f.key_place_share)} (${t("vc_of").replace("{a}", `${Math.round(f.key_place_covered_m2)} m²`).replace("{b}", `${Math.round(f.key_place_area_m2)} m²`)})`
    : f.key_place_points > 0
      ? `${pct(f.key_place_points_covered / f.key_place_points)} (${t("vc_of").replace("{a}", f.key_place_points_covered).replace("{b}", f.key_place_points)} ${t("vc_points")})`
      : "—";
  return {
    roads: f.key_road_m > 0 ? `${pct(f.key_road_share)} (${t("vc_of").replace("{a}", km(f.key_road_covered_m)).replace("{b}", km(f.key_road_m))})` : "—",
    places,
    all: f.road_m > 0 ? `${pct(f.road_share)} (${t("vc_of").replace("{a}", km(f.road_covered_m)).replace("{b}", km(f.road_m))})` : null,
  };
}

function explain(s, districtKeyRoad) {
  if (currentLang() === "en" && s.explanation) return s.explanation;
  const pts = districtKeyRoad > 0 ? ((s.key_road_m / districtKeyRoad) * 100).toFixed(2) : "0";
  return t("vc_explain").replace("{r}", Math.round(s.range_m)).replace("{m}", Math.round(s.key_road_m)).replace("{pts}", pts)
    .replace("{places}", s.key_place_points > 0 ? t("vc_explain_places").replace("{n}", s.key_place_points) : "")
    .replace("{f}", (s.features || []).join(", ") || "—");
}

export function coverageTab(el, status) {
  put(el, html`<form id="vc-form" class="vid-form">
      <div class="vid-2"><div><label for="vc-k">${t("vc_k")}</label><input id="vc-k" type="number" min="0" max="50" value="5"></div>
      <div><label for="vc-gap">${t("vc_gap")}</label><input id="vc-gap" type="number" min="1" value="100"></div></div>
      <div class="vid-2"><div><label for="vc-range">${t("vc_range")}</label><input id="vc-range" type="number" min="1" max="5000" value="50"></div>
      <div class="vid-check"><input id="vc-roads" type="checkbox"><label for="vc-roads">${t("vc_roads")}</label></div></div>
      <button type="submit">${t("vc_run")}</button></form>
    <p class="error" id="vc-error" role="alert"></p><div id="vc-out"></div>`);
  const $ = (s) => el.querySelector(s);
  let gapLayer = null;
  let siteLayer = null;
  let names = [];
  const dropLayers = () => { names.forEach((n) => setOverlay(n, null)); names = []; };

  async function run() {
    $("#vc-error").textContent = "";
    const out = $("#vc-out");
    put(out, html`<p class="muted">${t("vc_loading")}</p>`);
    const q = new URLSearchParams({ k: $("#vc-k").value || "5", min_gap_m: $("#vc-gap").value || "100", site_range_m: $("#vc-range").value || "50" });
    if ($("#vc-roads").checked) q.set("roads", "true");
    let r;
    try { r = await api("GET", `/video/coverage?${q}`); } catch (e) { out.replaceChildren(); $("#vc-error").textContent = problemText(e); return; }
    const d = figures(r.district);
    const towns = r.towns.map((x) => ({ name: x.town_id ? x.town_name : t("vc_outside"), f: figures(x.figures), raw: x }));
    put(out, html`<h3>${t("vc_district")}</h3>
      <dl class="vid-figures" id="vc-district"><div><dt>${t("vc_key_roads")}</dt><dd>${d.roads}</dd></div>
      <div><dt>${t("vc_key_places")}</dt><dd>${d.places}</dd></div>
      ${d.all ? html`<div><dt>${t("vc_roads_all")}</dt><dd>${d.all}</dd></div>` : ""}
      <div><dt>${t("vc_cameras")}</dt><dd>${r.cameras}</dd></div></dl>
      <table id="vc-towns"><caption class="muted">${t("vc_by_town")}</caption><thead><tr><th scope="col">${t("vc_town")}</th><th scope="col">${t("vc_key_roads")}</th><th scope="col">${t("vc_key_places")}</th>${d.all ? html`<th scope="col">${t("vc_roads_all")}</th>` : ""}</tr></thead>
      <tbody>${towns.map((x) => html`<tr><th scope="row">${x.name}</th><td>${x.f.roads}</td><td>${x.f.places}</td>${d.all ? html`<td>${x.f.all || "—"}</td>` : ""}</tr>`)}</tbody></table>
      <div class="row"><button type="button" class="secondary" id="vc-csv">${t("csv")}</button></div>
      <h3>${t("vc_suggestions")}</h3><ol class="vid-list" id="vc-sites">${r.suggestions.map((s, i) => html`<li><p>${explain(s, r.district.key_road_m)}</p>
        <button type="button" class="secondary vid-small" data-site="${i}">${t("vc_show")} ${t("vc_site")} ${s.rank}</button></li>`)}</ol>
      <h3>${t("vc_uncovered")} (${r.uncovered.length})</h3>
      ${r.uncovered.length ? html`<table><thead><tr><th scope="col">${t("name")}</th><th scope="col">${t("vc_length")}</th><th scope="col"><span class="vid-sr">${t("vc_show")}</span></th></tr></thead><tbody>
        ${r.uncovered.map((u, i) => html`<tr><td>${u.name} <span class="muted">${u.feature_id}</span></td><td>${Math.round(u.length_m)} m</td>
        <td><button type="button" class="secondary vid-small" data-gap="${i}" aria-label="${`${t("vc_show")} ${u.name} ${Math.round(u.length_m)} m`}">${t("vc_show")}</button></td></tr>`)}</tbody></table>`
        : html`<p class="muted">${t("vc_none_gaps")}</p>`}
      <details><summary>${t("vc_method")}</summary><p class="muted">${r.method}</p></details>`);
    status(`${t("vc_district")}: ${t("vc_key_roads")} ${d.roads}`);

    dropLayers();
    gapLayer = L.geoJSON({ type: "FeatureCollection", features: r.uncovered.map((u) => ({ type: "Feature", geometry: u.line, properties: u })) }, {
      style: () => ({ color: "#a4000f", weight: 6, dashArray: "6 6", opacity: 0.9 }),
      onEachFeature: (f, l) => l.bindTooltip(node(html`<span>${f.properties.name} · ${Math.round(f.properties.length_m)} m</span>`), { sticky: true }),
    });
    siteLayer = L.layerGroup(r.suggestions.map((s) => {
      const icon = L.divIcon({ className: "vid-site", html: node(html`<span aria-hidden="true">${s.rank}</span>`), iconSize: [24, 24] });
      const m = L.marker([s.lat, s.lon], { icon, title: `${t("vc_site")} ${s.rank}`, keyboard: true });
      m.bindPopup(node(html`<strong>${t("vc_site")} ${s.rank}</strong><p>${explain(s, r.district.key_road_m)}</p>`), { maxWidth: 300 });
      return L.featureGroup([L.circle([s.lat, s.lon], { radius: s.range_m, color: "#7c3aed", weight: 2, fillOpacity: 0.1, interactive: false }), m]);
    }));
    names = [t("vc_layer_gaps"), t("vc_layer_sites")];
    setOverlay(names[0], gapLayer);
    setOverlay(names[1], siteLayer);
    const b = gapLayer.getBounds();
    if (b.isValid()) getMap().fitBounds(b.pad(0.1));

    $("#vc-csv").addEventListener("click", () => downloadCsv("coverage.csv",
      [t("vc_town"), "key_road_m", "key_road_covered_m", "key_road_share", "key_place_points", "key_place_points_covered"],
      [...towns.map((x) => [x.name, x.raw.figures.key_road_m.toFixed(0), x.raw.figures.key_road_covered_m.toFixed(0), x.raw.figures.key_road_share ?? "", x.raw.figures.key_place_points, x.raw.figures.key_place_points_covered]),
        [t("vc_district"), r.district.key_road_m.toFixed(0), r.district.key_road_covered_m.toFixed(0), r.district.key_road_share ?? "", r.district.key_place_points, r.district.key_place_points_covered]]));
    out.querySelectorAll("[data-site]").forEach((btn) => btn.addEventListener("click", () => {
      const s = r.suggestions[Number(btn.dataset.site)];
      getMap().setView([s.lat, s.lon], 17);
      L.popup().setLatLng([s.lat, s.lon]).setContent(node(html`<strong>${t("vc_site")} ${s.rank}</strong><p>${explain(s, r.district.key_road_m)}</p>`)).openOn(getMap());
    }));
    out.querySelectorAll("[data-gap]").forEach((btn) => btn.addEventListener("click", () => {
      const u = r.uncovered[Number(btn.dataset.gap)];
      getMap().fitBounds(L.geoJSON(u.line).getBounds().pad(0.3));
    }));
  }

  $("#vc-form").addEventListener("submit", (ev) => { ev.preventDefault(); run(); });
  run();
  return { cleanup: dropLayers };
}
