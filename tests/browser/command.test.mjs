// The command centre in a real browser, on the live demo (units move, calls arrive): the live
// incident and unit layers, recording an incident by clicking the map, recommendations and
// dispatch, the timeline, refused transitions, the 409 of a concurrent dispatch, the caller's
// contact behind a purpose, the unit status board, and what a role without `dispatch` sees.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, gotoView, checkA11y, screenshot, uiString, eventually, setLanguage, freeMapPoint, unmarkedChinese } from "./harness.mjs";

const T = { timeout: 120_000 };
let server;
let api;
before(async () => { server = await startServer({ live: true }); api = server.api("operator"); });
after(() => server?.close());

/// Centres the map on a point at a zoom and returns the point's page coordinates.
async function pointOnMap(page, lat, lon, zoom = 15) {
  const pt = await page.evaluate(async ([la, lo, z]) => {
    const { getMap } = await import("/js/platform/map.js");
    const map = getMap();
    await new Promise((r) => { map.once("moveend", r); map.setView([la, lo], z, { animate: false }); });
    const p = map.latLngToContainerPoint([la, lo]);
    return { x: p.x, y: p.y };
  }, [lat, lon, zoom]);
  const box = await page.locator("#map").boundingBox();
  return { x: box.x + pt.x, y: box.y + pt.y };
}

/// A free spot for a new incident: the position of a unit that reports (so help is near).
async function spot() {
  const units = await api.get("/units");
  const u = units.find((x) => x.last_fix && !x.incident_id) || units.find((x) => x.last_fix);
  // Somewhere new each time (a click on an earlier incident's marker would open its popup).
  const r = () => 0.002 + Math.random() * 0.004;
  return { lat: u.last_fix.lat + r(), lon: u.last_fix.lon - r() };
}

/// Records an incident through the form, by a click on the map; returns its id. The click goes to
/// a free spot near a unit (units and incidents move and appear under the live demo, and a click on
/// a marker opens that marker, not the form); if a marker moved under it anyway, it tries again.
async function createByClick(page, { type = "theft.bicycle", priority = "2", phone } = {}) {
  await gotoView(page, "command");
  let where = null;
  for (let attempt = 1; !where; attempt++) {
    const near = await spot();
    const pt = await freeMapPoint(page, await pointOnMap(page, near.lat, near.lon));
    await page.mouse.click(pt.x, pt.y);
    try {
      await page.locator("#cmd-n-loc table").waitFor({ timeout: 5_000 });
      where = await page.evaluate(async ([x, y]) => {
        const { getMap } = await import("/js/platform/map.js");
        const box = document.getElementById("map").getBoundingClientRect();
        const ll = getMap().containerPointToLatLng([x - box.left, y - box.top]);
        return { lat: ll.lat, lon: ll.lng };
      }, [pt.x, pt.y]);
    } catch (e) {
      if (attempt >= 3) throw e;
      await page.keyboard.press("Escape");
    }
  }
  await page.locator("#cmd-n-type").selectOption(type);
  await page.locator("#cmd-n-prio").selectOption(priority);
  await page.locator("#cmd-n-desc").fill("浏览器测试警情");
  if (phone) await page.locator("#cmd-n-cphone").fill(phone);
  await page.locator("#cmd-n-submit").click();
  await page.locator("#cmd-detail:not([hidden]) #cmd-d-facts table").first().waitFor();
  const id = await page.evaluate(() => new URLSearchParams(location.hash.split("?")[1]).get("incident"));
  assert.ok(id, "the new incident is selected");
  return { id, where };
}

