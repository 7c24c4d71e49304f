// The patrol plans view (巡逻计划): the shift plans of the coming days; drawing one up (units on
// duty, the shift, the dose: minutes per stop and revisit interval); a plan's quality, its caps
// per area, each unit's stops with why each place is there; publishing or cancelling; the plan
// on the map (spots and each unit's route); and the programme's figures with their CSV.
import { api } from "../platform/api.js";
import { currentLang, fill, fmtNum, fmtTime, t, utcMsToWall, wallToUtcMs } from "../platform/i18n.js";
import { getMap, setOverlay } from "../platform/map.js";
import { html, node, nothing, put, svg } from "../platform/dom.js";
import { lifecycle } from "../platform/life.js";
import { onMapClick } from "../platform/ui.js";
import { refusal } from "./strings.js";

const COLOURS = ["#b91c1c", "#1d4ed8", "#047857", "#a16207", "#7c3aed", "#be185d", "#0f766e", "#4d7c0f"];
const HOUR = 3600 * 1000;

function why(plan, i) {
  const w = plan.why[i];
  const days = plan.selection.history_days;
  if (!w) return "";
  if (w.source === "hot_cell") {
    const conf = { 1: 90, 2: 95, 3: 99 }[w.class] || 90;
    return fill("pt_why_hot", { n: w.incidents, days, z: fmtNum(w.z, 1), conf });
  }
  return fill(w.source === "key_place" ? "pt_why_key" : "pt_why_added", { n: w.incidents, days });
}

function spotName(plan, i) {
  const s = plan.spots[i];
  return s ? (s.name || s.key) : "?";
}

/// The plan's spots and routes on the map.
function drawLayer(plan) {
  if (!getMap() || typeof L === "undefined") return;
  if (!plan) { setOverlay("pt_layer", null); return; }
  const layer = L.layerGroup();
  plan.spots.forEach((s, i) => {
    L.circle([s.lat, s.lon], { radius: s.radius_m, color: "#f59e0b", weight: 2, fillOpacity: 0.15 })
      .bindTooltip(node(html`<strong>${spotName(plan, i)}</strong><br>${why(plan, i)}`))
      .addTo(layer);
  });
  plan.plan.routes.forEach((r, k) => {
    const crew = plan.crews.find((c) => c.unit === r.unit);
    const line = [crew ? [crew.start[1], crew.start[0]] : null, ...r.visits.map((v) => [plan.spots[v.spot].lat, plan.spots[v.spot].lon])].filter(Boolean);
    if (line.length > 1) L.polyline(line, { color: COLOURS[k % COLOURS.length], weight: 3, opacity: 0.85, interactive: false }).addTo(layer);
  });
  setOverlay("pt_layer", layer);
}

function qualityBlock(plan) {
  const q = plan.plan.quality;
  return html`<h4>${t("pt_quality")}</h4><dl class="pt-quality">
    <dt>${t("pt_risk_covered")}</dt><dd id="pt-q-risk">${fmtNum(q.risk_covered * 100, 1)} %</dd>
    <dt>${t("pt_visits")}</dt><dd>${q.visits} · ${t("pt_spots")} ${q.spots_visited}/${plan.spots.length}</dd>
    <dt>${t("pt_minutes_at")}</dt><dd>${fmtNum(q.minutes_at_spots, 0)}</dd>
    <dt>${t("pt_largest_gap")}</dt><dd>${fmtNum(q.largest_gap_min, 0)}</dd>
    <dt>${t("pt_travel_share")}</dt><dd>${fmtNum(q.travel_share * 100, 0)} %</dd>
    <dt>${t("pt_seed")}</dt><dd>${plan.seed}</dd></dl>
    ${plan.selection.left_out.length ? html`<p class="muted">${t("pt_left_out")}: ${plan.selection.left_out.join("、")}</p>` : nothing}
    <h4>${t("pt_caps")}</h4>
    <table><thead><tr><th>${t("pt_area")}</th><th>${t("pt_visits")}</th><th>${t("pt_minutes_at")}</th></tr></thead>
      <tbody>${plan.plan.metering.map((a) => html`<tr><td>${a.area}</td><td>${a.visits} / ${a.max_visits}</td><td>${fmtNum(a.minutes, 0)} / ${a.max_minutes}</td></tr>`)}</tbody></table>`;
}

