// How the ANALYTICS view shows the engine's answers: the density image and hotspot outlines and
// the Gi* cells as map layers; the hotspot, profile, trend and near-repeat sections as tables
// (the trend also as a small chart). Shapes of the answers: docs/analytics.md.
import { addStrings, fill, fmtNum, fmtTime, t } from "../platform/i18n.js";
import { html, nothing, node, put, svg } from "../platform/dom.js";

addStrings({
  "zh-CN": {
    an_hot_h: "热点",
    an_rank: "排名",
    an_peak: "峰值密度（起/平方公里）",
    an_area: "面积（平方公里）",
    an_share: "占警情比例",
    an_show: "定位",
    an_show_n: "在地图上定位热点 {n}",
    an_hotspot_n: "热点 {n}",
    an_legend: "密度（起/平方公里）",
    an_gi: "Gi* 显著格（{cell} 米方格）：",
    an_gi_none: "没有统计显著的冷热点格。",
    an_gi_hot_99: "热点 99%",
    an_gi_hot_95: "热点 95%",
    an_gi_hot_90: "热点 90%",
    an_gi_cold_90: "冷点 90%",
    an_gi_cold_95: "冷点 95%",
    an_gi_cold_99: "冷点 99%",
    an_profile_h: "时段分布",
    an_hour: "时",
    an_total: "合计",
    an_peak_at: "最多：{day} {hour}时，{n} 起；全部 {total} 起。",
    an_days: "周一,周二,周三,周四,周五,周六,周日",
    an_trend_h: "每周趋势",
    an_week: "周（起始）",
    an_count: "起数",
    an_baseline: "基线",
    an_score: "偏离度",
    an_unusual_high: "异常偏高",
    an_unusual_low: "异常偏低",
    an_partial: "不完整周",
    an_trend_sum: "{weeks} 周，{unusual} 周异常；最近一周 {last} 起。",
    an_trend_shown: "异常周与最近 4 周：",
    an_knox_h: "近重复检验（Knox）",
    an_knox_cell: "观测 / 期望",
    an_distance: "距离",
    an_time: "间隔",
    an_knox_zone: "案发后 {m} 米、{d} 天内，再次发案的风险显著升高：宜在此范围内加强巡逻与提示。",
    an_same_place: "同一地点",
    an_days_unit: "天",
    an_m: "米",
    an_knox_none: "未发现显著的近重复模式。",
    an_knox_sig: "加粗：显著（p ≤ {alpha} 且比值 ≥ {ratio}）。",
    an_failed: "本项分析未完成：{why}",
  },
  en: {
    an_hot_h: "Hotspots",
    an_rank: "Rank",
    an_peak: "Peak density (per km²)",
    an_area: "Area (km²)",
    an_share: "Share of incidents",
    an_show: "Show",
    an_show_n: "Show hotspot {n} on the map",
    an_hotspot_n: "Hotspot {n}",
    an_legend: "Density (incidents per km²)",
    an_gi: "Gi* significant cells ({cell} m squares): ",
    an_gi_none: "No statistically significant hot or cold cells.",
    an_gi_hot_99: "hot 99%",
    an_gi_hot_95: "hot 95%",
    an_gi_hot_90: "hot 90%",
    an_gi_cold_90: "cold 90%",
    an_gi_cold_95: "cold 95%",
    an_gi_cold_99: "cold 99%",
    an_profile_h: "Time profile",
    an_hour: "Hour",
    an_total: "Total",
    an_peak_at: "Most: {day} {hour}:00, {n} incidents; {total} in all.",
    an_days: "Mon,Tue,Wed,Thu,Fri,Sat,Sun",
    an_trend_h: "Weekly trend",
    an_week: "Week (from)",
    an_count: "Count",
    an_baseline: "Baseline",
    an_score: "Score",
    an_unusual_high: "unusually high",
    an_unusual_low: "unusually low",
    an_partial: "partial week",
    an_trend_sum: "{weeks} weeks, {unusual} unusual; the latest week: {last}.",
    an_trend_shown: "Unusual weeks and the latest 4:",
    an_knox_h: "Near repeat (Knox test)",
    an_knox_cell: "observed / expected",
    an_distance: "Distance",
    an_time: "Gap",
    an_knox_zone: "Within {m} m and {d} days of an incident, another is significantly more likely: patrol and warn within that range.",
    an_same_place: "Same place",
    an_days_unit: "days",
    an_m: "m",
    an_knox_none: "No significant near-repeat pattern.",
    an_knox_sig: "Bold: significant (p ≤ {alpha} and ratio ≥ {ratio}).",
    an_failed: "This analysis did not finish: {why}",
  },
});