test("the live layers: open incidents and moving units, in the layer control", T, async () => {
  const page = await server.page("operator");
  await gotoView(page, "map");
  const labels = await page.locator(".leaflet-control-layers-overlays label").allInnerTexts();
  for (const key of ["cmd_layer_open", "cmd_layer_closed", "cmd_layer_units"]) {
    const name = await uiString(page, key);
    assert.ok(labels.some((l) => l.trim() === name), `layer control lists "${name}": ${labels.join(" | ")}`);
  }
  const withFix = (await api.get("/units")).filter((u) => u.last_fix);
  await eventually(async () => (await page.locator(".leaflet-marker-pane .lv-unit").count()) === withFix.length, "one marker per unit with a position");
  const cs = await page.locator(".leaflet-marker-pane .lv-unit .lv-cs").allInnerTexts();
  assert.ok(withFix.every((u) => cs.includes(u.call_sign)), "call signs are shown");
  // Units move with the stream.
  const first = withFix[0].id;
  const before = await page.evaluate(async (id) => (await import("/js/command/store.js")).units.get(id).last_fix.at, first);
  await eventually(async () => page.evaluate(async ([id, t0]) => (await import("/js/command/store.js")).units.get(id).last_fix.at > t0, [first, before]), "a newer position from the stream");
  const open = await api.get("/incidents");
  await eventually(async () => (await page.locator(".leaflet-marker-pane .lv-inc:not(.lv-closed)").count()) >= open.length, "a marker per open incident");
});

test("create by map click, see recommendations, dispatch, see the timeline; another operator's queue follows", T, async () => {
  const page = await server.page("operator");
  const other = await server.page("operator", { fresh: true });
  await gotoView(other, "command");
  const { id } = await createByClick(page);
  const inc = (await api.get(`/incidents/${id}`)).incident;
  assert.equal(inc.type, "theft.bicycle");
  assert.equal(inc.priority, 2);
  const facts = await page.locator("#cmd-d-facts").innerText();
  if (inc.location.town_name) assert.ok(facts.includes(inc.location.town_name), "resolved town shown");
  // The other operator's queue shows it live, without reloading.
  const row = other.locator(`#cmd-q-rows tr[data-id="${id}"]`);
  await row.waitFor({ timeout: 10_000 });
  assert.ok((await row.innerText()).includes(await uiString(other, "cmd_st_received")));
  // Recommendations with ETA and a dispatch button each.
  const recButtons = page.locator("#cmd-d-recs button[data-rec]");
  await recButtons.first().waitFor();
  const recs = await api.get(`/incidents/${id}/recommendations?limit=8`);
  assert.ok(recs.length > 0, "the API recommends units");
  const firstRow = await page.locator("#cmd-d-recs tbody tr").first().innerText();
  assert.ok(recs.slice(0, 3).some((r) => firstRow.includes(r.unit.call_sign)), `a top unit first: ${firstRow}`);
  await screenshot(page, "command-recommendations");
  await recButtons.first().click();
  await eventually(async () => (await api.get(`/incidents/${id}`)).incident.state === "dispatched", "dispatched on the server");
  const view = await api.get(`/incidents/${id}`);
  const sent = (await api.get("/units")).find((u) => u.id === view.incident.units[0]);
  const tl = page.locator("#cmd-d-tl");
  await eventually(async () => (await tl.innerText()).includes(sent.call_sign), "the dispatch in the timeline");
  assert.ok((await tl.innerText()).includes(await uiString(page, "cmd_ac_dispatch")));
  await eventually(async () => (await row.innerText()).includes(await uiString(other, "cmd_st_dispatched")), "the other queue shows dispatched");
  // The dispatched unit's status changes live on the other operator's unit board too.
  await other.locator("#cmd-tab-units").click();
  const unitRow = other.locator(`#cmd-b-rows tr[data-id="${sent.id}"]`);
  await unitRow.waitFor({ timeout: 10_000 });
  await eventually(async () => (await unitRow.innerText()).includes(await uiString(other, "cmd_us_dispatched")), "the other board shows the unit dispatched");
  await other.locator("#cmd-tab-queue").click();
  // A note.
  await page.locator("#cmd-note-text").fill("已电话回访报警人");
  await page.locator("#cmd-d-note button[type=submit]").click();
  await eventually(async () => (await tl.innerText()).includes("已电话回访报警人"), "the note in the timeline");
  // An illegal transition: the server's reason is shown (from its code, translated), nothing changes.
  await page.locator(".cmd-all-actions summary").click();
  await page.locator('.cmd-all-actions button[data-action="close"]').click();
  const problem = page.locator("#cmd-d-problem .cmd-problem");
  await problem.waitFor();
  const refusal = await problem.innerText();
  assert.ok(refusal.includes(await uiString(page, "cmd_refusal_not_cleared")), `the reason in the UI's language: ${refusal}`);
  assert.ok(refusal.includes("it must be cleared before it is closed"), `and the server's words: ${refusal}`);
  assert.equal((await api.get(`/incidents/${id}`)).incident.state, "dispatched");
  // The lifecycle through to closing; the incident leaves the queue.
  for (const action of ["en_route", "on_scene", "clear", "close"]) {
    await page.locator(`#cmd-d-actions > .row button[data-action="${action}"]`).click();
    await eventually(async () => (await page.locator("#cmd-detail-title").innerText()).includes(await uiString(page, `cmd_st_${action === "clear" ? "cleared" : action === "close" ? "closed" : action}`)), `${action} done`);
  }
  assert.equal((await api.get(`/incidents/${id}`)).incident.state, "closed");
  await eventually(async () => (await other.locator(`#cmd-q-rows tr[data-id="${id}"]`).count()) === 0, "gone from the other queue");
  await checkA11y(page, "command view, incident details", { include: "#panel" });
  await screenshot(page, "command-timeline");
});