function routesBlock(plan, onRemove) {
  const visitsOf = {};
  for (const r of plan.plan.routes) for (const v of r.visits) visitsOf[v.spot] = (visitsOf[v.spot] || 0) + 1;
  return plan.plan.routes.map((r) => {
    const seen = {};
    return html`<h4>${t("pt_unit")} ${r.unit}</h4>
      <table class="pt-route" data-unit="${r.unit}"><thead><tr><th>${t("pt_arrive")}</th><th>${t("pt_place")}</th><th>${t("pt_why")}</th>${onRemove ? html`<th><span class="sr-only">${t("pt_remove")}</span></th>` : nothing}</tr></thead>
      <tbody>${r.visits.map((v, i) => {
        seen[v.spot] = (seen[v.spot] || 0) + 1;
        return html`<tr><td class="pt-time">${fmtTime(v.arrive_us).slice(-8, -3)}–${fmtTime(v.depart_us).slice(-8, -3)}</td>
          <td>${spotName(plan, v.spot)}</td><td>${why(plan, v.spot)} · ${fill("pt_visit_of", { i: seen[v.spot], n: visitsOf[v.spot] })}</td>
          ${onRemove ? html`<td><button type="button" class="secondary pt-remove" aria-label="${t("pt_remove")}: ${spotName(plan, v.spot)} ${fmtTime(v.arrive_us).slice(-8, -3)}" @click=${() => onRemove(r.unit, i)}>${t("pt_remove")}</button></td>` : nothing}</tr>`;
      })}</tbody></table>`;
  });
}

/// Survival at `t` minutes on a Kaplan–Meier step curve.
function survivalAt(curve, t) {
  let p = curve[0];
  for (const q of curve) { if (q.t_min <= t) p = q; else break; }
  return p;
}

const AT = [60, 240, 1440];

const CHART_COLOURS = ["#6b7280", "#a16207", "#047857", "#1d4ed8"];

/// The survival curves as a step chart: minutes after leaving (0–24 h, square-root scale so the
/// first hours read) against the share of visits still followed by no incident.
function koperChart(e) {
  const W = 320, H = 160, L = 34, B = 22;
  const maxT = e.horizon_min;
  const x = (tm) => L + (W - L - 6) * Math.sqrt(Math.min(tm, maxT) / maxT);
  const y = (sv) => 6 + (H - B - 6) * (1 - sv);
  const path = (curve) => {
    let d = `M${x(0)},${y(1)}`;
    for (const p of curve.slice(1)) d += ` H${x(p.t_min)} V${y(p.s)}`;
    return d + ` H${x(maxT)}`;
  };
  const ticks = [0, 60, 240, 720, 1440];
  return html`<figure class="pt-chart"><svg viewBox="0 0 ${W} ${H}" role="img" aria-labelledby="pt-chart-cap">
      ${svg`<line x1="${L}" y1="${y(0)}" x2="${W - 6}" y2="${y(0)}" stroke="#9ca3af"/>
      <line x1="${L}" y1="${y(0)}" x2="${L}" y2="${y(1)}" stroke="#9ca3af"/>
      ${[0, 0.5, 1].map((v) => svg`<text x="${L - 4}" y="${y(v) + 4}" text-anchor="end" font-size="10">${Math.round(v * 100)}%</text>`)}
      ${ticks.map((tm) => svg`<text x="${x(tm)}" y="${H - 6}" text-anchor="middle" font-size="10">${tm / 60}h</text>`)}
      ${e.koper.filter((b) => b.visits).map((b, k) => svg`<path d="${path(b.curve)}" fill="none" stroke="${CHART_COLOURS[k % 4]}" stroke-width="2"/>`)}`}
    </svg><figcaption id="pt-chart-cap" class="muted">${t("pt_chart_caption")}
      ${e.koper.filter((b) => b.visits).map((b, k) => html` <span class="pt-key" style="border-color:${CHART_COLOURS[k % 4]}"></span>${b.to_min >= 600 ? fill("pt_band_over", { m: b.from_min }) : fill("pt_band_range", { a: b.from_min, b: b.to_min })}`)}</figcaption></figure>`;
}

