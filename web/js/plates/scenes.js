// The multi-scene (碰撞) editor: 2–5 circles drawn on the map, each with its own window. Click
// the map to place the armed scene's centre (or type the coordinates, or centre it on a
// checkpoint from the list: keyboard users need no mouse); the radius input resizes the circle.
import { addStrings, t } from "../platform/i18n.js";
import { getMap } from "../platform/map.js";
import { onMapClick } from "../platform/ui.js";
import { DAY_US, cpName, fill, haversineM, nowMicros, readWindow, windowFields } from "./common.js";
import { html, put, node } from "../platform/dom.js";

addStrings({
  "zh-CN": {
    sc_count: "个区域",
    sc_scene: "区域 {n}",
    sc_place: "在地图上点击放置圆心",
    sc_placing: "请点击地图放置区域 {n} 的圆心",
    sc_placed: "区域 {n} 的圆心已放置",
    sc_lon: "经度",
    sc_lat: "纬度",
    sc_radius: "半径（米，最大 5000）",
    sc_on_cp: "以卡口为圆心",
    sc_choose: "选择卡口…",
    sc_inside: "区域内卡口：{n} 个",
    sc_add: "添加区域",
    sc_remove: "删除此区域",
    sc_need_centre: "区域 {n} 还没有圆心",
    sc_no_cp: "区域 {n} 内没有卡口，请移动圆心或加大半径",
  },
  en: {
    sc_count: "scenes",
    sc_scene: "Scene {n}",
    sc_place: "Click the map to place the centre",
    sc_placing: "Click the map to place the centre of scene {n}",
    sc_placed: "Centre of scene {n} placed",
    sc_lon: "Longitude",
    sc_lat: "Latitude",
    sc_radius: "Radius (m, at most 5,000)",
    sc_on_cp: "Centre on a checkpoint",
    sc_choose: "Choose a checkpoint…",
    sc_inside: "Checkpoints inside: {n}",
    sc_add: "Add a scene",
    sc_remove: "Remove this scene",
    sc_need_centre: "Scene {n} has no centre yet",
    sc_no_cp: "No checkpoint inside scene {n}: move the centre or widen the radius",
  },
});

const COLOURS = ["#b91c1c", "#1d4ed8", "#047857", "#7c3aed", "#b45309"];

export class SceneEditor {
  constructor(root, cps, status, kept) {
    this.root = root;
    this.cps = cps;
    this.status = status;
    const to = Math.ceil(nowMicros() / 6e7) * 6e7;
    this.scenes = kept && kept.length >= 2 ? kept : [this.blank(to), this.blank(to)];
    this.armed = this.scenes.findIndex((s) => s.lat == null);
    this.layer = L.layerGroup().addTo(getMap());
    onMapClick((ev) => this.place(ev.latlng.lat, ev.latlng.lng));
    this.render();
  }

  blank(to) { return { lat: null, lon: null, radius: 1000, from: to - DAY_US, to }; }

  /// Reads the inputs back into the scenes (before a re-render and before building the query).
  sync() {
    this.scenes.forEach((s, i) => {
      const li = this.root.querySelector(`li[data-i="${i}"]`);
      if (!li) return;
      const lon = Number.parseFloat(li.querySelector(`#sc${i}-lon`).value);
      const lat = Number.parseFloat(li.querySelector(`#sc${i}-lat`).value);
      s.lon = Number.isFinite(lon) ? lon : null;
      s.lat = Number.isFinite(lat) ? lat : null;
      s.radius = Number.parseFloat(li.querySelector(`#sc${i}-r`).value) || 0;
      try { Object.assign(s, readWindow(li, `sc${i}`)); } catch { /* kept as it was */ }
    });
  }

  inside(s) {
    if (s.lat == null || s.lon == null) return 0;
    let n = 0;
    for (const b of this.cps.values()) {
      if (b.lat != null && b.lon != null && haversineM([s.lat, s.lon], [b.lat, b.lon]) <= s.radius) n++;
    }
    return n;
  }

