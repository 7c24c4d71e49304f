// The unit status board of the COMMAND view: every unit with its status, the age of its last
// position, its incident, and (with the dispatch permission) a hand-set status. Rows are updated
// in place, so the live positions do not disturb a control in use.
import { api } from "../platform/api.js";
import { t } from "../platform/i18n.js";
import { problemText } from "../platform/ui.js";
import * as store from "./store.js";
import { HAND_STATUSES, UNIT_STATUSES, fmtAge, unitKindLabel, unitStatusLabel } from "./strings.js";
import { html, put, append } from "../platform/dom.js";
import { lifecycle } from "../platform/life.js";

export function renderBoard(el, ctx) {
  const canSet = store.can("dispatch");
  put(el, html`<p class="cmd-summary" id="cmd-b-summary"></p>
    <p class="error" role="alert" id="cmd-b-error"></p>
    <table class="cmd-board"><caption class="sr-only">${t("cmd_tab_units")}</caption><thead><tr>
      <th scope="col">${t("cmd_call_sign")}</th><th scope="col">${t("cmd_state")}</th><th scope="col">${t("cmd_position_age")}</th>
      <th scope="col">${t("cmd_incident")}</th>${canSet ? html`<th scope="col">${t("cmd_set_status")}</th>` : ""}</tr></thead>
      <tbody id="cmd-b-rows"></tbody></table>`);
  const body = el.querySelector("#cmd-b-rows");
  const rows = new Map(); // id → { tr, key }

  function makeRow(u) {
    const tr = document.createElement("tr");
    tr.dataset.id = u.id;
    const sid = `cmd-b-st-${u.id}`;
    put(tr, html`<td><button type="button" class="cmd-link" data-role="centre"></button><br><span class="muted" data-role="kind"></span></td>
      <td data-role="status"></td><td data-role="age"></td><td data-role="incident"></td>
      ${canSet ? html`<td><label for="${sid}" class="sr-only"></label><select id="${sid}">${HAND_STATUSES.map((s) =>
      html`<option value="${s}">${unitStatusLabel(s)}</option>`)}</select>
        <button type="button" class="secondary cmd-small" data-role="set">${t("cmd_set")}</button><span class="muted cmd-hint" data-role="hint"></span></td>` : ""}`);
    tr.querySelector('[data-role="centre"]').addEventListener("click", () => ctx.centreUnit(u.id));
    if (canSet) {
      tr.querySelector('[data-role="set"]').addEventListener("click", async (ev) => {
        const unit = store.units.get(u.id);
        const status = tr.querySelector("select").value;
        const err = el.querySelector("#cmd-b-error");
        err.textContent = "";
        ev.target.disabled = true;
        try {
          const next = await api("PUT", `/units/${encodeURIComponent(u.id)}/status`, { status, expected_version: unit.version });
          store.upsertUnit(next);
          ctx.announce(`${t("cmd_status_set")}: ${next.call_sign} · ${unitStatusLabel(next.status)}`);
        } catch (e) {
          const cur = e.problem && e.problem.current;
          if (cur && cur.id) store.upsertUnit(cur);
          err.textContent = `${unit.call_sign}: ${problemText(e)}`;
        }
        ev.target.disabled = false;
        update(store.units.get(u.id), true);
      });
    }
    return tr;
  }

  function update(u, force = false) {
    let row = rows.get(u.id);
    if (!row) { row = { tr: makeRow(u), key: "" }; rows.set(u.id, row); }
    const tr = row.tr;
    const stale = store.unitStale(u);
    const key = `${u.status}|${u.incident_id}|${stale}|${u.call_sign}|${u.version}`;
    put(tr.querySelector('[data-role="age"]'), u.last_fix
      ? `${fmtAge(store.unitAge(u))}${stale ? html` <span class="cmd-flag">${t("cmd_stale")}</span>` : ""}`
      : html`<span class="cmd-flag">${t("cmd_no_fix")}</span>`);
    if (row.key === key && !force) return;
    row.key = key;
    tr.classList.toggle("cmd-row-stale", stale);
    const centre = tr.querySelector('[data-role="centre"]');
    centre.textContent = u.call_sign;
    centre.setAttribute("aria-label", `${t("cmd_centre")}: ${u.call_sign}`);
    centre.disabled = !u.last_fix;
    tr.querySelector('[data-role="kind"]').textContent = `${unitKindLabel(u.kind)} · ${(u.crew || []).join("、")}`;
    put(tr.querySelector('[data-role="status"]'), html`<span class="cmd-us cmd-us-${u.status}">${unitStatusLabel(u.status)}</span>`);
    const incCell = tr.querySelector('[data-role="incident"]');
    if (u.incident_id) {
      const inc = store.incidents.get(u.incident_id);
      put(incCell, store.can("read_incidents")
        ? html`<button type="button" class="cmd-link">${inc ? store.typeLabel(inc.type) : u.incident_id}</button>`
        : (u.incident_id));
      const b = incCell.querySelector("button");
      if (b) {
        b.title = `${t("cmd_select")}: ${u.incident_id}`;
        b.addEventListener("click", () => ctx.select(u.incident_id, { focus: true, tab: "queue" }));
      }
    } else incCell.textContent = t("cmd_none");
    if (canSet) {
      const sel = tr.querySelector("select");
      const assigned = !!u.incident_id;
      tr.querySelector("label").textContent = `${t("cmd_set_status")}: ${u.call_sign}`;
      if (document.activeElement !== sel) sel.value = HAND_STATUSES.includes(u.status) ? u.status : "available";
      sel.disabled = assigned;
      tr.querySelector('[data-role="set"]').disabled = assigned;
      tr.querySelector('[data-role="hint"]').textContent = assigned ? t("cmd_assigned_hint") : "";
    }
  }

  function summary() {
    const counts = {};
    for (const u of store.units.values()) counts[u.status] = (counts[u.status] || 0) + 1;
    const all = [...store.units.values()];
    const noFix = all.filter((u) => !u.last_fix).length;
    const stale = all.filter((u) => u.last_fix && store.unitStale(u)).length;
    put(el.querySelector("#cmd-b-summary"), UNIT_STATUSES.filter((s) => counts[s]).map((s) =>
      html`<span class="cmd-us cmd-us-${s}">${unitStatusLabel(s)} ${counts[s]}</span>`)
      + (stale ? html` <span class="cmd-flag">${t("cmd_stale")} ${stale}</span>` : "")
      + (noFix ? html` <span class="cmd-flag">${t("cmd_no_fix")} ${noFix}</span>` : ""));
  }

  function drawAll() {
    const list = [...store.units.values()].sort((a, b) => a.call_sign.localeCompare(b.call_sign, "zh-CN"));
    for (const [id, row] of rows) if (!store.units.has(id)) { row.tr.remove(); rows.delete(id); }
    list.forEach((u) => update(u));
    // Keep the order without moving a row that holds the focus.
    const want = list.map((u) => rows.get(u.id).tr);
    if (want.some((tr, n) => body.children[n] !== tr)) want.forEach((tr) => body.append(tr));
    summary();
  }

  drawAll();
  const life = lifecycle();
  let sumPending = false;
  life.add(store.onChange((kind, payload) => {
    if (kind === "units") drawAll();
    else if (kind === "unit") {
      if (!rows.has(payload.unit.id)) drawAll(); else update(payload.unit);
      if (!sumPending) { sumPending = true; life.later(500, () => { sumPending = false; summary(); }); }
    } else if (kind === "incident" || kind === "incidents") {
      for (const row of rows.values()) row.key = "";
      drawAll();
    }
  }));
  life.every(5000, () => { for (const u of store.units.values()) update(u); summary(); });
  return { close: life.dispose };
}
