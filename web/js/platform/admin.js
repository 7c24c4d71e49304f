// Administration: accounts, devices and their keys, geography import.
import { api } from "./api.js";
import { t, fmtTime } from "./i18n.js";
import { reloadGeography } from "./map.js";
import { onMapClick } from "./ui.js";
import { html, put, append } from "./dom.js";

export default {
  id: "admin", nav: 80, label: "nav_admin", permission: "manage_users",
  async render(panel) {
    onMapClick(null);
    const meta = await api("GET", "/meta");
    put(panel, html`<h2>${t("admin_title")}</h2>
      <h3>${t("users")}</h3><table><thead><tr><th>${t("username")}</th><th>${t("role")}</th><th>${t("status")}</th><th></th></tr></thead><tbody id="user-rows"></tbody></table>
      <form id="user-form" class="card"><label for="u-name">${t("username")}</label><input id="u-name" required>
        <label for="u-display">${t("display_name")}</label><input id="u-display" required>
        <label for="u-role">${t("role")}</label><select id="u-role">${meta.roles.map((r) => html`<option value="${r}">${t(`role_${r}`)}</option>`)}</select>
        <label for="u-agency">${t("agency")}</label><input id="u-agency">
        <label for="u-pass">${t("password")}</label><input id="u-pass" type="password" required minlength="10">
        <button type="submit">${t("create")}</button><p class="error" role="alert" id="user-error"></p></form>
      <h3>${t("devices")}</h3><table><thead><tr><th>${t("device_id")}</th><th>${t("kind")}</th><th>${t("last_seen")}</th></tr></thead><tbody id="device-rows"></tbody></table>
      <form id="device-form" class="card"><label for="d-id">${t("device_id")}</label><input id="d-id" required>
        <label for="d-kind">${t("kind")}</label><select id="d-kind">${["checkpoint", "camera", "platform", "recorder", "unit"].map((k) => html`<option value="${k}">${t(`kind_${k}`)}</option>`)}</select>
        <label for="d-name">${t("name")}</label><input id="d-name" required>
        <button type="submit">${t("register")}</button><p id="device-out" role="status"></p></form>
      <h3>${t("geography")}</h3><form id="geo-form" class="card"><label for="geo-file">GeoJSON</label><input id="geo-file" type="file" accept=".geojson,.json" required>
        <button type="submit">${t("import")}</button><p id="geo-out" role="status"></p></form>`);
    const loadUsers = async () => {
      const users = await api("GET", "/users");
      const rows = panel.querySelector("#user-rows");
      rows.replaceChildren();
      for (const u of users) {
        const tr = document.createElement("tr");
        put(tr, html`<td>${u.username}<br><span class="muted">${u.display_name}</span></td><td>${t(`role_${u.role}`)}</td>
          <td>${u.disabled ? t("disabled") : t("enabled")}</td><td><button class="secondary">${u.disabled ? t("enable") : t("disable")}</button></td>`);
        tr.querySelector("button").addEventListener("click", async () => {
          await api("POST", `/users/${encodeURIComponent(u.username)}/${u.disabled ? "enable" : "disable"}`);
          loadUsers();
        });
        rows.append(tr);
      }
    };
    const loadDevices = async () => {
      const devices = await api("GET", "/devices");
      put(panel.querySelector("#device-rows"), devices.map((d) =>
        html`<tr><td>${d.id}<br><span class="muted">${d.name}</span></td><td>${t(`kind_${d.kind}`)}</td><td>${d.last_seen_at ? fmtTime(d.last_seen_at) : "—"}</td></tr>`));
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
        put(out, html`${t("key_once")} <code>${issued.api_key}</code>`);
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
};