  render() {
    const opts = [...this.cps.values()].filter((b) => b.lat != null)
      .map((b) => html`<option value="${b.code}">${cpName(this.cps, b.code)}</option>`);
    put(this.root, html`<p class="muted">${t("qh_multi_scene")}</p><ol class="pl-scenes">${this.scenes.map((s, i) => html`
      <li class="card" data-i="${i}" style="border-left:6px solid ${COLOURS[i]}">
        <h4>${fill("sc_scene", { n: i + 1 })}</h4>
        <button type="button" class="secondary" data-act="arm" aria-pressed="${this.armed === i}">${t("sc_place")}</button>
        <div class="pl-pair"><div><label for="sc${i}-lon">${t("sc_lon")}</label><input id="sc${i}-lon" inputmode="decimal" value="${s.lon ?? ""}"></div>
        <div><label for="sc${i}-lat">${t("sc_lat")}</label><input id="sc${i}-lat" inputmode="decimal" value="${s.lat ?? ""}"></div></div>
        <div><label for="sc${i}-cp">${t("sc_on_cp")}</label><select id="sc${i}-cp"><option value="">${t("sc_choose")}</option>${opts}</select></div>
        <div><label for="sc${i}-r">${t("sc_radius")}</label><input type="number" id="sc${i}-r" min="1" max="5000" step="50" value="${s.radius}"></div>
        ${windowFields(`sc${i}`, s.from, s.to)}
        <p class="muted" data-inside>${fill("sc_inside", { n: this.inside(s) })}</p>
        ${this.scenes.length > 2 ? html`<button type="button" class="secondary" data-act="remove">${t("sc_remove")}</button>` : ""}
      </li>`)}</ol>
      ${this.scenes.length < 5 ? html`<button type="button" class="secondary" data-act="add">${t("sc_add")}</button>` : ""}`);
    this.root.querySelectorAll("li[data-i]").forEach((li) => {
      const i = Number(li.dataset.i);
      li.querySelector('[data-act="arm"]').addEventListener("click", () => this.arm(i));
      const rm = li.querySelector('[data-act="remove"]');
      if (rm) rm.addEventListener("click", () => { this.sync(); this.scenes.splice(i, 1); this.armed = -1; this.render(); });
      li.querySelector(`#sc${i}-cp`).addEventListener("change", (ev) => {
        const b = this.cps.get(Number(ev.target.value));
        if (b) this.place(b.lat, b.lon, i);
      });
      li.querySelectorAll("input").forEach((inp) => inp.addEventListener("change", () => { this.sync(); this.draw(); }));
    });
    const add = this.root.querySelector('[data-act="add"]');
    if (add) add.addEventListener("click", () => {
      this.sync();
      this.scenes.push(this.blank(this.scenes[this.scenes.length - 1].to));
      this.armed = this.scenes.length - 1;
      this.render();
      this.root.querySelector(`li[data-i="${this.armed}"] [data-act="arm"]`).focus();
    });
    this.draw();
  }

  arm(i) {
    this.armed = i;
    this.root.querySelectorAll('[data-act="arm"]').forEach((b, j) => b.setAttribute("aria-pressed", String(j === i)));
    this.status(fill("sc_placing", { n: i + 1 }));
  }

  place(lat, lon, index = this.armed) {
    if (index < 0 || index >= this.scenes.length) return;
    this.sync();
    Object.assign(this.scenes[index], { lat: +lat.toFixed(6), lon: +lon.toFixed(6) });
    const li = this.root.querySelector(`li[data-i="${index}"]`);
    li.querySelector(`#sc${index}-lon`).value = this.scenes[index].lon;
    li.querySelector(`#sc${index}-lat`).value = this.scenes[index].lat;
    this.status(fill("sc_placed", { n: index + 1 }));
    const next = this.scenes.findIndex((s) => s.lat == null);
    if (next >= 0) this.arm(next); else this.arm(-1);
    this.draw();
  }

  draw() {
    this.layer.clearLayers();
    this.scenes.forEach((s, i) => {
      const li = this.root.querySelector(`li[data-i="${i}"]`);
      if (li) li.querySelector("[data-inside]").textContent = fill("sc_inside", { n: this.inside(s) });
      if (s.lat == null || s.lon == null) return;
      L.circle([s.lat, s.lon], { radius: s.radius || 1, color: COLOURS[i], weight: 2, fillOpacity: 0.12, interactive: false })
        .addTo(this.layer);
      L.marker([s.lat, s.lon], {
        keyboard: false, interactive: false,
        icon: L.divIcon({ className: "pl-scene-label", html: node(html`<span style="background:${COLOURS[i]}">${i + 1}</span>`), iconSize: [22, 22] }),
      }).addTo(this.layer);
    });
  }

  /// The scenes of the query; throws a message for a scene without a centre or checkpoint.
  toQuery() {
    this.sync();
    return this.scenes.map((s, i) => {
      if (s.lat == null || s.lon == null) throw new Error(fill("sc_need_centre", { n: i + 1 }));
      if (this.inside(s) === 0) throw new Error(fill("sc_no_cp", { n: i + 1 }));
      return { near: { lon: s.lon, lat: s.lat, radius_m: s.radius }, from: s.from, to: s.to };
    });
  }

  /// Fits the map to the circles (after a run).
  fit() {
    const b = L.latLngBounds([]);
    this.layer.eachLayer((l) => { if (l.getBounds) b.extend(l.getBounds()); });
    if (b.isValid()) getMap().fitBounds(b, { padding: [20, 20] });
  }

  /// Removes the circles; returns the scenes (kept for the next render).
  destroy() {
    this.sync();
    onMapClick(null);
    this.layer.remove();
    return this.scenes;
  }
}
