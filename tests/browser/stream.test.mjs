// The live stream in a real browser: the live indicator, events arriving in the map view, and
// the WebSocket coming back on its own after the server restarts on the same port and data, and
// nothing missed between the first load and the subscription.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, gotoView, uiString, eventually, screenshot } from "./harness.mjs";

let server;
before(async () => { server = await startServer({ live: true }); });
after(() => server?.close());

async function indicator(page) {
  return page.locator("#live").evaluate((el) => ({ text: el.textContent.trim(), on: el.classList.contains("on") }));
}

test("the live indicator shows live and the map view lists live events", { timeout: 90_000 }, async () => {
  const page = await server.page("operator");
  const liveOn = await uiString(page, "live_on");
  await eventually(async () => (await indicator(page)).text === liveOn, `the indicator to read "${liveOn}"`);
  assert.equal((await indicator(page)).on, true);
  assert.equal(await page.locator("#live").getAttribute("role"), "status", "the indicator is announced");
  const panel = await gotoView(page, "map");
  // The live simulation sends plate reads, heartbeats, unit moves and calls through the API:
  // they reach the event list without a reload.
  await eventually(async () => (await panel.locator("#event-list li:not(.muted)").count()) > 0, "a live event in the map view", 60_000, 500);
  const first = await panel.locator("#event-list li:not(.muted)").first().innerText();
  assert.match(first, /\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2}/, `the event shows its time: ${first}`);
  await screenshot(page, "map-live-zh");
});

test("after the server restarts, the stream reconnects on its own", { timeout: 120_000 }, async () => {
  const page = await server.page("operator");
  const liveOn = await uiString(page, "live_on");
  const liveOff = await uiString(page, "live_off");
  await eventually(async () => (await indicator(page)).text === liveOn, "live before the restart");
  await server.stop();
  await eventually(async () => (await indicator(page)).text === liveOff, `the indicator to read "${liveOff}" while the server is down`);
  assert.equal((await indicator(page)).on, false);
  await server.start();
  // The page backs off (1 s, 2 s, 4 s …): give it time, but no reload, no click.
  await eventually(async () => (await indicator(page)).text === liveOn, "the indicator to return to live", 60_000, 250);
  assert.equal((await indicator(page)).on, true);
  // The session survived the restart: the page still works without signing in again.
  const panel = await gotoView(page, "map");
  assert.equal(await page.locator("#login-view").isVisible(), false);
  await panel.locator("h2").first().waitFor();
});

test("an incident recorded before the stream subscribes still reaches the queue", { timeout: 60_000 }, async () => {
  // The page loads its snapshot, then the stream connects; anything recorded in between is in
  // neither. The page must load again once the server says the subscription stands (its hello).
  const api = server.api("operator");
  const page = await server.page("operator", { fresh: true });
  const loaded = page.waitForResponse((r) => r.url().includes("/api/v1/incidents?limit=1000"), { timeout: 30_000 });
  let recorded;
  const created = new Promise((resolve) => { recorded = resolve; });
  await page.routeWebSocket(/\/api\/v1\/stream/, async (ws) => {
    await loaded;
    const unit = (await api.get("/units")).find((u) => u.last_fix);
    recorded(await api.post("/incidents", { type: "robbery", source: "phone_110", priority: 1, lon: unit.last_fix.lon + 0.003, lat: unit.last_fix.lat + 0.003 }));
    const upstream = ws.connectToServer();
    upstream.onMessage((m) => ws.send(m));
    ws.onMessage((m) => upstream.send(m));
  });
  await page.reload();
  await gotoView(page, "command");
  const { incident } = await created;
  await page.locator(`#cmd-q-rows tr[data-id="${incident.id}"]`).waitFor({ timeout: 15_000 });
  await page.context().close();
});
