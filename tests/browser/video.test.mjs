// The video network in a real browser: the cameras layer (clustered when zoomed out), "which
// cameras see this spot" by clicking the map, the coverage figures, and the demo tour's steps.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, gotoView, checkA11y, screenshot, uiString, eventually, setLanguage } from "./harness.mjs";

const T = { timeout: 90_000 };
const STORE = { lon: 118.96657, lat: 35.06273 }; // the Zhuanggang store of the demo's story
let server;
before(async () => { server = await startServer({ live: false }); });
after(() => server?.close());

/// Sets the map view from the page (the Leaflet map of web/js/platform/map.js).
async function setView(page, lat, lon, zoom) {
  await page.evaluate(async ([la, lo, z]) => {
    const { getMap } = await import("/js/platform/map.js");
    const map = getMap();
    await new Promise((r) => { map.once("moveend", r); map.setView([la, lo], z, { animate: false }); });
  }, [lat, lon, zoom]);
}

test("the cameras layer is in the layer control and clusters the whole network", T, async () => {
  const page = await server.page("operator");
  await gotoView(page, "map");
  const name = await uiString(page, "layers_cameras");
  const labels = await page.locator(".leaflet-control-layers-overlays label").allInnerTexts();
  assert.ok(labels.some((l) => l.trim() === name), `layer control lists "${name}": ${labels.join(" | ")}`);
  for (const key of ["layers_camera_views", "layers_checkpoints", "layers_detections"]) {
    const n = await uiString(page, key);
    assert.ok(labels.some((l) => l.trim() === n), `layer control lists "${n}"`);
  }
  const cams = await server.api("operator").get("/video/cameras");
  await setView(page, 35.0, 118.9, 11);
  const clusters = page.locator(".leaflet-marker-pane .vid-cluster");
  await eventually(async () => (await clusters.count()) > 10, "camera clusters on the map");
  const counted = (await clusters.allInnerTexts()).reduce((a, x) => a + Number(x), 0);
  assert.ok(counted > cams.length * 0.8 && counted <= cams.length, `clusters hold ${counted} of ${cams.length} cameras`);
  assert.ok((await clusters.count()) < 400, "clustered: far fewer markers than cameras");
  assert.ok(await clusters.first().getAttribute("aria-label"), "clusters are labelled");
  // Zoomed in, clusters give way to single cameras (canvas) and their view wedges.
  await setView(page, STORE.lat, STORE.lon, 17);
  await eventually(async () => (await clusters.count()) === 0, "no clusters at zoom 17");
  await screenshot(page, "video-layer-zoomed");
});

test("clicking the map lists the cameras that see the spot, nearest first, with links", T, async () => {
  const page = await server.page("operator");
  await gotoView(page, "video");
  await setView(page, STORE.lat, STORE.lon, 18);
  const pt = await page.evaluate(async ([la, lo]) => {
    const { getMap } = await import("/js/platform/map.js");
    const p = getMap().latLngToContainerPoint([la, lo]);
    return { x: p.x, y: p.y };
  }, [STORE.lat, STORE.lon]);
  const box = await page.locator("#map").boundingBox();
  await page.mouse.click(box.x + pt.x, box.y + pt.y);
  const items = page.locator(".vid-seeing li");
  await items.first().waitFor();
  const lon = Number(await page.locator("#vs-lon").inputValue());
  const lat = Number(await page.locator("#vs-lat").inputValue());
  assert.ok(Math.abs(lon - STORE.lon) < 0.0005 && Math.abs(lat - STORE.lat) < 0.0005, `clicked spot ${lon},${lat}`);
  const api = await server.api("operator").get(`/video/seeing?lon=${lon}&lat=${lat}`);
  assert.ok(api.length > 0, "the API lists cameras for the store");
  assert.equal(await items.count(), api.length, "one item per camera");
  const first = await items.first().innerText();
  assert.ok(first.includes(api[0].camera_id), `nearest camera first: ${first}`);
  assert.ok(await items.first().locator("a", { hasText: await uiString(page, "vs_playback") }).getAttribute("href"), "playback link");
  const ids = await items.evaluateAll((lis) => lis.map((li) => li.querySelector(".muted").textContent.split(" ")[0]));
  assert.deepEqual(ids, api.map((c) => c.camera_id), "same order as the API (nearest first)");
  await checkA11y(page, "video view, who sees this spot", { exclude: [".leaflet-container"] });
  await screenshot(page, "video-seeing");
});

test("the coverage figures per town and for the district are shown", T, async () => {
  const page = await server.page("operator");
  await gotoView(page, "video");
  await page.locator("#vid-tab-coverage").click();
  const district = page.locator("#vc-district");
  await district.waitFor();
  const cov = await server.api("operator").get("/video/coverage");
  const share = `${(cov.district.key_road_share * 100).toFixed(1)} %`;
  assert.ok((await district.innerText()).includes(share), `district key road share ${share}`);
  const rows = page.locator("#vc-towns tbody tr");
  assert.equal(await rows.count(), cov.towns.length, "one row per town");
  assert.equal(await page.locator("#vc-sites li").count(), cov.suggestions.length, "suggested sites listed");
  await checkA11y(page, "video view, coverage", { exclude: [".leaflet-container"] });
  await setLanguage(page, "en");
  await page.locator("#vid-tab-coverage").click();
  await page.locator("#vc-district").waitFor();
  assert.ok((await page.locator("#vc-district").innerText()).includes("Key road sections covered"));
  await screenshot(page, "video-coverage-en");
  await setLanguage(page, "zh-CN");
});

test("a tour step takes the operator to the store and the cameras that see it", T, async () => {
  const page = await server.page("operator");
  await gotoView(page, "tour");
  const facts = page.locator("#tour-bike-facts");
  await facts.locator("table").waitFor();
  const inc = await server.api("operator").get("/incidents/inc-story-bike-1");
  assert.ok((await facts.innerText()).includes(inc.incident.description.slice(0, 10)), "facts read from the API");
  await checkA11y(page, "tour", { exclude: [".leaflet-container"] });
  await screenshot(page, "tour");
  await facts.locator("a.button-link").first().click();
  await eventually(async () => (await page.evaluate(() => location.hash)).startsWith("#/video"), "the video view");
  const items = page.locator(".vid-seeing li");
  await items.first().waitFor();
  assert.ok((await page.locator(".vid-seeing").innerText()).includes("cam-0001"), "cam-0001 sees the store");
  // The trajectory step links to the investigation view with the plate filled in.
  await gotoView(page, "tour");
  const href = await page.locator("#tour-dumpster-facts a.button-link", { hasText: "鲁Q440NG" }).getAttribute("href");
  const q = new URLSearchParams(href.split("?")[1]);
  assert.equal(q.get("plate"), "鲁Q440NG");
  assert.equal(q.get("kind"), "trajectory");
});
