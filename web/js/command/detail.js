// One incident in the COMMAND view: facts, caller contact (only through a stated purpose),
// lifecycle actions (with the server's refusal or the current state on a conflict), units,
// recommendations and dispatch, cameras, and the timeline with notes.
import { api } from "../platform/api.js";
import { fmtTime, t } from "../platform/i18n.js";
import { askPurpose, problemText } from "../platform/ui.js";
import * as store from "./store.js";
import { renderAssigned, renderRecommendations, renderVideo } from "./dispatch.js";
import {
  actionLabel, actionsFor, fmtAge, isOpen, needsReason, priorityLabel, reasonText, safeUrl,
  sourceLabel, stateLabel, unitStatusLabel,
} from "./strings.js";
import { html, put, append } from "../platform/dom.js";
import { lifecycle } from "../platform/life.js";

const TIME_FIELDS = ["received_at", "dispatched_at", "en_route_at", "on_scene_at", "cleared_at", "closed_at", "cancelled_at", "reopened_at"];
const TIME_STATE = { received_at: "received", dispatched_at: "dispatched", en_route_at: "en_route", on_scene_at: "on_scene", cleared_at: "cleared", closed_at: "closed", cancelled_at: "cancelled", reopened_at: "reopened" };
const ALL_ACTIONS = ["en_route", "on_scene", "clear", "close", "cancel", "reopen"];

function callSign(id) { const u = id && store.units.get(id); return u ? u.call_sign : id || ""; }

function timelineText(e) {
  if (e.kind === "transition") {
    if (!e.action && !e.from_state) return html`<strong>${stateLabel(e.to_state)}</strong>`;
    const head = e.action ? actionLabel(e.action) : stateLabel(e.to_state);
    const move = e.from_state ? `${stateLabel(e.from_state)} → ${stateLabel(e.to_state)}` : stateLabel(e.to_state);
    return html`<strong>${head}</strong> · ${move}${e.unit_id ? ` · ${callSign(e.unit_id)}` : ""}${e.text ? html`<br>${t("cmd_reason")}: ${e.text}` : ""}`;
  }
  if (e.kind === "edit") {
    let parts = [];
    try {
      const d = JSON.parse(e.text || "{}");
      if (d.priority && d.priority[0] !== d.priority[1]) parts.push(`${t("cmd_priority")} P${d.priority[0]} → P${d.priority[1]}`);
      if (d.type && d.type[0] !== d.type[1]) parts.push(`${t("cmd_type")} ${store.typeLabel(d.type[0])} → ${store.typeLabel(d.type[1])}`);
      if (d.description_changed) parts.push(t("cmd_description"));
    } catch { parts = [e.text || ""]; }
    return html`<strong>${t("cmd_kind_edit")}</strong> · ${parts.join("; ")}`;
  }
  const link = e.link && safeUrl(e.link);
  return html`<strong>${t(`cmd_kind_${e.kind}`)}</strong> · ${e.text || ""}${link ? html` <a href="${link}" target="_blank" rel="noopener noreferrer">${e.link}</a>` : ""}`;
}

