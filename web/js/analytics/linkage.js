// Serial-case linkage in the ANALYTICS view: the incidents most likely by the same offender as a
// given one, each with its probability and the reasons (place, time, type, shared words of the
// modus operandi) in the interface language, the series the case belongs to, and all of them on
// the map. The answer's shape: docs/analytics.md (`/analytics/linkage`).
import { api } from "../platform/api.js";
import { addStrings, fill, fmtNum, fmtTime, t } from "../platform/i18n.js";
import { hasView } from "../platform/registry.js";
import { html, put, node } from "../platform/dom.js";

addStrings({
  "zh-CN": {
    an_lk_none: "没有找到可能关联的警情。",
    an_lk_for: "与 {id} 可能为同一作案人的警情：",
    an_lk_prob: "关联概率",
    an_lk_why: "依据",
    an_lk_text: "作案手法描述共同词：{terms}",
    an_lk_same: "同类警情",
    an_lk_other: "类型不同",
    an_lk_days: "相隔 {n} 天",
    an_lk_km: "相距 {n} 公里",
    an_lk_series: "该警情属于一个 {n} 起的系列（平均关联概率 {p}%）。",
    an_lk_case: "所查警情",
    an_lk_open: "打开警情 {id}",
  },
  en: {
    an_lk_none: "No likely linked incidents found.",
    an_lk_for: "Incidents likely by the same offender as {id}:",
    an_lk_prob: "Probability",
    an_lk_why: "Why",
    an_lk_text: "Shared words of the modus operandi: {terms}",
    an_lk_same: "Same type",
    an_lk_other: "Different type",
    an_lk_days: "{n} days apart",
    an_lk_km: "{n} km apart",
    an_lk_series: "It belongs to a series of {n} incidents (mean linkage probability {p}%).",
    an_lk_case: "The incident asked about",
    an_lk_open: "Open incident {id}",
  },
});

const hasCommand = () => hasView("command");

function reason(r, shared) {
  switch (r.feature) {
    case "text": return fill("an_lk_text", { terms: (shared || []).join("、") || "—" });
    case "same_kind": return r.value >= 1 ? t("an_lk_same") : t("an_lk_other");
    case "time_gap": return fill("an_lk_days", { n: fmtNum(r.value) });
    case "distance": return fill("an_lk_km", { n: fmtNum(r.value, 2) });
    default: return r.detail || r.feature;
  }
}

const idCell = (id) => (hasCommand()
  ? html`<a href="#/command?incident=${encodeURIComponent(id)}" aria-label="${fill("an_lk_open", { id })}">${id}</a>`
  : (id));

export function renderLinkage(el, answer) {
  const r = answer.result;
  const links = r.links || [];
  const series = (r.series || []).find((s) => s.members.includes(r.case_id));
  if (!links.length) { put(el, html`<p>${t("an_lk_none")}</p>`); return; }
  put(el, html`<p>${fill("an_lk_for", { id: r.case_id })}</p>
    ${series ? html`<p>${fill("an_lk_series", { n: series.members.length, p: fmtNum(series.mean_probability * 100, 0) })}</p>` : ""}
    <table class="an-table an-links"><thead><tr><th scope="col">#</th><th scope="col">${t("an_case")}</th><th scope="col">${t("an_lk_prob")}</th><th scope="col">${t("an_lk_why")}</th></tr></thead>
      <tbody>${links.map((l, i) => html`<tr><th scope="row">${i + 1}</th><td>${idCell(l.id)}</td><td>${fmtNum(l.probability * 100, 0)}%</td>
        <td><ul class="an-why">${l.reasons.map((x) => html`<li>${reason(x, l.shared_terms)} <span class="muted">(${x.contribution >= 0 ? "+" : "−"}${fmtNum(Math.abs(x.contribution), 2)})</span></li>`)}</ul></td></tr>`)}</tbody></table>`);
}

/** The case and its linked incidents on the map (numbered by rank), or null when the role may
 * not read incidents. */
export async function linkageLayer(answer) {
  const r = answer.result;
  const ids = [r.case_id, ...(r.links || []).map((l) => l.id)];
  const got = await Promise.all(ids.map((id) => api("GET", `/incidents/${encodeURIComponent(id)}`).then((v) => v.incident).catch((e) => e)));
  if (got.some((x) => x && x.status === 403)) return null;
  const group = L.featureGroup();
  got.forEach((inc, i) => {
    if (!inc || !inc.location) return;
    const label = i === 0 ? t("an_lk_case") : `#${i} · ${fmtNum(r.links[i - 1].probability * 100, 0)}%`;
    L.circleMarker([inc.location.lat, inc.location.lon], {
      radius: i === 0 ? 9 : 7, color: i === 0 ? "#111827" : "#7c2d12", weight: 2, fillColor: i === 0 ? "#facc15" : "#fb923c", fillOpacity: 0.9,
    }).bindTooltip(node(html`${label} · ${inc.id}<br>${fmtTime(inc.times.received_at)}`)).addTo(group);
  });
  return group;
}