test("a concurrent dispatch answers 409 and shows the current state", T, async () => {
  // A second operator whose stream we can hold, so that the screen goes stale on purpose.
  const page = await server.page("operator", { fresh: true });
  let held = false;
  await page.routeWebSocket(/\/api\/v1\/stream/, (ws) => {
    const upstream = ws.connectToServer();
    upstream.onMessage((m) => { if (!held) ws.send(m); });
    ws.onMessage((m) => upstream.send(m));
  });
  await page.reload();
  await gotoView(page, "command");
  const where = await spot();
  const created = await api.post("/incidents", { type: "robbery", source: "phone_110", priority: 1, lon: where.lon, lat: where.lat });
  const id = created.incident.id;
  const row = page.locator(`#cmd-q-rows tr[data-id="${id}"] button`);
  await row.waitFor({ timeout: 10_000 });
  await row.click();
  const firstRec = page.locator("#cmd-d-recs tbody tr").first();
  await firstRec.locator("button[data-rec]").waitFor();
  const shown = await firstRec.innerText();
  const unit = (await api.get("/units")).find((u) => shown.includes(u.call_sign));
  assert.ok(unit, `the first recommended unit is a known unit: ${shown}`);
  held = true;
  await api.post(`/incidents/${id}/transitions`, { action: "dispatch", unit_id: unit.id, expected_version: created.incident.version });
  await firstRec.locator("button[data-rec]").click();
  const problem = page.locator("#cmd-d-problem .cmd-problem");
  await problem.waitFor();
  const text = await problem.innerText();
  held = false;
  assert.ok(text.includes(await uiString(page, "cmd_conflict")), text);
  assert.ok(text.includes(await uiString(page, "cmd_st_dispatched")), `the current state: ${text}`);
  assert.ok(text.includes(unit.call_sign), `the current units: ${text}`);
  const view = await api.get(`/incidents/${id}`);
  assert.deepEqual(view.incident.units, [unit.id], "only the first dispatch happened");
  // The detail catches up with the server's state.
  await eventually(async () => (await page.locator("#cmd-detail-title").innerText()).includes(await uiString(page, "cmd_st_dispatched")), "detail refreshed");
  await screenshot(page, "command-conflict");
  await page.context().close();
});