const GI_COLOURS = { hot_99: "#b2182b", hot_95: "#ef8a62", hot_90: "#fddbc7", cold_90: "#d1e5f0", cold_95: "#67a9cf", cold_99: "#2166ac" };

function failed(el, title, why) {
  el.hidden = false;
  put(el, html`<h3>${title}</h3><p class="bad">${fill("an_failed", { why })}</p>`);
}

/** The KDE image (`/analytics/kde/png`) as a map overlay: the legend bar under the map cropped
 * off, placed by the corners the server names. */
export async function densityImage({ blob, headers }) {
  const legend = JSON.parse(headers.get("X-Pingan-Legend") || "{}");
  const [w, h] = legend.map_px;
  const img = await createImageBitmap(blob);
  const canvas = document.createElement("canvas");
  canvas.width = w;
  canvas.height = h;
  canvas.getContext("2d").drawImage(img, 0, 0, w, h, 0, 0, w, h);
  const c = legend.corners_sw_se_ne_nw;
  const lons = c.map((p) => p[0]);
  const lats = c.map((p) => p[1]);
  const bounds = [[Math.min(...lats), Math.min(...lons)], [Math.max(...lats), Math.max(...lons)]];
  const overlay = L.imageOverlay(canvas.toDataURL("image/png"), bounds, { opacity: 0.75, interactive: false });
  overlay.legend = legend;
  return overlay;
}

/** The top hotspots (KDE cells at or above the quantile, merged) as outlines. */
export function hotspotLayer(fc) {
  return L.geoJSON(fc, {
    style: { color: "#7f1d1d", weight: 2, fill: false, dashArray: "5 3" },
    onEachFeature: (f, l) => l.bindTooltip(node(html`<span>${fill("an_hotspot_n", { n: f.properties.rank })}</span>`)),
  });
}

/** Gi* cells (significant ones only) coloured by class. */
export function giLayer(fc) {
  return L.geoJSON(fc, {
    style: (f) => ({ color: GI_COLOURS[f.properties.label] || "#999", weight: 0.5, fillColor: GI_COLOURS[f.properties.label] || "#999", fillOpacity: 0.45 }),
    onEachFeature: (f, l) => l.bindTooltip(node(html`<span>${t(`an_gi_${f.properties.label}`)} · z ${fmtNum(f.properties.z, 2)} · ${fmtNum(f.properties.count, 0)}</span>`)),
  });
}

