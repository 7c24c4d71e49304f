// The map: pingan's own geography as the basemap (no internet tiles), plus overlays that views
// add and remove (units, incidents, cameras, trajectories…).
import { api } from "./api.js";
import { t, onLangChange } from "./i18n.js";

let map = null;
let control = null;
const base = {};

const STYLES = {
  district: { color: "#12263f", weight: 3, fill: false },
  town: { color: "#3b5b85", weight: 2, fillColor: "#dbe6f3", fillOpacity: 0.55 },
  subdistrict: { color: "#3b5b85", weight: 2, fillColor: "#e6dcf3", fillOpacity: 0.55 },
  grid: { color: "#7d8ea3", weight: 0.7, fill: false, dashArray: "2 3" },
  road: (f) => ({
    color: { arterial: "#c2410c", county: "#d97706", village: "#a8a29e" }[f.properties.road_class] || "#a8a29e",
    weight: { arterial: 4, county: 3, village: 1.5 }[f.properties.road_class] || 1.5,
  }),
  key_road: { color: "#b91c1c", weight: 5, opacity: 0.5 },
  key_place: { color: "#7c3aed", weight: 1.5, fillColor: "#c4b5fd", fillOpacity: 0.5 },
};

/// A feature's name as a text node for its tooltip: Leaflet writes a string tooltip as HTML,
/// and names come from an imported file, so they must never be read as markup.
function label(f) {
  const p = f.properties || {};
  const span = document.createElement("span");
  span.textContent = `${p.name || p.id}${p.name_en ? " · " + p.name_en : ""}`;
  return span;
}

export function getMap() { return map; }

/// Adds (or replaces) an overlay shown in the layer control. `name` is a string key (`t(key)`
/// labels it, again on every language switch) or a plain label.
export function setOverlay(name, layer) {
  if (base[name]) { control.removeLayer(base[name]); map.removeLayer(base[name]); }
  base[name] = layer;
  if (layer) { layer.addTo(map); control.addOverlay(layer, t(name)); }
}

// Relabels the layer control in the new language (keeping which layers are shown).
onLangChange(() => {
  if (!control) return;
  for (const [name, layer] of Object.entries(base)) {
    if (!layer) continue;
    control.removeLayer(layer);
    control.addOverlay(layer, t(name));
  }
});

export async function initMap(element) {
  if (map) return map;
  map = L.map(element, { zoomControl: true, attributionControl: true, preferCanvas: true });
  map.attributionControl.setPrefix("pingan · Leaflet");
  map.setView([35.0, 118.9], 11);
  control = L.control.layers(null, null, { collapsed: true }).addTo(map);
  await reloadGeography();
  return map;
}

const layerData = new Map(); // kind → Promise of its FeatureCollection

/// A geography layer as GeoJSON (`/geography/layers/{kind}`), fetched once and shared by the
/// basemap and the views; fetched again after an import (`reloadGeography`).
export function geographyLayer(kind) {
  if (!layerData.has(kind)) {
    const p = api("GET", `/geography/layers/${kind}`);
    p.catch(() => layerData.delete(kind));
    layerData.set(kind, p);
  }
  return layerData.get(kind);
}

export async function reloadGeography() {
  layerData.clear();
  let bounds = null;
  for (const kind of ["town", "subdistrict", "district", "grid", "key_place", "road", "key_road"]) {
    let data;
    try { data = await geographyLayer(kind); } catch { continue; }
    if (!data || !data.features || data.features.length === 0) continue;
    const style = STYLES[kind];
    const layer = L.geoJSON(data, {
      style: typeof style === "function" ? style : () => style,
      pointToLayer: (f, latlng) => L.circleMarker(latlng, { radius: 5, color: "#7c3aed" }),
      onEachFeature: (f, l) => l.bindTooltip(label(f), { sticky: true }),
      interactive: kind !== "grid" && kind !== "district",
    });
    setOverlay(`layers_${kind}`, layer);
    if (kind === "district" || (kind === "town" && !bounds)) bounds = layer.getBounds();
  }
  if (bounds && bounds.isValid()) map.fitBounds(bounds);
}
