// The live stream in a real browser: the live indicator, events arriving in the map view, and
// the WebSocket coming back on its own after the server restarts on the same port and data.
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