export function renderHotspots(el, { kde, png, gi, error }, focus) {
  if (!kde && !png) { failed(el, t("an_hot_h"), error); return; }
  el.hidden = false;
  const legend = png ? JSON.parse(png.headers.get("X-Pingan-Legend") || "{}") : null;
  const spots = kde ? kde.result.hotspots.features.map((f) => f.properties) : [];
  const classes = gi ? Object.entries(gi.result.classes).filter(([k]) => k !== "not_significant") : [];
  put(el, html`<h3>${t("an_hot_h")}</h3>
    ${legend && legend.classes ? html`<p class="an-legend"><span class="muted">${t("an_legend")}</span>
      ${legend.classes.map((c) => html`<span class="an-swatch"><i style="background:${c.colour}" aria-hidden="true"></i>${fmtNum(c.from_events_per_km2)}–${fmtNum(c.to_events_per_km2)}</span>`)}</p>` : ""}
    ${spots.length ? html`<table class="an-table"><thead><tr><th scope="col">${t("an_rank")}</th><th scope="col">${t("an_peak")}</th><th scope="col">${t("an_area")}</th><th scope="col">${t("an_share")}</th><th scope="col"><span class="sr-only">${t("an_show")}</span></th></tr></thead>
      <tbody>${spots.map((s) => html`<tr><th scope="row">${s.rank}</th><td>${fmtNum(s.peak_events_per_km2)}</td><td>${fmtNum(s.area_m2 / 1e6, 2)}</td><td>${fmtNum(s.mass_share * 100)}%</td>
        <td><button type="button" class="secondary" data-rank="${s.rank}" aria-label="${fill("an_show_n", { n: s.rank })}">${t("an_show")}</button></td></tr>`)}</tbody></table>` : ""}
    ${gi ? html`<p>${classes.length ? `${fill("an_gi", { cell: fmtNum(gi.result.grid.grid ? gi.result.grid.grid.cell_m : NaN, 0) })}
      ${classes.map(([k, n]) => html`<span class="an-swatch"><i style="background:${GI_COLOURS[k]}" aria-hidden="true"></i>${t(`an_gi_${k}`)} ${n}</span>`)}` : t("an_gi_none")}</p>` : ""}`);
  el.querySelectorAll("button[data-rank]").forEach((b) => b.addEventListener("click", () => {
    const s = spots.find((x) => String(x.rank) === b.dataset.rank);
    if (s) focus(s.peak);
  }));
}

export function renderProfile(el, answer, error) {
  if (!answer) { failed(el, t("an_profile_h"), error); return; }
  el.hidden = false;
  const counts = answer.result.all.counts; // [weekday 0 = Monday][hour]
  const days = t("an_days").split(",");
  const max = Math.max(1, ...counts.flat());
  let peak = { d: 0, h: 0, n: -1 };
  counts.forEach((row, d) => row.forEach((n, h) => { if (n > peak.n) peak = { d, h, n }; }));
  // Six shades of one red; text dark on the light ones, white on the two darkest (AA either way).
  const LEVELS = [0, 0.12, 0.26, 0.4, 0.55, 0.8, 0.92];
  const shade = (n) => {
    const a = n === 0 ? 0 : LEVELS[1 + Math.min(5, Math.floor((n / max) * 6 - 1e-9))];
    return `background: rgba(153, 27, 27, ${a}); color: ${a >= 0.8 ? "#fff" : "inherit"}`;
  };
  const hourTotals = Array.from({ length: 24 }, (_, h) => counts.reduce((s, row) => s + row[h], 0));
  put(el, html`<h3>${t("an_profile_h")}</h3>
    <p>${fill("an_peak_at", { day: days[peak.d], hour: peak.h, n: peak.n, total: answer.result.all.total })}</p>
    <div class="an-scroll" tabindex="0" role="region" aria-label="${t("an_profile_h")}"><table class="an-grid">
      <thead><tr><th scope="col">${t("an_hour")}</th>${days.map((d) => html`<th scope="col">${d}</th>`)}<th scope="col">${t("an_total")}</th></tr></thead>
      <tbody>${hourTotals.map((total, h) => html`<tr><th scope="row">${h}</th>${counts.map((row) => html`<td style="${shade(row[h])}">${row[h]}</td>`)}<td>${total}</td></tr>`)}</tbody>
    </table></div>`);
}

