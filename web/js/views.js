// The views of the side panel. Each names the permission it needs; navigation shows only the
// views the signed-in role may use.
import { api, esc } from "./api.js";
import { t, fmtTime } from "./i18n.js";
import { getMap, reloadGeography } from "./map.js";
import { onEvent } from "./stream.js";

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

let clickHandler = null;
function onMapClick(f) {
  const map = getMap();
  if (clickHandler) map.off("click", clickHandler);
  clickHandler = f;
  if (f) map.on("click", f);
}

export const VIEWS = [
  {
    id: "map", label: "nav_map", permission: "view_map",
    render(panel) {
      panel.innerHTML = `<h2>${t("map_title")}</h2><p class="muted">${t("map_hint")}</p>
        <div id="locate-result"></div>
        <h3>${t("events_title")}</h3><ul class="events" id="event-list"></ul>`;
      const list = panel.querySelector("#event-list");
      if (recent.length === 0) list.innerHTML = `<li class="muted">${t("no_events")}</li>`;
      recent.forEach((e) => list.append(eventItem(e)));
      onMapClick(async (ev) => {
        const { lat, lng } = ev.latlng;
        const out = panel.querySelector("#locate-result");
        try {
          const loc = await api("GET", `/geography/locate?lon=${lng.toFixed(6)}&lat=${lat.toFixed(6)}`);
          out.innerHTML = `<div class="card"><strong>${t("locate_title")}</strong> ${lng.toFixed(5)}, ${lat.toFixed(5)}
            ${loc.inside_district ? "" : `<span class="bad">(${t("outside")})</span>`}
            <table><tr><th>${t("town")}</th><td>${esc(loc.town ? loc.town.name : "—")}</td></tr>
            <tr><th>${t("grid")}</th><td>${esc(loc.grid ? loc.grid.name : "—")}</td></tr>
            <tr><th>${t("nearest_road")}</th><td>${esc(loc.nearest_road ? `${loc.nearest_road.name} (${loc.nearest_road.distance_m} m)` : "—")}</td></tr></table></div>`;
        } catch (e) { out.textContent = e.message; }
      });
    },
  },
  {
    id: "audit", label: "nav_audit", permission: "read_audit",
    async render(panel) {
      onMapClick(null);
      panel.innerHTML = `<h2>${t("audit_title")}</h2>
        <div class="row"><button id="verify">${t("audit_verify")}</button><span id="verify-out" role="status"></span></div>
        <form id="audit-filter" class="row" style="margin-top:.5rem">
          <label for="f-actor">${t("actor")}</label><input id="f-actor" size="10">
          <label for="f-action">${t("action")}</label><input id="f-action" size="10">
          <button type="submit">${t("filter")}</button></form>
        <table><thead><tr><th>#</th><th>${t("time")}</th><th>${t("actor")}</th><th>${t("action")}</th><th>${t("object")}</th><th>${t("outcome")}</th></tr></thead>
        <tbody id="audit-rows"></tbody></table><button id="audit-more" class="secondary" hidden>${t("more")}</button>`;
      let after = null;
      const load = async (reset) => {
        if (reset) { after = null; panel.querySelector("#audit-rows").innerHTML = ""; }
        const q = new URLSearchParams({ limit: "50" });
        const actor = panel.querySelector("#f-actor").value.trim();
        const action = panel.querySelector("#f-action").value.trim();
        if (actor) q.set("actor", actor);
        if (action) q.set("action", action);
        if (after) q.set("after", after);
        const page = await api("GET", `/audit?${q}`);
        const rows = panel.querySelector("#audit-rows");
        for (const e of page.entries) {
          const tr = document.createElement("tr");
          tr.innerHTML = `<td>${e.seq}</td><td>${fmtTime(e.at)}</td><td>${esc(e.actor)}</td><td>${esc(e.action)}</td>
            <td>${esc(e.object_type)} ${esc(e.object_id || "")}</td><td class="${e.outcome === "success" ? "ok" : "bad"}">${esc(e.outcome)}</td>`;
          rows.append(tr);
        }
        after = page.next_after;
        panel.querySelector("#audit-more").hidden = !after;
      };
      panel.querySelector("#audit-filter").addEventListener("submit", (ev) => { ev.preventDefault(); load(true); });
      panel.querySelector("#audit-more").addEventListener("click", () => load(false));
      panel.querySelector("#verify").addEventListener("click", async () => {
        const r = await api("GET", "/audit/verify");
        const out = panel.querySelector("#verify-out");
        out.className = r.ok ? "ok" : "bad";
        out.textContent = r.ok ? `${t("audit_ok")} (${r.entries_checked} ${t("entries")})` : `${t("audit_broken")} #${r.first_broken_seq}: ${r.problem}`;
      });
      await load(true);
    },
  },
  {
    id: "admin", label: "nav_admin", permission: "manage_users",
    async render(panel) {
      onMapClick(null);
      const meta = await api("GET", "/meta");
      panel.innerHTML = `<h2>${t("admin_title")}</h2>
        <h3>${t("users")}</h3><table><thead><tr><th>${t("username")}</th><th>${t("role")}</th><th>${t("status")}</th><th></th></tr></thead><tbody id="user-rows"></tbody></table>
        <form id="user-form" class="card"><label for="u-name">${t("username")}</label><input id="u-name" required>
          <label for="u-display">${t("display_name")}</label><input id="u-display" required>
          <label for="u-role">${t("role")}</label><select id="u-role">${meta.roles.map((r) => `<option>${r}</option>`).join("")}</select>
          <label for="u-agency">${t("agency")}</label><input id="u-agency">
          <label for="u-pass">${t("password")}</label><input id="u-pass" type="password" required minlength="10">
          <button type="submit">${t("create")}</button><p class="error" role="alert" id="user-error"></p></form>
        <h3>${t("devices")}</h3><table><thead><tr><th>${t("device_id")}</th><th>${t("kind")}</th><th>${t("last_seen")}</th></tr></thead><tbody id="device-rows"></tbody></table>
        <form id="device-form" class="card"><label for="d-id">${t("device_id")}</label><input id="d-id" required>
          <label for="d-kind">${t("kind")}</label><select id="d-kind">${["checkpoint", "camera", "platform", "recorder", "unit"].map((k) => `<option>${k}</option>`).join("")}</select>
          <label for="d-name">${t("name")}</label><input id="d-name" required>
          <button type="submit">${t("register")}</button><p id="device-out" role="status"></p></form>
        <h3>${t("geography")}</h3><form id="geo-form" class="card"><label for="geo-file">GeoJSON</label><input id="geo-file" type="file" accept=".geojson,.json" required>
          <button type="submit">${t("import")}</button><p id="geo-out" role="status"></p></form>`;
      const loadUsers = async () => {
        const users = await api("GET", "/users");
        const rows = panel.querySelector("#user-rows");
        rows.innerHTML = "";
        for (const u of users) {
          const tr = document.createElement("tr");
          tr.innerHTML = `<td>${esc(u.username)}<br><span class="muted">${esc(u.display_name)}</span></td><td>${esc(u.role)}</td>
            <td>${u.disabled ? t("disabled") : t("enabled")}</td><td><button class="secondary">${u.disabled ? t("enable") : t("disable")}</button></td>`;
          tr.querySelector("button").addEventListener("click", async () => {
            await api("POST", `/users/${encodeURIComponent(u.username)}/${u.disabled ? "enable" : "disable"}`);
            loadUsers();
          });
          rows.append(tr);
        }
      };
      const loadDevices = async () => {
        const devices = await api("GET", "/devices");
        panel.querySelector("#device-rows").innerHTML = devices.map((d) =>
          `<tr><td>${esc(d.id)}<br><span class="muted">${esc(d.name)}</span></td><td>${esc(d.kind)}</td><td>${d.last_seen_at ? fmtTime(d.last_seen_at) : "—"}</td></tr>`).join("");
      };
      panel.querySelector("#user-form").addEventListener("submit", async (ev) => {
        ev.preventDefault();
        const err = panel.querySelector("#user-error");
        err.textContent = "";
        try {
          const agency = panel.querySelector("#u-agency").value.trim();
          await api("POST", "/users", {
            username: panel.querySelector("#u-name").value.trim(),
            display_name: panel.querySelector("#u-display").value.trim(),
            role: panel.querySelector("#u-role").value,
            agency: agency || null,
            password: panel.querySelector("#u-pass").value,
          });
          ev.target.reset();
          loadUsers();
        } catch (e) { err.textContent = e.message; }
      });
      panel.querySelector("#device-form").addEventListener("submit", async (ev) => {
        ev.preventDefault();
        const out = panel.querySelector("#device-out");
        try {
          const issued = await api("POST", "/devices", {
            id: panel.querySelector("#d-id").value.trim(), kind: panel.querySelector("#d-kind").value,
            name: panel.querySelector("#d-name").value.trim(),
          });
          out.className = "";
          out.innerHTML = `${t("key_once")} <code>${esc(issued.api_key)}</code>`;
          loadDevices();
        } catch (e) { out.className = "error"; out.textContent = e.message; }
      });
      panel.querySelector("#geo-form").addEventListener("submit", async (ev) => {
        ev.preventDefault();
        const out = panel.querySelector("#geo-out");
        const file = panel.querySelector("#geo-file").files[0];
        try {
          const report = await api("PUT", "/geography", await file.text(), { raw: true, contentType: "application/geo+json" });
          out.className = "ok";
          out.textContent = `${t("imported")}: ${report.features}`;
          reloadGeography();
        } catch (e) {
          out.className = "error";
          const errs = (e.problem && e.problem.errors) || [];
          out.textContent = errs.length ? errs.slice(0, 5).map((x) => x.message).join("; ") : e.message;
        }
      });
      await Promise.all([loadUsers(), loadDevices()]);
    },
  },
];
