// The incident queue of the COMMAND view: open incidents by priority then age, filtered by
// status, priority and town, updated live; each row selects its incident.
import { currentLang, fmtTime, t } from "../platform/i18n.js";
import * as store from "./store.js";
import { OPEN_STATES, fmtAge, priorityLabel, stateLabel } from "./strings.js";
import { html, nothing, put } from "../platform/dom.js";
import { lifecycle } from "../platform/life.js";

const filters = { state: "", priority: "", town: "" }; // kept while the page lives

export function renderQueue(el, ctx) {
  const townName = (tw) => (currentLang() === "zh-CN" || !tw.name_en ? tw.name : `${tw.name_en} ${tw.name}`);
  put(el, html`<form class="cmd-filters" aria-label="${t("filter")}">
      <div><label for="cmd-f-state">${t("cmd_state")}</label><select id="cmd-f-state"><option value="">${t("cmd_all_open")}</option>
        ${OPEN_STATES.map((s) => html`<option value="${s}">${stateLabel(s)}</option>`)}</select></div>
      <div><label for="cmd-f-prio">${t("cmd_priority")}</label><select id="cmd-f-prio"><option value="">${t("cmd_all")}</option>
        ${[1, 2, 3, 4].map((p) => html`<option value="${p}">${priorityLabel(p)}</option>`)}</select></div>
      <div><label for="cmd-f-town">${t("cmd_town")}</label><select id="cmd-f-town"><option value="">${t("cmd_all")}</option>
        ${store.towns.map((tw) => html`<option value="${tw.id}">${townName(tw)}</option>`)}
        <option value="-">${t("cmd_outside")}</option></select></div></form>
    <p class="muted" id="cmd-q-count" aria-live="off"></p>
    <div class="cmd-queue-wrap"><table class="cmd-queue"><caption class="sr-only">${t("cmd_tab_queue")}</caption>
      <thead><tr><th scope="col">${t("cmd_priority")}</th><th scope="col">${t("cmd_type")}</th><th scope="col">${t("cmd_town")}</th>
      <th scope="col">${t("cmd_state")}</th><th scope="col">${t("cmd_age")}</th></tr></thead><tbody id="cmd-q-rows"></tbody></table></div>`);
  const $ = (s) => el.querySelector(s);
  $("#cmd-f-state").value = filters.state;
  $("#cmd-f-prio").value = filters.priority;
  $("#cmd-f-town").value = filters.town;
  for (const [sel, key] of [["#cmd-f-state", "state"], ["#cmd-f-prio", "priority"], ["#cmd-f-town", "town"]]) {
    $(sel).addEventListener("change", (ev) => { filters[key] = ev.target.value; draw(); });
  }
  el.querySelector("form").addEventListener("submit", (ev) => ev.preventDefault());

  function matches(i) {
    if (filters.state && i.state !== filters.state) return false;
    if (filters.priority && String(i.priority) !== filters.priority) return false;
    if (filters.town === "-" && i.location.town_id) return false;
    if (filters.town && filters.town !== "-" && i.location.town_id !== filters.town) return false;
    return true;
  }

  function draw() {
    const all = store.openQueue();
    const list = all.filter(matches);
    const body = $("#cmd-q-rows");
    const focused = document.activeElement && body.contains(document.activeElement) ? document.activeElement.dataset.id : null;
    const selected = ctx.selectedId();
    $("#cmd-q-count").textContent = `${list.length} / ${all.length} ${t("cmd_queue_count")}`;
    if (list.length === 0) {
      put(body, html`<tr><td colspan="5" class="muted">${t("cmd_queue_empty")}</td></tr>`);
      return;
    }
    put(body, list.map((i) => {
      const type = store.typeLabel(i.type);
      const town = store.townLabel(i.location) || t("cmd_outside");
      const sel = i.id === selected;
      return html`<tr data-id="${i.id}" class=${sel ? "cmd-row-selected" : nothing} aria-current=${sel ? "true" : nothing}>
        <td><span class="cmd-p cmd-p${i.priority}">P${i.priority}</span></td>
        <td><button type="button" class="cmd-link" data-id="${i.id}"
          aria-label="${`${sel ? t("cmd_selected") : t("cmd_select")}: P${i.priority} ${type}, ${town}, ${stateLabel(i.state)}, ${fmtTime(i.times.received_at)}`}">${type}</button>
          ${i.units.length ? html`<span class="muted">· ${i.units.map((u) => (store.units.get(u) || { call_sign: u }).call_sign).join(", ")}</span>` : ""}</td>
        <td>${town}</td><td><span class="cmd-st cmd-st-${i.state}">${stateLabel(i.state)}</span></td>
        <td data-age="${i.times.received_at}" title="${fmtTime(i.times.received_at)}">${fmtAge(store.incidentAge(i))}</td></tr>`;
    }));
    body.querySelectorAll("tr[data-id]").forEach((tr) => tr.addEventListener("click", () => ctx.select(tr.dataset.id, { focus: true })));
    if (focused) { const b = body.querySelector(`button[data-id="${CSS.escape(focused)}"]`); if (b) b.focus(); }
  }

  function ages() {
    el.querySelectorAll("td[data-age]").forEach((td) => { td.textContent = fmtAge((store.serverNowUs() - Number(td.dataset.age)) / 1e6); });
  }

  draw();
  const life = lifecycle();
  let pending = false;
  const later = () => { if (!pending) { pending = true; life.later(200, () => { pending = false; draw(); }); } };
  life.add(store.onChange((kind) => { if (kind === "incident" || kind === "incidents") later(); }));
  life.every(15000, ages);
  return { redraw: draw, close: life.dispose };
}