test("the caller's contact is shown only through a purpose", T, async () => {
  const page = await server.page("operator");
  const { id } = await createByClick(page, { type: "fraud", priority: "3", phone: "13912345678" });
  const facts = await page.locator("#cmd-detail").innerText();
  assert.ok(!facts.includes("13912345678"), "not shown by default");
  await page.locator("#cmd-d-contact-btn").click();
  const dlg = page.locator("dialog.purpose");
  await dlg.waitFor();
  // The dialog suggests responding to this incident; a made-up reference is refused by name.
  assert.equal(await page.locator("#purpose-code").inputValue(), "incident_response");
  assert.equal(await page.locator("#purpose-ref").inputValue(), id);
  await page.locator("#purpose-ref").fill("INC-madeup");
  await dlg.locator("button[type=submit]").click();
  await eventually(async () => (await page.locator("#cmd-d-contact").innerText()).includes("INC-madeup"), "the refusal names the reference");
  assert.ok(!(await page.locator("#cmd-d-contact").innerText()).includes("13912345678"), "no contact for a made-up reference");
  await page.locator("#cmd-d-contact-btn").click();
  await dlg.waitFor();
  await page.locator("#purpose-ref").fill(id);
  await dlg.locator("button[type=submit]").click();
  await eventually(async () => (await page.locator("#cmd-d-contact").innerText()).includes("13912345678"), "the phone after the purpose");
});

test("the unit status board lists every unit and sets a status by hand", T, async () => {
  const page = await server.page("operator");
  await gotoView(page, "command");
  await page.locator("#cmd-tab-units").click();
  const units = await api.get("/units");
  const rows = page.locator("#cmd-b-rows tr");
  await eventually(async () => (await rows.count()) === units.length, "a row per unit");
  const free = units.find((u) => !u.incident_id && u.status === "available");
  const row = page.locator(`#cmd-b-rows tr[data-id="${free.id}"]`);
  await row.locator("select").selectOption("busy");
  await row.locator('button[data-role="set"]').click();
  await eventually(async () => (await api.get(`/units/${free.id}`)).status === "busy", "busy on the server");
  assert.ok((await row.innerText()).includes(await uiString(page, "cmd_us_busy")));
  await row.locator("select").selectOption("available");
  await row.locator('button[data-role="set"]').click();
  await eventually(async () => (await api.get(`/units/${free.id}`)).status === "available", "available again");
  const assigned = (await api.get("/units")).find((u) => u.incident_id);
  if (assigned) assert.ok(await page.locator(`#cmd-b-rows tr[data-id="${assigned.id}"] select`).isDisabled(), "an assigned unit's status comes from its incident");
  await checkA11y(page, "command view, unit board", { include: "#panel" });
});

test("in English, and for a role without dispatch", T, async () => {
  const page = await server.page("operator");
  await gotoView(page, "command");
  await setLanguage(page, "en");
  await page.locator("#cmd-tab-queue", { hasText: "Queue" }).waitFor();
  await checkA11y(page, "command view, English", { include: "#panel" });
  // An incident's details and its map popup: Chinese places, names and words marked as Chinese.
  await page.locator("#cmd-q-rows tr button").first().click();
  await page.locator("#cmd-d-facts table").first().waitFor();
  // (Its marker is under a unit's and the ring when units are on scene: the click goes to it.)
  await page.locator(".leaflet-marker-pane .lv-inc.lv-selected").dispatchEvent("click");
  await page.locator(".leaflet-popup-content").waitFor();
  assert.deepEqual(await unmarkedChinese(page), [], "Chinese data marked lang=zh-CN");
  await page.keyboard.press("Escape");
  await screenshot(page, "command-en");
  await setLanguage(page, "zh-CN");
  const officer = await server.page("officer");
  await gotoView(officer, "command");
  await officer.locator("#cmd-q-rows tr").first().waitFor();
  assert.equal(await officer.locator("#cmd-tab-new").count(), 0, "no recording without dispatch");
  const first = officer.locator("#cmd-q-rows tr button").first();
  if (await first.count()) {
    await first.click();
    await officer.locator("#cmd-d-facts table").first().waitFor();
    assert.equal(await officer.locator("#cmd-d-actions").count(), 0, "no lifecycle actions");
    assert.equal(await officer.locator("#cmd-d-recs button[data-rec]").count(), 0, "no dispatch buttons");
  }
  const grid = await server.page("grid");
  await gotoView(grid, "map");
  assert.ok(!(await grid.locator("#nav").innerText()).includes(await uiString(grid, "nav_command")), "grid workers have no command view");
  assert.equal(await grid.locator(".lv-inc").count(), 0, "no incident layer without read_incidents");
});