function effectBlock(e) {
  const pct = (x) => `${fmtNum(x * 100, 0)} %`;
  const d = e.did;
  return html`<h3>${t("pt_effect")}</h3>
    <p class="muted">${t("pt_koper_hint")}</p>
    ${e.koper.some((b) => b.visits) ? koperChart(e) : nothing}
    <div class="au-table"><table id="pt-koper"><thead><tr><th>${t("pt_band")}</th><th>${t("pt_visits")}</th><th>${t("pt_events")}</th><th>${t("pt_median")}</th>
      ${AT.map((m) => html`<th>${fill("pt_quiet_after", { h: m / 60 })}</th>`)}</tr></thead>
      <tbody>${e.koper.map((b) => html`<tr><td>${b.to_min >= 600 ? fill("pt_band_over", { m: b.from_min }) : fill("pt_band_range", { a: b.from_min, b: b.to_min })}</td>
        <td>${b.visits}</td><td>${b.events}</td><td>${b.median_min == null ? "—" : fmtNum(b.median_min, 0)}</td>
        ${AT.map((m) => { const p = survivalAt(b.curve, m); return html`<td>${b.visits ? html`${pct(p.s)} <span class="muted">(${pct(p.lo)}–${pct(p.hi)})</span>` : "—"}</td>`; })}</tr>`)}</tbody></table></div>
    <h4>${t("pt_did")}</h4>
    <dl class="pt-quality" id="pt-did">
      <dt>${t("pt_treated")}</dt><dd>${d.treated_spots} · ${fmtNum(d.treated_before, 2)} → ${fmtNum(d.treated_after, 2)}</dd>
      <dt>${t("pt_control")}</dt><dd>${d.control_spots} · ${fmtNum(d.control_before, 2)} → ${fmtNum(d.control_after, 2)}</dd>
      <dt>${t("pt_estimate")}</dt><dd>${d.estimate == null ? t("pt_no_estimate") : fmtNum(d.estimate, 3)}</dd></dl>
    <ul class="muted">${e.assumptions.map((a) => html`<li>${t(`pt_assume_${a}`)}</li>`)}</ul>`;
}

