// The situation map view: click to locate (town, grid, nearest road); the live event list.
import { api } from "./api.js";
import { t, fmtTime } from "./i18n.js";
import { onEvent } from "./stream.js";
import { onMapClick } from "./ui.js";
import { html, put, append } from "./dom.js";

const recent = [];
onEvent((e) => {
  if (!e.topic) return;
  recent.unshift(e);
  if (recent.length > 100) recent.pop();
  const list = document.getElementById("event-list");
  if (!list) return;
  list.querySelectorAll("li.muted").forEach((li) => li.remove());
  list.prepend(eventItem(e));
  while (list.children.length > 100) list.lastChild.remove();
});

function eventItem(e) {
  const li = document.createElement("li");
  li.textContent = `${fmtTime(e.at)} · ${e.topic} · ${e.kind}`;
  return li;
}

export default {
  id: "map", nav: 10, label: "nav_map", permission: "view_map",
  render(panel) {
    put(panel, html`<h2>${t("map_title")}</h2><p class="muted">${t("map_hint")}</p>
      <div id="locate-result"></div>
      <h3>${t("events_title")}</h3><ul class="events" id="event-list"></ul>`);
    const list = panel.querySelector("#event-list");
    if (recent.length === 0) put(list, html`<li class="muted">${t("no_events")}</li>`);
    recent.forEach((e) => list.append(eventItem(e)));
    onMapClick(async (ev) => {
      const { lat, lng } = ev.latlng;
      const out = panel.querySelector("#locate-result");
      try {
        const loc = await api("GET", `/geography/locate?lon=${lng.toFixed(6)}&lat=${lat.toFixed(6)}`);
        put(out, html`<div class="card"><strong>${t("locate_title")}</strong> ${lng.toFixed(5)}, ${lat.toFixed(5)}
          ${loc.inside_district ? "" : html`<span class="bad">(${t("outside")})</span>`}
          <table><tr><th>${t("town")}</th><td>${loc.town ? loc.town.name : "—"}</td></tr>
          <tr><th>${t("grid")}</th><td>${loc.grid ? loc.grid.name : "—"}</td></tr>
          <tr><th>${t("nearest_road")}</th><td>${loc.nearest_road ? `${loc.nearest_road.name} (${loc.nearest_road.distance_m} m)` : "—"}</td></tr></table></div>`);
      } catch (e) { out.textContent = e.message; }
    });
  },
};
