// The officer's page (我的巡逻), sized for a phone: sign on to the unit, today's stops in order
// with the next one and its road ETA, what the GPS confirmed at each, the tactics used, one
// button per field-log kind, and (for a car without GPS) the phone as the unit's position
// source. Everything lives on the server (duty, visits, logs), so a reload mid-shift shows the
// same day; only "report my position" is remembered on this phone.
import { api } from "../platform/api.js";
import { currentLang, fill, fmtTime, t } from "../platform/i18n.js";
import { getMap } from "../platform/map.js";
import { html, nothing, put } from "../platform/dom.js";
import { lifecycle } from "../platform/life.js";
import { onEvent } from "../platform/stream.js";
import { onMapClick } from "../platform/ui.js";
import { KIND_FIELDS, KINDS, OPTIONS, optionLabel, refusal } from "./strings.js";

const SHARE_KEY = "pingan.patrol.share";
/// The officer's steps on an assignment, and the incident states each follows.
const STEPS = [
  { action: "en_route", from: ["dispatched"] },
  { action: "on_scene", from: ["dispatched", "en_route"] },
  { action: "clear", from: ["on_scene"] },
];
/// Fixes are sent in batches this often (ms); a fix is taken as often as the phone gives one.
const SEND_EVERY = 15000;

function statusBadge(v) {
  return html`<span class="pt-badge pt-${v.status}">${t(`pt_status_${v.status}`)}</span>`;
}

function visitRow(v, i, day, onTactics) {
  const next = day.next === i;
  const stay = v.longest_stay_s > 0 ? fill("pt_stay", { min: Math.floor(v.longest_stay_s / 60) }) : "";
  return html`<li class="pt-visit ${next ? "pt-is-next" : ""}" data-seq="${v.seq}" data-plan="${v.plan_id}">
    <div class="row"><strong>${v.spot_name}</strong>${statusBadge(v)}</div>
    <div class="muted">${fmtTime(v.arrive_at)} – ${fmtTime(v.depart_at).slice(-8)} ${stay}</div>
    ${v.suggested.length ? html`<div class="pt-suggested">${t("pt_suggested")}: ${v.suggested.map((c) => optionLabel("tactic", c)).join("、")}</div>` : nothing}
    <details><summary>${t("pt_tactics")}</summary>
      <fieldset class="pt-tactics"><legend class="sr-only">${t("pt_tactics")}</legend>
        ${[...v.suggested, ...day.tactics.filter((c) => !v.suggested.includes(c))].map((c) => html`<label class="pt-check"><input type="checkbox" value="${c}" ?checked=${v.tactics_used.includes(c)}> ${optionLabel("tactic", c)}</label>`)}
      </fieldset>
      <button type="button" class="pt-big" @click=${(ev) => onTactics(v, ev.target.closest("details"))}>${t("pt_save_tactics")}</button>
    </details></li>`;
}

function logForm(kind, onSave, onCancel) {
  const field = ([name, group]) => {
    const id = `pt-f-${name}`;
    const label = t(`pt_f_${name}`);
    if (group) {
      return html`<label for="${id}">${label}</label>
        <select id="${id}" name="${name}" required>${Object.keys(OPTIONS[group]).map((c) => html`<option value="${c}">${optionLabel(group, c)}</option>`)}</select>`;
    }
    if (name === "parties") return html`<label for="${id}">${label}</label><input id="${id}" name="${name}" type="number" min="2" max="50" value="2" inputmode="numeric" required>`;
    return html`<label for="${id}">${label}</label><input id="${id}" name="${name}" autocomplete="off" maxlength="500" ?required=${name !== "reference" || kind === "case_solved"}>`;
  };
  return html`<form class="pt-log-form" @submit=${(ev) => { ev.preventDefault(); onSave(new FormData(ev.target)); }}>
    <h3>${t(`log_${kind}`)}</h3>
    ${KIND_FIELDS[kind].map(field)}
    <label for="pt-f-note">${t("pt_note")}</label><input id="pt-f-note" name="note" autocomplete="off" maxlength="500">
    <div class="row"><button type="submit" class="pt-big">${t("pt_save")}</button>
      <button type="button" class="secondary pt-big" @click=${onCancel}>${t("cancel")}</button></div></form>`;
}

