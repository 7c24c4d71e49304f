// Parts of an incident's details that concern sending help: the units assigned, the recommended
// units with their ETA over the road network (straight-line fallbacks flagged) and a dispatch
// button each, the cameras that can see the spot and the checkpoints nearby.
import { api } from "../platform/api.js";
import { t } from "../platform/i18n.js";
import * as store from "./store.js";
import { acceptsUnits, fmtAge, safeUrl, unitStatusLabel } from "./strings.js";
import { html, put } from "../platform/dom.js";

function km(m) { return m == null ? t("cmd_none") : `${(m / 1000).toFixed(m < 10000 ? 2 : 1)} km`; }
function eta(s) { return s == null ? t("cmd_none") : fmtAge(s); }

function positionCell(u) {
  if (!u.last_fix) return html`<span class="cmd-flag">${t("cmd_no_fix")}</span>`;
  const age = fmtAge(store.unitAge(u));
  return store.unitStale(u) ? html`${age} <span class="cmd-flag">${t("cmd_stale")}</span>` : (age);
}

/** The units on the incident now. */
export function renderAssigned(el, view) {
  const list = view.units || [];
  if (list.length === 0) { put(el, html`<p class="muted">${t("cmd_no_units")}</p>`); return; }
  put(el, html`<table><thead><tr><th scope="col">${t("cmd_call_sign")}</th><th scope="col">${t("cmd_state")}</th>
    <th scope="col">${t("cmd_position_age")}</th></tr></thead><tbody>${list.map((v) => {
    const known = store.units.get(v.id);
    const u = known && known.version >= v.version ? { ...v, ...known } : v;
    return html`<tr><td>${u.call_sign}</td><td><span class="cmd-us cmd-us-${u.status}">${unitStatusLabel(u.status)}</span></td>
      <td>${positionCell(u)}</td></tr>`;
  })}</tbody></table>`);
}

/**
 * The recommendation list. `onDispatch(rec)` sends the unit; it is offered only with the
 * dispatch permission and while the incident accepts units.
 */
export async function renderRecommendations(el, view, onDispatch) {
  const inc = view.incident;
  if (!acceptsUnits(inc.state)) { el.replaceChildren(); el.hidden = true; return; }
  el.hidden = false;
  el.setAttribute("aria-busy", "true");
  let recs;
  try {
    recs = await api("GET", `/incidents/${encodeURIComponent(inc.id)}/recommendations?limit=8`);
  } catch (e) {
    el.removeAttribute("aria-busy");
    put(el.querySelector(".cmd-recs-body"), html`<p class="error" role="alert">${e.message}</p>`);
    return;
  }
  el.removeAttribute("aria-busy");
  const body = el.querySelector(".cmd-recs-body");
  if (!body) return;
  if (recs.length === 0) { put(body, html`<p class="muted">${t("cmd_recs_none")}</p>`); return; }
  const canDispatch = store.can("dispatch");
  put(body, html`<table class="cmd-recs"><thead><tr><th scope="col">${t("cmd_call_sign")}</th><th scope="col">${t("cmd_eta")}</th>
    <th scope="col">${t("cmd_road_km")}</th><th scope="col">${t("cmd_straight_km")}</th>${canDispatch ? html`<th scope="col"><span class="sr-only">${t("cmd_dispatch_unit")}</span></th>` : ""}</tr></thead>
    <tbody>${recs.map((r, n) => {
    const u = r.unit;
    const flags = [
      r.off_network ? html`<span class="cmd-flag" title="${t("cmd_straight_fallback_hint")}">${t("cmd_straight_fallback")}</span>` : "",
      store.unitStale(u) ? html`<span class="cmd-flag">${t("cmd_stale")} ${fmtAge(store.unitAge(u))}</span>` : "",
    ].join(" ");
    return html`<tr><td><strong>${u.call_sign}</strong><br><span class="cmd-us cmd-us-${u.status}">${unitStatusLabel(u.status)}</span> ${flags}</td>
      <td>${eta(r.eta_s)}</td><td>${r.off_network ? t("cmd_none") : (km(r.distance_m))}</td><td>${km(r.straight_m)}</td>
      ${canDispatch ? html`<td><button type="button" data-rec="${n}" aria-label="${`${t("cmd_dispatch_unit")} ${u.call_sign}`}">${t("cmd_dispatch_unit")}</button></td>` : ""}</tr>`;
  })}</tbody></table>`);
  body.querySelectorAll("button[data-rec]").forEach((b) => b.addEventListener("click", () => {
    b.disabled = true;
    Promise.resolve(onDispatch(recs[Number(b.dataset.rec)])).finally(() => { b.disabled = false; });
  }));
}

/** Cameras that can see the spot (live and playback links) and checkpoints nearby. */
export function renderVideo(el, view) {
  const cams = view.cameras || [];
  const cps = view.checkpoints || [];
  const FEW = 4;
  const link = (url, text, name) => {
    const u = safeUrl(url);
    return u ? html`<a href="${u}" target="_blank" rel="noopener noreferrer" aria-label="${`${text}: ${name}`}">${text}</a>` : "";
  };
  const camRows = cams.map((c, n) => html`<li ?data-more=${n >= FEW} ?hidden=${n >= FEW}><span>${c.name} <span class="muted">${c.camera_id} · ${Math.round(c.distance_m)} m</span></span>
    <span class="cmd-links">${link(c.live_url, t("cmd_live"), c.name)} ${link(c.playback_url, t("cmd_playback"), c.name)}</span></li>`);
  put(el, html`<h4>${t("cmd_cameras")} (${cams.length})</h4>
    ${cams.length ? html`<ul class="cmd-cams">${camRows}</ul>` : html`<p class="muted">${t("cmd_cameras_none")}</p>`}
    ${cams.length > FEW ? html`<button type="button" class="secondary cmd-more" aria-expanded="false">${t("cmd_show_all")} (${cams.length})</button>` : ""}
    ${cps.length ? html`<h4>${t("cmd_checkpoints")} (${cps.length})</h4><ul class="cmd-cams">${cps.slice(0, 6).map((c) =>
    html`<li><span>${c.name} <span class="muted">${c.checkpoint_id}</span></span><span class="muted">${Math.round(c.distance_m)} m</span></li>`)}</ul>` : ""}`);
  const more = el.querySelector(".cmd-more");
  if (more) more.addEventListener("click", () => {
    const open = more.getAttribute("aria-expanded") !== "true";
    el.querySelectorAll("li[data-more]").forEach((li) => { li.hidden = !open; });
    more.setAttribute("aria-expanded", String(open));
    more.textContent = open ? t("cmd_show_less") : `${t("cmd_show_all")} (${cams.length})`;
  });
}