/** The detail panel of one incident; `ctx` is the view's context. Returns a controller. */
export function openDetail(el, id, ctx) {
  let view = null;
  let alive = true;
  const life = lifecycle();
  let cancelReload = () => {};
  const can = store.can;
  put(el, html`<div class="cmd-detail-head"><h3 id="cmd-detail-title" tabindex="-1"></h3>
      <button type="button" class="secondary" id="cmd-detail-close">${t("cmd_close_detail")}</button></div>
    <p class="muted" aria-busy="true" id="cmd-detail-loading">…</p>
    <div id="cmd-d-facts"></div>
    <div id="cmd-d-contact"></div>
    <div id="cmd-d-problem" role="alert"></div>
    ${can("dispatch") ? html`<div id="cmd-d-actions" class="cmd-block"></div>` : ""}
    <section class="cmd-block" aria-labelledby="cmd-d-units-h"><h4 id="cmd-d-units-h">${t("cmd_units_assigned")}</h4><div id="cmd-d-units"></div></section>
    <section class="cmd-block" id="cmd-d-recs" aria-labelledby="cmd-d-recs-h" hidden><div class="row"><h4 id="cmd-d-recs-h">${t("cmd_recs")}</h4>
      <button type="button" class="secondary" id="cmd-d-recs-refresh">${t("cmd_refresh")}</button></div><div class="cmd-recs-body"></div></section>
    <section class="cmd-block" id="cmd-d-video"></section>
    <section class="cmd-block" aria-labelledby="cmd-d-tl-h"><h4 id="cmd-d-tl-h">${t("cmd_timeline")}</h4><ol class="cmd-tl" id="cmd-d-tl"></ol>
      ${can("dispatch") ? html`<form id="cmd-d-note" class="cmd-note"><fieldset><legend>${t("cmd_add_entry")}</legend>
        <label for="cmd-note-kind">${t("cmd_entry_kind")}</label><select id="cmd-note-kind">
          <option value="note">${t("cmd_kind_note")}</option><option value="action">${t("cmd_kind_action")}</option><option value="attachment">${t("cmd_kind_attachment")}</option></select>
        <label for="cmd-note-text">${t("cmd_entry_text")}</label><textarea id="cmd-note-text" rows="2" maxlength="2000"></textarea>
        <div id="cmd-note-link-row" hidden><label for="cmd-note-link">${t("cmd_entry_link")}</label><input id="cmd-note-link" type="url" maxlength="500" autocomplete="off"></div>
        <button type="submit">${t("cmd_add")}</button><p class="error" role="alert" id="cmd-note-error"></p></fieldset></form>` : ""}
    </section>`);
  const $ = (s) => el.querySelector(s);
  $("#cmd-detail-close").addEventListener("click", () => ctx.select(null));
  $("#cmd-d-recs-refresh").addEventListener("click", () => view && renderRecommendations($("#cmd-d-recs"), view, dispatchUnit));

  function showProblem(e) {
    const box = $("#cmd-d-problem");
    if (!e) { box.replaceChildren(); return; }
    const p = e.problem || {};
    const cur = p.current || {};
    const inc = cur.incident;
    let msg;
    if (p.code === "illegal_transition") {
      msg = html`<strong>${t("cmd_refused")}:</strong> ${reasonText(cur.reason_code, cur.reason) || p.detail}<br><span class="muted">${p.detail || ""}</span>`;
    } else if (p.code === "conflict" || p.code === "unit_assigned") {
      const us = cur.units || (cur.unit ? [cur.unit] : []);
      msg = html`<strong>${t("cmd_conflict")}:</strong> ${p.detail || ""}
        ${inc ? html`<br>${t("cmd_current_state")}: ${stateLabel(inc.state)} · ${t("cmd_version")} ${inc.version}` : ""}
        ${us.length ? html`<br>${t("cmd_current_units")}: ${us.map((u) => `${u.call_sign} (${unitStatusLabel(u.status)}${u.incident_id ? ` → ${u.incident_id}` : ""})`).join(", ")}` : ""}`;
    } else {
      msg = html`<strong>${t("error")}:</strong> ${problemText(e)}`;
    }
    put(box, html`<div class="card cmd-problem">${msg}</div>`);
    if (inc) store.upsertIncident(inc);
  }

  async function transition(body, okText) {
    showProblem(null);
    try {
      const next = await api("POST", `/incidents/${encodeURIComponent(id)}/transitions`, { ...body, expected_version: view.incident.version });
      store.upsertIncident(next.incident);
      view = next;
      render();
      ctx.announce(`${okText}: ${store.typeLabel(next.incident.type)} · ${stateLabel(next.incident.state)}`);
      return true;
    } catch (e) {
      showProblem(e);
      await reload();
      return false;
    }
  }

  function dispatchUnit(rec) {
    return transition({ action: "dispatch", unit_id: rec.unit.id, unit_version: rec.unit.version }, `${t("cmd_dispatched_ok")} ${rec.unit.call_sign}`);
  }

  function renderFacts() {
    const i = view.incident;
    const loc = i.location;
    put($("#cmd-detail-title"), html`<span class="cmd-p cmd-p${i.priority}">P${i.priority}</span> ${store.typeLabel(i.type)}
      <span class="cmd-st cmd-st-${i.state}">${stateLabel(i.state)}</span>`);
    const times = TIME_FIELDS.filter((f) => i.times[f]).map((f) =>
      html`<tr><th scope="row">${stateLabel(TIME_STATE[f])}</th><td>${fmtTime(i.times[f])}${f !== "received_at" ? html` <span class="muted">(+${fmtAge((i.times[f] - i.times.received_at) / 1e6)})</span>` : ""}</td></tr>`);
    put($("#cmd-d-facts"), html`<table class="cmd-facts">
      <tr><th scope="row">${t("cmd_id")}</th><td>${i.id} <span class="muted">${t("cmd_version")} ${i.version}</span></td></tr>
      <tr><th scope="row">${t("cmd_priority")}</th><td>${can("dispatch") ? html`<label for="cmd-d-prio" class="sr-only">${t("cmd_edit_priority")}</label>
        <select id="cmd-d-prio">${[1, 2, 3, 4].map((p) => html`<option value="${p}" ?selected=${p === i.priority}>${priorityLabel(p)}</option>`)}</select>
        <button type="button" class="secondary" id="cmd-d-prio-save">${t("cmd_edit_priority")}</button>` : (priorityLabel(i.priority))}</td></tr>
      <tr><th scope="row">${t("cmd_source")}</th><td>${sourceLabel(i.source)} · ${t("cmd_created_by")} ${i.created_by}</td></tr>
      <tr><th scope="row">${t("cmd_location")}</th><td>${loc.inside_district ? "" : html`<span class="cmd-flag">${t("cmd_outside")}</span> `}${store.townLabel(loc)} ${loc.grid_name || ""}
        ${loc.road_name ? html`<br>${t("cmd_road")}: ${loc.road_name} (${Math.round(loc.road_distance_m)} m)` : ""}
        <br><span class="muted">${loc.lon.toFixed(5)}, ${loc.lat.toFixed(5)}</span>
        <button type="button" class="secondary cmd-small" id="cmd-d-centre">${t("cmd_centre")}</button></td></tr>
      ${i.address ? html`<tr><th scope="row">${t("cmd_address")}</th><td>${i.address}</td></tr>` : ""}
      <tr><th scope="row">${t("cmd_description")}</th><td>${(i.description) || t("cmd_none")}</td></tr></table>
      <table class="cmd-facts"><caption>${t("cmd_times")}</caption>${times}</table>`);
    $("#cmd-d-centre").addEventListener("click", () => ctx.centre(i));
    const save = $("#cmd-d-prio-save");
    if (save) save.addEventListener("click", async () => {
      showProblem(null);
      const priority = Number($("#cmd-d-prio").value);
      try {
        const inc = await api("PATCH", `/incidents/${encodeURIComponent(id)}`, { priority, expected_version: view.incident.version });
        store.upsertIncident(inc);
        ctx.announce(`${t("cmd_saved")}: ${priorityLabel(priority)}`);
      } catch (e) { showProblem(e); }
      await reload();
    });
  }

  function renderContact() {
    const box = $("#cmd-d-contact");
    const i = view.incident;
    if (!i.has_contact) { put(box, html`<p class="muted">${t("cmd_contact_none")}</p>`); return; }
    if (!can("read_personal_data")) { put(box, html`<p class="muted">${t("cmd_contact_need_perm")}</p>`); return; }
    if (box.dataset.shownFor === i.id) return; // keep a contact already revealed
    put(box, html`<button type="button" class="secondary" id="cmd-d-contact-btn">${t("cmd_contact_show")}</button>`);
    $("#cmd-d-contact-btn").addEventListener("click", async () => {
      const p = await askPurpose({ purpose: "incident_response", reference: i.id });
      if (!p) return;
      const q = new URLSearchParams({ purpose: p.purpose });
      if (p.reference) q.set("reference", p.reference);
      try {
        const c = await api("GET", `/incidents/${encodeURIComponent(i.id)}/contact?${q}`);
        box.dataset.shownFor = i.id;
        put(box, html`<table class="cmd-facts"><caption>${t("cmd_contact")}</caption>
          <tr><th scope="row">${t("cmd_contact_name")}</th><td>${(c && c.name) || t("cmd_contact_empty")}</td></tr>
          <tr><th scope="row">${t("cmd_contact_phone")}</th><td>${(c && c.phone) || t("cmd_contact_empty")}</td></tr></table>`);
      } catch (e) {append(box, html`<p class="error" role="alert">${problemText(e)}</p>`); }
    });
  }

  function renderActions() {
    const box = $("#cmd-d-actions");
    if (!box) return;
    const state = view.incident.state;
    const main = actionsFor(state);
    const button = (a, cls) => html`<button type="button" data-action="${a}" class="${cls}">${actionLabel(a)}</button>`;
    put(box, html`<h4>${t("cmd_actions")}</h4><div class="row">${main.map((a) => button(a, a === "cancel" ? "secondary" : ""))}</div>
      <details class="cmd-all-actions"><summary>${t("cmd_actions")} · ${t("cmd_all")}</summary><div class="row">
        ${ALL_ACTIONS.filter((a) => !main.includes(a)).map((a) => button(a, "secondary"))}</div></details>
      <form id="cmd-d-reason" class="cmd-reason" hidden><label for="cmd-d-reason-text"></label>
        <textarea id="cmd-d-reason-text" rows="2" maxlength="500" required></textarea><p class="muted">${t("cmd_reason_hint")}</p>
        <div class="row"><button type="submit">${t("cmd_confirm")}</button><button type="button" class="secondary" id="cmd-d-reason-cancel">${t("cancel")}</button></div></form>`);
    const form = $("#cmd-d-reason");
    let pending = null;
    box.querySelectorAll("button[data-action]").forEach((b) => b.addEventListener("click", async () => {
      const action = b.dataset.action;
      if (needsReason(action)) {
        pending = action;
        form.hidden = false;
        form.querySelector("label").textContent = `${actionLabel(action)} · ${t("cmd_reason")}`;
        $("#cmd-d-reason-text").focus();
        return;
      }
      b.disabled = true;
      await transition({ action }, actionLabel(action));
      b.disabled = false;
    }));
    $("#cmd-d-reason-cancel").addEventListener("click", () => { form.hidden = true; pending = null; });
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const reason = $("#cmd-d-reason-text").value.trim();
      if (!pending || !reason) { $("#cmd-d-reason-text").focus(); return; }
      if (await transition({ action: pending, reason }, actionLabel(pending))) pending = null;
    });
  }

  function renderTimeline() {
    const list = view.timeline || [];
    put($("#cmd-d-tl"), list.map((e) => html`<li class="cmd-tl-${e.kind}"><time>${fmtTime(e.at)}</time>
      <span class="muted">${e.actor}</span><div>${timelineText(e)}</div></li>`));
  }

  function render() {
    if (!alive || !view) return;
    $("#cmd-detail-loading").hidden = true;
    renderFacts();
    renderContact();
    renderActions();
    renderAssigned($("#cmd-d-units"), view);
    renderRecommendations($("#cmd-d-recs"), view, dispatchUnit);
    renderVideo($("#cmd-d-video"), view);
    renderTimeline();
    ctx.viewing(view.incident);
  }

  async function reload() {
    try {
      const next = await api("GET", `/incidents/${encodeURIComponent(id)}`);
      if (!alive) return;
      const changed = !view || next.incident.version !== view.incident.version || next.timeline.length !== view.timeline.length;
      view = next;
      store.upsertIncident(next.incident);
      if (changed) render();
    } catch (e) {
      if (!alive) return;
      $("#cmd-detail-loading").hidden = false;
      $("#cmd-detail-loading").textContent = `${t("error")}: ${problemText(e)}`;
    }
  }

  const note = $("#cmd-d-note");
  if (note) {
    const kind = $("#cmd-note-kind");
    kind.addEventListener("change", () => { $("#cmd-note-link-row").hidden = kind.value !== "attachment"; });
    note.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const err = $("#cmd-note-error");
      err.textContent = "";
      const body = { kind: kind.value };
      const text = $("#cmd-note-text").value.trim();
      if (text) body.text = text;
      if (kind.value === "attachment") body.link = $("#cmd-note-link").value.trim();
      try {
        const timeline = await api("POST", `/incidents/${encodeURIComponent(id)}/timeline`, body);
        $("#cmd-note-text").value = "";
        $("#cmd-note-link").value = "";
        if (view) { view.timeline = timeline; renderTimeline(); }
        ctx.announce(t("cmd_added"));
      } catch (e) { err.textContent = problemText(e); }
    });
  }

  const soon = () => { cancelReload(); cancelReload = life.later(250, reload); };
  life.add(store.onChange((kind, payload) => {
    if (kind === "incident" && payload.incident.id === id && (!view || payload.incident.version !== view.incident.version)) soon();
    else if (kind === "timeline" && payload === id) soon();
    else if (kind === "incidents") soon();
  }));
  // Positions move: refresh the ranking now and then while units may still be sent.
  life.every(30000, () => {
    if (view && acceptsUnitsNow()) renderRecommendations($("#cmd-d-recs"), view, dispatchUnit);
    if (view) renderAssigned($("#cmd-d-units"), view);
  });
  const acceptsUnitsNow = () => isOpen(view.incident.state) && !document.hidden;

  reload().then(() => { if (alive) $("#cmd-detail-title").focus({ preventScroll: false }); });

  return {
    id,
    close() { alive = false; life.dispose(); },
    get incident() { return view && view.incident; },
  };
}