export function renderTrend(el, answer, error) {
  if (!answer) { failed(el, t("an_trend_h"), error); return; }
  el.hidden = false;
  const weeks = answer.result.weeks || [];
  const last = weeks[weeks.length - 1];
  const summary = fill("an_trend_sum", { weeks: weeks.length, unusual: answer.result.unusual_weeks, last: last ? last.count : 0 });
  const max = Math.max(1, ...weeks.map((w) => Math.max(w.count, w.baseline || 0)));
  const W = 400, H = 90, bw = weeks.length ? W / weeks.length : W;
  const bars = weeks.map((w, i) => {
    const h = (w.count / max) * (H - 4);
    const cls = w.unusual === "high" ? "an-high" : w.unusual === "low" ? "an-low" : w.partial ? "an-partial" : "";
    return svg`<rect class="${cls}" x="${(i * bw + 0.5).toFixed(1)}" y="${(H - h).toFixed(1)}" width="${Math.max(1, bw - 1).toFixed(1)}" height="${h.toFixed(1)}"></rect>`;
  });
  const base = weeks.map((w, i) => (w.baseline == null ? null : `${(i * bw + bw / 2).toFixed(1)},${(H - (w.baseline / max) * (H - 4)).toFixed(1)}`)).filter(Boolean).join(" ");
  const shown = weeks.filter((w, i) => w.unusual || i >= weeks.length - 4);
  const flag = (w) => (w.unusual === "high" ? t("an_unusual_high") : w.unusual === "low" ? t("an_unusual_low") : w.partial ? t("an_partial") : "");
  put(el, html`<h3>${t("an_trend_h")}</h3><p>${summary}</p>
    <svg class="an-chart" viewBox="0 0 ${W} ${H}" role="img" aria-label="${summary}">${bars}${base ? svg`<polyline points="${base}"></polyline>` : ""}</svg>
    <p class="muted">${t("an_trend_shown")}</p>
    <table class="an-table"><thead><tr><th scope="col">${t("an_week")}</th><th scope="col">${t("an_count")}</th><th scope="col">${t("an_baseline")}</th><th scope="col">${t("an_score")}</th><th scope="col"></th></tr></thead>
      <tbody>${shown.map((w) => html`<tr class=${w.unusual ? `an-${w.unusual}` : nothing}><th scope="row">${fmtTime(w.week_start).slice(0, 10)}</th><td>${w.count}</td><td>${fmtNum(w.baseline)}</td><td>${fmtNum(w.score, 2)}</td><td>${flag(w)}</td></tr>`)}</tbody></table>`);
}

export function renderKnox(el, answer, error) {
  if (!answer) { failed(el, t("an_knox_h"), error); return; }
  el.hidden = false;
  const r = answer.result;
  const p = r.params;
  const sig = (c) => c.p_sim <= p.alpha && c.ratio >= p.min_ratio;
  const zone = r.risk_zone;
  const band = (b, unit, i) => (i === 0 && p.same_location && b.hi === p.same_location_m && /same/.test(b.label) ? t("an_same_place")
    : b.hi == null ? `> ${fmtNum(b.lo, 0)} ${unit}` : `${fmtNum(b.lo, 0)}–${fmtNum(b.hi, 0)} ${unit}`);
  put(el, html`<h3>${t("an_knox_h")}</h3>
    <p>${zone ? fill("an_knox_zone", { m: fmtNum(zone.distance_m, 0), d: fmtNum(zone.days, 0) }) : t("an_knox_none")}</p>
    <div class="an-scroll" tabindex="0" role="region" aria-label="${t("an_knox_h")}"><table class="an-grid an-knox">
      <caption class="muted">${t("an_knox_cell")} · ${fill("an_knox_sig", { alpha: p.alpha, ratio: p.min_ratio })}</caption>
      <thead><tr><th scope="col">${t("an_distance")} \\ ${t("an_time")}</th>${r.temporal_bands.map((b, i) => html`<th scope="col">${band(b, t("an_days_unit"), i + 1)}</th>`)}</tr></thead>
      <tbody>${r.table.map((row, i) => html`<tr><th scope="row">${band(row.distance, t("an_m"), i)}</th>${row.cells.map((c) => html`<td class="${sig(c) ? "an-sig" : ""}">${c.observed} / ${fmtNum(c.expected)}<br><span class="muted">×${fmtNum(c.ratio, 2)} · p ${fmtNum(c.p_sim, 3)}</span></td>`)}</tr>`)}</tbody>
    </table></div>`);
}