export default {
  id: "patrol", nav: 4, label: "nav_patrol", permission: "write_patrol_log",
  async render(panel) {
    onMapClick(null);
    const life = lifecycle();
    const mapEl = document.getElementById("map");
    mapEl.hidden = true;
    panel.classList.add("pt-field");
    life.add(() => {
      mapEl.hidden = false;
      panel.classList.remove("pt-field");
      if (getMap()) getMap().invalidateSize();
    });
    let day = null;
    let units = [];
    let openKind = null;
    let message = "";
    let error = "";
    let sharing = localStorage.getItem(SHARE_KEY) === "1";
    let watch = null;
    let pending = [];

    const say = (m, e = "") => { message = m; error = e; draw(); };
    const fail = (e) => say("", refusal(e));

    async function load() {
      try {
        day = await api("GET", "/patrols/me");
        if (!day.duty && !units.length) units = await api("GET", "/units");
        if (!types) types = await api("GET", "/incident-types").catch(() => []);
        const now = day.assignment ? day.assignment.id : null;
        if (knownAssignment !== undefined && now && now !== knownAssignment) alertAssignment();
        knownAssignment = now;
        error = "";
      } catch (e) { error = refusal(e); }
      draw();
    }

    let types = null;
    let knownAssignment;
    const typeLabel = (code) => {
      const e = (types || []).find((x) => x.code === code);
      return e ? (currentLang() === "en" ? e.label_en : e.label_zh) : code;
    };
    /// A new assignment: a tone and a vibration where the browser allows, and the card on top.
    function alertAssignment() {
      try { if (navigator.vibrate) navigator.vibrate([300, 150, 300]); } catch { /* not allowed */ }
      try {
        const audio = new AudioContext();
        const osc = audio.createOscillator();
        osc.frequency.value = 880;
        osc.connect(audio.destination);
        osc.start();
        osc.stop(audio.currentTime + 0.4);
        osc.onended = () => audio.close();
      } catch { /* no sound before the first tap: the card still shows */ }
    }
    async function step(action) {
      try {
        day = await api("POST", "/patrols/me/assignment", { action, expected_version: day.assignment.version });
        knownAssignment = day.assignment ? day.assignment.id : null;
        say(t(`pt_step_${action}_done`));
      } catch (e) { fail(e); }
    }

    async function signOn(ev) {
      ev.preventDefault();
      const unit = panel.querySelector("#pt-unit").value;
      try { day = await api("POST", "/patrols/duty", { unit_id: unit }); say(""); } catch (e) { fail(e); }
    }
    async function signOff() {
      stopSharing();
      try { day = await api("DELETE", "/patrols/duty"); units = await api("GET", "/units"); say(""); } catch (e) { fail(e); }
    }
    async function saveTactics(v, box) {
      const tactics = [...box.querySelectorAll("input:checked")].map((i) => i.value);
      try {
        await api("PUT", "/patrols/me/tactics", { plan_id: v.plan_id, seq: v.seq, tactics });
        say(t("pt_tactics_saved"));
        await load();
      } catch (e) { fail(e); }
    }
    async function saveLog(data) {
      const detail = {};
      for (const [name] of KIND_FIELDS[openKind]) {
        const value = String(data.get(name) || "").trim();
        if (value) detail[name] = name === "parties" ? Number(value) : value;
      }
      const note = String(data.get("note") || "").trim();
      if (note) detail.note = note;
      const body = { kind: openKind, detail };
      const nextVisit = day && day.next != null ? day.visits[day.next] : null;
      if (nextVisit && nextVisit.status !== "planned") { body.plan_id = nextVisit.plan_id; body.visit_seq = nextVisit.seq; }
      const fix = lastFix();
      if (fix) { body.lon = fix.lon; body.lat = fix.lat; }
      try {
        await api("POST", "/patrols/logs", body);
        openKind = null;
        say(t("pt_log_saved"));
        await load();
      } catch (e) { fail(e); }
    }

    function lastFix() {
      if (pending.length) return pending[pending.length - 1];
      const f = day && day.unit && day.unit.last_fix;
      return f ? { lon: f.lon, lat: f.lat } : null;
    }

    async function send() {
      if (!pending.length) return;
      const fixes = pending.splice(0, 500);
      try { await api("POST", "/patrols/me/position", { fixes }); } catch (e) {
        if (e.status >= 500 || !e.status) pending.unshift(...fixes); else fail(e);
      }
    }
    function startSharing() {
      if (!("geolocation" in navigator)) { sharing = false; say("", t("pt_no_geo")); return; }
      watch = navigator.geolocation.watchPosition((p) => {
        const c = p.coords;
        const fix = { at: new Date(p.timestamp).toISOString(), lon: c.longitude, lat: c.latitude };
        if (Number.isFinite(c.accuracy) && c.accuracy > 0) fix.accuracy_m = c.accuracy;
        if (Number.isFinite(c.speed) && c.speed >= 0) fix.speed_kmh = c.speed * 3.6;
        if (Number.isFinite(c.heading) && c.heading >= 0) fix.heading_deg = c.heading;
        pending.push(fix);
      }, (err) => { if (err.code === 1) { stopSharing(); say("", t("pt_geo_denied")); } }, { enableHighAccuracy: true, maximumAge: 5000 });
    }
    function stopSharing() {
      if (watch != null) navigator.geolocation.clearWatch(watch);
      watch = null;
      sharing = false;
      localStorage.setItem(SHARE_KEY, "0");
    }
    function toggleSharing(ev) {
      sharing = ev.target.checked;
      localStorage.setItem(SHARE_KEY, sharing ? "1" : "0");
      if (sharing) startSharing(); else { send(); stopSharing(); }
      draw();
    }
    life.every(SEND_EVERY, send);
    life.add(() => { send(); if (watch != null) navigator.geolocation.clearWatch(watch); });

    function draw() {
      if (!panel.isConnected) return;
      const next = day && day.next != null ? day.visits[day.next] : null;
      put(panel, html`<h2>${t("nav_patrol")}</h2>
        <p role="status" class="ok" id="pt-msg">${message}</p>
        <p role="alert" class="error" id="pt-err">${error}</p>
        ${!day ? nothing : !day.duty ? html`<form id="pt-sign-on" class="pt-card" @submit=${signOn}>
            <p>${t("pt_not_on_duty")}</p>
            <label for="pt-unit">${t("pt_pick_unit")}</label>
            <select id="pt-unit" required>${units.map((u) => html`<option value="${u.id}">${u.call_sign} (${u.id})</option>`)}</select>
            <button type="submit" class="pt-big">${t("pt_sign_on")}</button></form>`
        : html`<section class="pt-card" aria-labelledby="pt-duty-h">
            <h3 id="pt-duty-h">${t("pt_on_duty")}: ${day.unit.call_sign} <span class="muted">${day.duty.unit_id}</span></h3>
            <label class="pt-check"><input id="pt-share" type="checkbox" ?checked=${sharing} @change=${toggleSharing}> ${sharing ? t("pt_sharing") : t("pt_share")}</label>
            <button type="button" class="secondary pt-big" @click=${signOff}>${t("pt_sign_off")}</button></section>
          ${day.assignment ? html`<section class="pt-card pt-assignment" id="pt-assignment" role="region" aria-labelledby="pt-as-h">
            <h3 id="pt-as-h">${t("pt_assignment")}: ${typeLabel(day.assignment.type)}</h3>
            <p>${day.assignment.address || ""} ${day.assignment.description}</p>
            <p class="muted">${day.assignment.id} · ${t(`pt_inc_${day.assignment.state}`)}</p>
            <div class="pt-kinds">${STEPS.filter((a) => a.from.includes(day.assignment.state)).map((a) => html`<button type="button" class="pt-big" data-step="${a.action}" @click=${() => step(a.action)}>${t(`pt_step_${a.action}`)}</button>`)}</div>
          </section>` : nothing}
          <section class="pt-card pt-next" aria-labelledby="pt-next-h"><h3 id="pt-next-h">${t("pt_next")}</h3>
            ${next ? html`<p><strong id="pt-next-name">${next.spot_name}</strong> · ${fmtTime(next.arrive_at)}</p>
              ${day.next_eta_s != null ? html`<p class="muted">${fill("pt_eta", { min: Math.max(1, Math.round(day.next_eta_s / 60)) })}</p>` : nothing}`
              : html`<p class="muted">${day.visits.length ? t("pt_no_next") : t("pt_no_visits")}</p>`}</section>
          <section aria-labelledby="pt-logs-h"><h3 id="pt-logs-h">${t("pt_logs")}</h3>
            ${openKind ? logForm(openKind, saveLog, () => { openKind = null; draw(); })
              : html`<div class="pt-kinds">${KINDS.map((k) => html`<button type="button" class="pt-big" data-kind="${k}" @click=${() => { openKind = k; message = ""; draw(); }}>${t(`log_${k}`)}</button>`)}</div>`}</section>
          <section aria-labelledby="pt-today-h"><h3 id="pt-today-h">${t("pt_today")}</h3>
            ${day.visits.length ? html`<ol class="pt-visits">${day.visits.map((v, i) => visitRow(v, i, day, saveTactics))}</ol>` : html`<p class="muted">${t("pt_no_visits")}</p>`}</section>
          <section aria-labelledby="pt-done-h"><h3 id="pt-done-h">${t("pt_logs_today")} (${day.logs.length})</h3>
            <ul class="pt-loglist">${day.logs.map((l) => html`<li>${fmtTime(l.at).slice(-8)} ${t(`log_${l.kind}`)}${l.corrects ? html` <span class="muted">(${t("pt_corrected")})</span>` : nothing}</li>`)}</ul></section>`}`);
    }

    await load();
    if (sharing && day && day.duty) startSharing();
    // The server confirms visits from positions as they arrive and says so on the stream
    // (`patrol.visit.updated`): look again then, on a dispatch of this unit, and now and then
    // when it moves.
    let lastLoad = 0;
    life.add(onEvent((ev) => {
      if (!day || !day.duty || openKind) return;
      const mine = ev.topic === "units" && ev.data && ev.data.id === day.duty.unit_id;
      const visit = ev.kind === "patrol.visit.updated" && ev.data && ev.data.unit_id === day.duty.unit_id;
      const dispatched = ev.topic === "incidents" && ev.data && Array.isArray(ev.data.units) && ev.data.units.includes(day.duty.unit_id);
      if ((mine && Date.now() - lastLoad > 10000) || visit || dispatched || ev.kind === "patrol.plan.published") { lastLoad = Date.now(); load(); }
    }));
    life.every(60000, load);
    return () => life.dispose();
  },
};
