// Recording an incident in the COMMAND view: the location comes from a click on the map (or the
// map's centre, for keyboard use) and is resolved to town, grid and nearest road before saving.
import { api } from "../platform/api.js";
import { addStrings, currentLang, t } from "../platform/i18n.js";
import { getMap } from "../platform/map.js";
import { problemText } from "../platform/ui.js";
import * as store from "./store.js";
import { SOURCES, priorityLabel, sourceLabel } from "./strings.js";
import { html, put, append } from "../platform/dom.js";

addStrings({
  "zh-CN": {
    cmd_use_centre: "使用地图中心位置",
    cmd_lonlat: "经纬度",
    cmd_desc_hint: "最多 2000 字",
    cmd_phone_hint: "3–20 位数字，可含 + - 空格",
  },
  en: {
    cmd_use_centre: "Use the map's centre",
    cmd_lonlat: "Lon, lat",
    cmd_desc_hint: "up to 2,000 characters",
    cmd_phone_hint: "3–20 digits, '+', '-' or spaces",
  },
});

function typeOptions() {
  const zh = currentLang() === "zh-CN";
  const lab = (e) => (zh ? e.label_zh : e.label_en);
  const top = store.types.filter((e) => !e.parent);
  return top.map((e) => {
    const kids = store.types.filter((k) => k.parent === e.code);
    if (kids.length) {
      return html`<optgroup label="${lab(e)}">${kids.filter((k) => k.assignable).map((k) => html`<option value="${k.code}">${lab(k)}</option>`)}</optgroup>`;
    }
    return e.assignable ? html`<option value="${e.code}">${lab(e)}</option>` : "";
  });
}

