// The COMMAND view: the incident queue with the selected incident's details (dispatch,
// lifecycle, timeline, cameras), the unit status board, and recording an incident by clicking the
// map. Live through the command store (stream topics `incidents` and `units`).
import { t } from "../platform/i18n.js";
import { getMap } from "../platform/map.js";
import { onMapClick } from "../platform/ui.js";
import { focusIncident, focusUnit, highlightIncident } from "./layer.js";
import * as store from "./store.js";
import { isOpen, priorityLabel } from "./strings.js";
import { renderQueue } from "./queue.js";
import { openDetail } from "./detail.js";
import { renderBoard } from "./board.js";
import { renderCreate } from "./create.js";
import { html, put } from "../platform/dom.js";
import { lifecycle } from "../platform/life.js";
import { tabs } from "../platform/tabs.js";


function hashIncident() {
  const q = location.hash.split("?")[1] || "";
  return new URLSearchParams(q).get("incident");
}

export default {
  id: "command", nav: 20, label: "nav_command", permission: "read_incidents",
  async render(panel) {
    panel.classList.add("cmd-wide");
    // This view changes all the time (ages, positions, the queue): only its status line speaks.
    const liveBefore = panel.getAttribute("aria-live");
    panel.setAttribute("aria-live", "off");
    const map = getMap();
    if (map) map.invalidateSize();
    await store.ready();
    const canDispatch = store.can("dispatch");
    // Recording incidents needs the dispatch permission; without it the tab is not offered.
    const TABS = canDispatch ? ["queue", "units", "new"] : ["queue", "units"];
    put(panel, html`<h2>${t("cmd_title")}</h2>
      <p id="cmd-status" class="cmd-status" role="status" aria-live="polite"></p>
      <div role="tablist" class="cmd-tabs" aria-label="${t("cmd_title")}">
        ${TABS.map((k, n) => html`<button type="button" role="tab" id="cmd-tab-${k}" aria-controls="cmd-pane-${k}" aria-selected="${n === 0}" tabindex="${n === 0 ? 0 : -1}">${t(`cmd_tab_${k}`)}<span class="cmd-count" data-count="${k}"></span></button>`)}
      </div>
      <div role="tabpanel" id="cmd-pane-queue" aria-labelledby="cmd-tab-queue" class="cmd-pane"><div id="cmd-queue"></div>
        <section id="cmd-detail" class="cmd-detail" aria-labelledby="cmd-detail-title" hidden></section></div>
      <div role="tabpanel" id="cmd-pane-units" aria-labelledby="cmd-tab-units" class="cmd-pane" hidden></div>
      ${canDispatch ? html`<div role="tabpanel" id="cmd-pane-new" aria-labelledby="cmd-tab-new" class="cmd-pane" hidden></div>` : ""}`);
    const $ = (s) => panel.querySelector(s);
    const life = lifecycle();

    let detail = null;
    let cancelClear = () => {};
    const announce = (text) => {
      const el = $("#cmd-status");
      if (!el) return;
      el.textContent = text;
      cancelClear();
      cancelClear = life.later(15000, () => { el.textContent = ""; });
    };

    const tabBar = tabs($(".cmd-tabs"), TABS, { prefix: "cmd" });
    tabBar.select(TABS[0]);
    const showTab = (name) => tabBar.select(name);

    const ctx = {
      announce,
      selectedId: () => (detail ? detail.id : null),
      centre: (inc) => focusIncident(inc),
      centreUnit: (id) => { if (!focusUnit(id)) announce(t("cmd_no_fix")); },
      viewing: (inc) => highlightIncident(inc),
      select(id, { tab = null } = {}) {
        if (detail) { detail.close(); detail = null; }
        const box = $("#cmd-detail");
        if (!id) {
          box.hidden = true;
          box.replaceChildren();
          highlightIncident(null);
          history.replaceState(null, "", "#/command");
          queue.redraw();
          return;
        }
        if (tab) showTab(tab);
        box.hidden = false;
        const known = store.incidents.get(id);
        if (known) { highlightIncident(known); focusIncident(known); }
        let centred = !!known;
        detail = openDetail(box, id, {
          ...ctx,
          viewing: (inc) => { highlightIncident(inc); if (!centred) { centred = true; focusIncident(inc); } },
        });
        history.replaceState(null, "", `#/command?incident=${encodeURIComponent(id)}`);
        queue.redraw();
      },
    };

    const queue = renderQueue($("#cmd-queue"), ctx);
    const board = renderBoard($("#cmd-pane-units"), ctx);
    const create = canDispatch && renderCreate($("#cmd-pane-new"), ctx, (view) => {
      const i = view.incident;
      announce(`${t("cmd_created")}: ${priorityLabel(i.priority)} ${store.typeLabel(i.type)} (${i.id})`);
      showTab("queue");
      ctx.select(i.id, { focus: true });
    });

    function counts() {
      const open = store.openQueue().length;
      $('[data-count="queue"]').textContent = ` (${open})`;
      $('[data-count="units"]').textContent = ` (${store.units.size})`;
    }
    counts();
    life.add(store.onChange((kind, payload) => {
      if (kind === "incident") {
        const { incident: i, previous } = payload;
        if (!previous && isOpen(i.state)) {
          announce(`${t("cmd_new_incident")}: ${priorityLabel(i.priority)} ${store.typeLabel(i.type)} · ${store.townLabel(i.location) || t("cmd_outside")}`);
        }
      }
      if (kind === "incident" || kind === "incidents" || kind === "units") counts();
    }));

    if (canDispatch) {
      onMapClick((ev) => { showTab("new"); create.place(ev.latlng); });
    }
    const want = hashIncident();
    if (want) ctx.select(want);

    return () => {
      life.dispose();
      if (detail) detail.close();
      queue.close();
      board.close();
      if (create) create.close();
      highlightIncident(null);
      onMapClick(null);
      panel.classList.remove("cmd-wide");
      if (liveBefore === null) panel.removeAttribute("aria-live"); else panel.setAttribute("aria-live", liveBefore);
      if (getMap()) getMap().invalidateSize();
    };
  },
};