export default {
  id: "patrols", nav: 25, label: "nav_patrols", permission: "read_patrols",
  async render(panel) {
    panel.classList.add("cmd-wide");
    onMapClick(null);
    const life = lifecycle();
    const me = await api("GET", "/auth/me");
    const canPlan = me.permissions.includes("plan_patrols");
    let plans = [];
    let selected = null;
    let units = [];
    let figures = null;
    let effect = null;
    let message = "";
    let error = "";
    let busy = false;

    const now = Date.now();
    const startWall = utcMsToWall(Math.ceil(now / HOUR) * HOUR);
    const endWall = utcMsToWall(Math.ceil(now / HOUR) * HOUR + 8 * HOUR);

    async function load() {
      const from = new Date(now - 24 * HOUR).toISOString();
      const to = new Date(now + 3 * 24 * HOUR).toISOString();
      try {
        plans = await api("GET", `/patrols/plans?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`);
        figures = await api("GET", `/patrols/figures?from=${encodeURIComponent(new Date(now - 7 * 24 * HOUR).toISOString())}&to=${encodeURIComponent(to)}`);
        effect = await api("GET", "/patrols/effect");
        if (canPlan && !units.length) units = await api("GET", "/units");
        if (selected) selected = plans.find((p) => p.id === selected.id) || selected;
      } catch (e) { error = refusal(e); }
      draw();
    }

    async function drawUp(ev) {
      ev.preventDefault();
      const f = ev.target;
      const start = wallToUtcMs(f.querySelector("#pt-start").value);
      const end = wallToUtcMs(f.querySelector("#pt-end").value);
      const chosen = [...f.querySelectorAll("input[name=unit]:checked")].map((i) => i.value);
      const body = {
        start: start != null ? new Date(start).toISOString() : "", end: end != null ? new Date(end).toISOString() : "",
        units: chosen, dwell_min: Number(f.querySelector("#pt-dwell").value), revisit_min: Number(f.querySelector("#pt-revisit").value),
        history_days: Number(f.querySelector("#pt-history").value),
        max_hot_cells: Number(f.querySelector("#pt-max").value),
      };
      busy = true; error = ""; message = t("pt_drawing"); draw();
      try {
        selected = await api("POST", "/patrols/plans", body);
        message = "";
        await load();
      } catch (e) { error = refusal(e); message = ""; }
      busy = false;
      draw();
    }
    async function act(kind) {
      try {
        selected = await api("POST", `/patrols/plans/${encodeURIComponent(selected.id)}/${kind}`, { version: selected.version });
        message = t(kind === "publish" ? "pt_published" : "pt_cancelled");
        error = "";
        await load();
      } catch (e) { error = refusal(e); draw(); }
    }

    /// A supervisor's edit: the draft without one stop (the server checks the routes again).
    async function removeStop(unit, index) {
      const routes = selected.plan.routes.map((r) => (r.unit === unit ? { ...r, visits: r.visits.filter((_, i) => i !== index) } : r));
      try {
        selected = await api("PUT", `/patrols/plans/${encodeURIComponent(selected.id)}`, { version: selected.version, routes });
        message = t("pt_edited");
        error = "";
        await load();
      } catch (e) { error = refusal(e); draw(); }
    }

    function draw() {
      if (!panel.isConnected) return;
      drawLayer(selected);
      const csv = `/api/v1/patrols/figures.csv?from=${encodeURIComponent(new Date(now - 7 * 24 * HOUR).toISOString())}&to=${encodeURIComponent(new Date(now + 3 * 24 * HOUR).toISOString())}`;
      put(panel, html`<h2>${t("pt_title")}</h2>
        <p role="status" class="ok" id="pt-msg">${message}</p><p role="alert" class="error" id="pt-err">${error}</p>
        <h3>${t("pt_plans")}</h3>
        ${plans.length ? html`<ul class="pt-plans">${plans.map((p) => html`<li><button type="button" class="secondary" data-plan="${p.id}" aria-pressed="${selected && selected.id === p.id}"
            @click=${() => { selected = p; message = ""; error = ""; draw(); }}>${p.name}</button>
            <span class="pt-badge pt-${p.state}">${t(`pt_state_${p.state}`)}</span> <span class="muted">${fmtTime(p.start_at).slice(0, 16)} – ${fmtTime(p.end_at).slice(-8, -3)}</span></li>`)}</ul>`
          : html`<p class="muted">${t("pt_none")}</p>`}
        ${canPlan ? html`<details ?open=${!plans.length}><summary>${t("pt_new")}</summary>
          <form id="pt-new" @submit=${drawUp}>
            <label for="pt-start">${t("pt_start")}</label><input id="pt-start" type="datetime-local" value="${startWall}" required>
            <label for="pt-end">${t("pt_end")}</label><input id="pt-end" type="datetime-local" value="${endWall}" required>
            <fieldset><legend>${t("pt_units")}</legend>${units.map((u, i) => html`<label class="pt-check"><input type="checkbox" name="unit" value="${u.id}" ?checked=${i < 6}> ${u.call_sign} (${u.id})</label>`)}</fieldset>
            <label for="pt-dwell">${t("pt_dwell")}</label><input id="pt-dwell" type="number" min="5" max="60" value="12">
            <label for="pt-revisit">${t("pt_revisit")}</label><input id="pt-revisit" type="number" min="30" max="480" value="120">
            <label for="pt-history">${t("pt_history")}</label><input id="pt-history" type="number" min="7" max="730" value="90">
            <label for="pt-max">${t("pt_max_cells")}</label><input id="pt-max" type="number" min="1" max="500" value="200">
            <button type="submit" ?disabled=${busy}>${t("pt_draw")}</button></form></details>` : nothing}
        ${selected ? html`<section id="pt-plan" aria-labelledby="pt-plan-h"><h3 id="pt-plan-h">${selected.name}
            <span class="pt-badge pt-${selected.state}">${t(`pt_state_${selected.state}`)}</span></h3>
          ${canPlan && selected.state !== "cancelled" ? html`<div class="row">
            ${selected.state === "draft" ? html`<button type="button" id="pt-publish" @click=${() => act("publish")}>${t("pt_publish")}</button>` : nothing}
            <button type="button" class="secondary" id="pt-cancel" @click=${() => act("cancel")}>${t("pt_cancel_plan")}</button></div>` : nothing}
          ${qualityBlock(selected)}${routesBlock(selected, canPlan && selected.state === "draft" ? removeStop : null)}</section>` : nothing}
        <h3>${t("pt_figures")}</h3>
        ${figures ? html`<div class="au-table"><table id="pt-figures"><thead><tr><th>${t("pt_period")}</th><th>${t("pt_hours")}</th><th>${t("pt_planned")}</th><th>${t("pt_done")}</th><th>${t("pt_partial")}</th><th>${t("pt_missed")}</th><th>${t("pt_minutes_at")}</th><th>${t("log_service")}</th><th>${t("log_mediation")}</th><th>${t("log_stop_check")}</th></tr></thead>
          <tbody>${[...figures.rows, figures.total].map((r) => html`<tr><td>${r.period === "total" ? (currentLang() === "en" ? "Total" : "合计") : r.period}</td><td>${fmtNum(r.patrol_hours, 1)}</td><td>${r.visits_planned}</td><td>${r.visits_done}</td><td>${r.visits_partial}</td><td>${r.visits_missed}</td><td>${fmtNum(r.minutes_at_spots, 0)}</td><td>${r.logs.service || 0}</td><td>${r.logs.mediation || 0}</td><td>${r.logs.stop_check || 0}</td></tr>`)}</tbody></table></div>
          <p><a href="${csv}" download>${t("csv")}</a></p>` : nothing}
        ${effect ? effectBlock(effect) : nothing}`);
    }

    await load();
    life.add(() => { setOverlay("pt_layer", null); panel.classList.remove("cmd-wide"); });
    return () => life.dispose();
  },
};