/** The creation form; returns `{ place(latlng), close() }`. `onCreated(view)` gets the answer. */
export function renderCreate(el, ctx, onCreated) {
  if (!store.can("dispatch")) {
    put(el, html`<p class="muted">${t("cmd_new_no_perm")}</p>`);
    return { place() {}, close() {} };
  }
  let point = null;
  let draft = null;
  put(el, html`<p class="muted">${t("cmd_new_hint")}</p>
    <div class="row"><button type="button" class="secondary" id="cmd-n-centre">${t("cmd_use_centre")}</button></div>
    <div id="cmd-n-loc" class="card" aria-live="polite"><span class="muted">${t("cmd_new_pick")}</span></div>
    <form id="cmd-n-form" novalidate>
      <label for="cmd-n-type">${t("cmd_type")}</label>
      <select id="cmd-n-type" required><option value="">${t("cmd_choose_type")}</option>${typeOptions()}</select>
      <label for="cmd-n-prio">${t("cmd_priority")}</label>
      <select id="cmd-n-prio">${[1, 2, 3, 4].map((p) => html`<option value="${p}" ?selected=${p === 3}>${priorityLabel(p)}</option>`)}</select>
      <label for="cmd-n-source">${t("cmd_source")}</label>
      <select id="cmd-n-source">${SOURCES.map((s) => html`<option value="${s}">${sourceLabel(s)}</option>`)}</select>
      <label for="cmd-n-desc">${t("cmd_description")}</label>
      <textarea id="cmd-n-desc" rows="3" maxlength="2000" aria-describedby="cmd-n-desc-hint"></textarea>
      <span class="muted" id="cmd-n-desc-hint">${t("cmd_desc_hint")}</span>
      <label for="cmd-n-addr">${t("cmd_address")}</label>
      <input id="cmd-n-addr" maxlength="200" autocomplete="off">
      <label for="cmd-n-cname">${t("cmd_caller_name")}</label>
      <input id="cmd-n-cname" maxlength="64" autocomplete="off">
      <label for="cmd-n-cphone">${t("cmd_caller_phone")}</label>
      <input id="cmd-n-cphone" type="tel" maxlength="20" pattern="[0-9+\\- ]{3,20}" autocomplete="off" aria-describedby="cmd-n-phone-hint">
      <span class="muted" id="cmd-n-phone-hint">${t("cmd_phone_hint")}</span>
      <button type="submit" id="cmd-n-submit">${t("cmd_create")}</button>
      <p class="error" role="alert" id="cmd-n-error"></p>
    </form>`);
  const $ = (s) => el.querySelector(s);

  async function place(latlng) {
    point = { lon: Number(latlng.lng.toFixed(6)), lat: Number(latlng.lat.toFixed(6)) };
    const map = getMap();
    if (draft) map.removeLayer(draft);
    draft = L.marker([point.lat, point.lon], {
      icon: L.divIcon({ className: "lv-draft", html: "<span aria-hidden=\"true\">+</span>", iconSize: [26, 26], iconAnchor: [13, 13] }),
      keyboard: false, interactive: false, zIndexOffset: 4000,
    }).addTo(map);
    const box = $("#cmd-n-loc");
    put(box, html`<strong>${t("cmd_lonlat")}</strong> ${point.lon.toFixed(5)}, ${point.lat.toFixed(5)} …`);
    try {
      const loc = await api("GET", `/geography/locate?lon=${point.lon}&lat=${point.lat}`);
      put(box, html`<strong>${t("cmd_lonlat")}</strong> ${point.lon.toFixed(5)}, ${point.lat.toFixed(5)}
        ${loc.inside_district ? "" : html` <span class="cmd-flag">${t("cmd_outside")}</span>`}
        <table class="cmd-facts"><tr><th scope="row">${t("cmd_town")}</th><td>${loc.town ? loc.town.name : t("cmd_none")}</td></tr>
        <tr><th scope="row">${t("cmd_grid")}</th><td>${loc.grid ? loc.grid.name : t("cmd_none")}</td></tr>
        <tr><th scope="row">${t("cmd_road")}</th><td>${loc.nearest_road ? `${loc.nearest_road.name} (${Math.round(loc.nearest_road.distance_m)} m)` : t("cmd_none")}</td></tr></table>`);
    } catch (e) {
append(box, html`<p class="error">${problemText(e)}</p>`);
    }
  }

  $("#cmd-n-centre").addEventListener("click", () => place(getMap().getCenter()));

  $("#cmd-n-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const err = $("#cmd-n-error");
    err.textContent = "";
    if (!point) { err.textContent = t("cmd_new_pick"); $("#cmd-n-centre").focus(); return; }
    const type = $("#cmd-n-type").value;
    if (!type) { err.textContent = t("cmd_choose_type"); $("#cmd-n-type").focus(); return; }
    const phone = $("#cmd-n-cphone").value.trim();
    if (phone && !/^[0-9+\- ]{3,20}$/.test(phone)) { err.textContent = t("cmd_phone_hint"); $("#cmd-n-cphone").focus(); return; }
    const body = {
      type, priority: Number($("#cmd-n-prio").value), source: $("#cmd-n-source").value,
      lon: point.lon, lat: point.lat, description: $("#cmd-n-desc").value.trim(),
    };
    const addr = $("#cmd-n-addr").value.trim();
    if (addr) body.address = addr;
    const name = $("#cmd-n-cname").value.trim();
    if (name || phone) body.caller = { ...(name ? { name } : {}), ...(phone ? { phone } : {}) };
    const submit = $("#cmd-n-submit");
    submit.disabled = true;
    try {
      const view = await api("POST", "/incidents", body);
      store.upsertIncident(view.incident);
      $("#cmd-n-form").reset();
      $("#cmd-n-prio").value = "3";
      point = null;
      if (draft) { getMap().removeLayer(draft); draft = null; }
      put($("#cmd-n-loc"), html`<span class="muted">${t("cmd_new_pick")}</span>`);
      onCreated(view);
    } catch (e) {
      err.textContent = problemText(e);
    } finally {
      submit.disabled = false;
    }
  });

  return {
    place,
    close() { if (draft && getMap()) getMap().removeLayer(draft); draft = null; },
  };
}
