// Plate reads in a real browser: the investigation view (purpose dialog, the trajectory of the
// dumpster story's truck through the second-person approval of an old window, CSV export,
// co-travel) and the watch-list view (create, four-eyes approval by the other account, cancel;
// a live alert for the stolen car with the top-bar counter and acknowledgement).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { startServer, gotoView, checkA11y, screenshot, uiString, eventually } from "./harness.mjs";

const T = { timeout: 120_000 };
const PURPOSE = { code: "criminal_investigation", reference: "CASE-2026-0408" };
let server;
// The live run at 60× puts the stolen car at its checkpoint about 10 s after the start.
before(async () => { server = await startServer({ live: true, speed: 60 }); });
after(() => server?.close());

/// The story's facts from the demo's banner in the server log.
function story() {
  const log = readFileSync(server.log, "utf8");
  const dump = /Dumpster stolen on .*?, (\d{4}-\d{2}-\d{2}) (\d{2}):(\d{2}): .*?its plate (\S+) passed (\d+) checkpoints/.exec(log);
  const co = /Co-travel: (\S+) is followed by (\S+) /.exec(log);
  const car = /Stolen car (\S+) is on the watch-list; it passes (\S+) /.exec(log);
  assert.ok(dump && co && car, "the demo's banner names the stories");
  return {
    day: dump[1], hour: Number(dump[2]), plate: dump[4], passes: Number(dump[5]),
    leader: co[1], follower: co[2], stolenCar: car[1], stolenAt: car[2],
  };
}

/// "YYYY-MM-DDTHH:MM" on the district's wall clock (UTC+8, no daylight saving) of an instant in
/// UTC microseconds.
function districtInput(micros) {
  return new Date(micros / 1000 + 8 * 3600e3).toISOString().slice(0, 16);
}

async function answerPurpose(page) {
  const dlg = page.locator("dialog.purpose");
  await dlg.waitFor();
  await dlg.locator("#purpose-code").selectOption(PURPOSE.code);
  await dlg.locator("#purpose-ref").fill(PURPOSE.reference);
  await dlg.locator("button[type=submit]").click();
  await dlg.waitFor({ state: "detached" });
}

test("investigator: purpose first, then the truck's trajectory (old window, approved by the operator) shows its checkpoint passes on the map", T, async () => {
  const s = story();
  const page = await server.page("investigator");
  await gotoView(page, "investigate");
  await page.locator("#inv-kind").selectOption("trajectory");
  await page.locator("#q-plate").fill(s.plate);
  const pad = (n) => String(n).padStart(2, "0");
  await page.locator("#q-from").fill(`${s.day}T${pad(Math.max(0, s.hour - 2))}:00`);
  await page.locator("#q-to").fill(`${s.day}T${pad(Math.min(23, s.hour + 4))}:00`);
  await page.locator("#inv-run").click();
  // The purpose dialog comes first; nothing is asked of the server before it is answered.
  await answerPurpose(page);
  // The story is weeks old: the server refuses without a second person's approval.
  const ask = page.locator("#inv-ask");
  await ask.waitFor();
  await checkA11y(page, "investigation: approval needed", { exclude: [".leaflet-container"] });
  await ask.click();
  const idCell = page.locator("#inv-mine code").first();
  await idCell.waitFor();
  const id = (await idCell.innerText()).trim();
  assert.match(id, /^qa-[0-9a-f]+$/);
  // Running before the approval is refused as pending.
  await page.locator("#inv-mine [data-run]").first().click();
  await eventually(async () => /pending/.test(await page.locator("#inv-status").innerText()), "the run refused as pending");

  // The operator approves it by its number (the API cannot list requests).
  const op = await server.page("operator");
  await gotoView(op, "watchlist");
  await op.locator("#ap-id").fill(id);
  await op.locator("#ap-decide button[type=submit]").click();
  await eventually(async () => (await op.locator("#wl-status").innerText()).includes(id), "the operator's decision");
  assert.ok((await op.locator("#wl-status").innerText()).includes(await uiString(op, "ap_s_approved")));

  // The requester runs it once: numbered passes on the map, one row each.
  await page.locator("#inv-mine [data-run]").first().click();
  const passes = page.locator(".leaflet-marker-pane .pl-pass");
  await eventually(async () => (await passes.count()) === s.passes, `${s.passes} numbered passes on the map`);
  assert.equal(s.passes, 8, "the story's truck passed 8 checkpoints");
  assert.deepEqual((await passes.allInnerTexts()).map(Number), [1, 2, 3, 4, 5, 6, 7, 8]);
  assert.equal(await page.locator("#inv-rows tbody tr").count(), 8);
  const api = await server.api("investigator").get("/plates/checkpoints");
  const names = await page.locator("#inv-rows tbody tr td:nth-child(4)").allInnerTexts();
  assert.ok(names.every((n) => api.some((b) => n.includes(b.checkpoint_id))), `checkpoint names: ${names.join(" | ")}`);
  // Used once: a second run is refused.
  assert.equal(await page.locator("#inv-mine [data-run]").count(), 0, "a used approval offers no second run");
  await checkA11y(page, "investigation: trajectory", { exclude: [".leaflet-container"] });
  await screenshot(page, "plates-trajectory");

  // CSV export downloads the same 8 passes.
  const [download] = await Promise.all([page.waitForEvent("download"), page.locator("#inv-csv").click()]);
  assert.match(download.suggestedFilename(), /^pingan-trajectory-.*\.csv$/);
  const csv = readFileSync(await download.path(), "utf8").replace(/^\ufeff/, "").trim().split(/\r\n/);
  assert.equal(csv.length, 9, "header and 8 rows");
  assert.ok(csv[0].startsWith("pass,read_id,plate,time"));
  assert.ok(csv.slice(1).every((l) => l.includes(s.plate)));

  // Evidence: the ticked reads go into the case of the purpose.
  await page.locator("#inv-evidence").click();
  await eventually(async () => (await page.locator("#inv-status").innerText()).includes(PURPOSE.reference), "evidence copied");
  const ev = await server.api("investigator").get(`/plates/evidence?purpose=${PURPOSE.code}&reference=${PURPOSE.reference}`);
  assert.equal(ev.reads.length, 8);
});

test("co-travel of the story's leader lists its follower", T, async () => {
  const s = story();
  const page = await server.page("investigator");
  await gotoView(page, "investigate");
  await page.locator("#inv-kind").selectOption("co_travel");
  await page.locator("#q-plate").fill(s.leader);
  // The window is the story's own: its first and last joint pass from the demo's record, padded
  // by ten minutes (the passes lie in the six days before today, inside the no-approval window),
  // so the answer does not depend on the day or the hour the test runs.
  const tour = await server.api("investigator").get("/demo/tour");
  const at = tour.stories.co_travel.passes.map((p) => p.leader_at);
  await page.locator("#q-from").fill(districtInput(Math.min(...at) - 600e6));
  await page.locator("#q-to").fill(districtInput(Math.max(...at) + 600e6));
  await page.locator("#q-minocc").fill("3");
  await page.locator("#inv-run").click();
  await answerPurpose(page);
  const first = page.locator("#inv-rows tbody tr").first();
  await first.waitFor();
  assert.ok((await first.innerText()).includes(s.follower), `the follower ${s.follower} is listed`);
  await eventually(async () => (await page.locator(".leaflet-marker-pane .pl-count-marker").count()) > 0, "joint passes on the map");
});

test("watch-list: create, own approval explained and refused, approval by the other account, cancel", T, async () => {
  const inv = await server.page("investigator");
  await gotoView(inv, "watchlist");
  await inv.locator("#wl-target").fill("鲁Q?8K21");
  await inv.locator("#wl-reason").selectOption("hit_and_run");
  await inv.locator("#wl-create button[type=submit]").click();
  await answerPurpose(inv);
  const created = await eventually(async () => /(\d{3,})/.exec(await inv.locator("#wl-status").innerText()), "the new entry's number");
  const id = created[1];
  const row = inv.locator("#wl-entries tr", { hasText: `#${id}` });
  await row.waitFor();
  assert.ok((await row.innerText()).includes(await uiString(inv, "wl_s_pending")));
  assert.ok((await row.innerText()).includes(await uiString(inv, "wl_own")), "why the creator cannot approve");
  assert.equal(await row.locator("[data-approve]").count(), 0, "no approve button for one's own entry");
  // The server refuses it too.
  const refused = await server.api("investigator").post(`/watchlist/${id}/approve`).catch((e) => e);
  assert.equal(refused.status, 403);
  await checkA11y(inv, "watch-list (investigator)", { exclude: [".leaflet-container"] });

  const op = await server.page("operator");
  await gotoView(op, "watchlist");
  // The operator finds the pending entry in the list (no number passed on by hand) and has
  // no cancel button (cancelling belongs to the watch-list's managers).
  const opRow = op.locator("#wl-entries tr", { hasText: `#${id}` });
  await opRow.waitFor();
  assert.equal(await opRow.locator("[data-cancel]").count(), 0, "operators do not cancel");
  await opRow.locator(`[data-approve="${id}"]`).click();
  await eventually(async () => (await op.locator("#wl-status").innerText()).includes(id), "the approval");
  const entry = (await server.api("investigator").get("/watchlist")).find((w) => String(w.id) === id);
  assert.equal(entry.status, "active");
  assert.equal(entry.approved_by, "operator");

  await inv.reload();
  await gotoView(inv, "watchlist");
  const row2 = inv.locator("#wl-entries tr", { hasText: `#${id}` });
  await row2.locator("[data-cancel]").click();
  await inv.locator("#wl-cancel-reason").fill("嫌疑车辆已查获");
  await inv.locator("dialog button[type=submit]").click();
  await eventually(async () => (await row2.innerText()).includes(await uiString(inv, "wl_s_cancelled")), "the entry cancelled");
  const after = (await server.api("investigator").get("/watchlist")).find((w) => String(w.id) === id);
  assert.equal(after.status, "cancelled");
  assert.equal(after.cancel_reason, "嫌疑车辆已查获");
});

test("a live alert for the stolen car: card, top-bar counter, flashing checkpoint, acknowledgement", T, async () => {
  const s = story();
  const op = await server.page("operator");
  await gotoView(op, "watchlist");
  // The car goes on past more checkpoints after kk-01; on a slow run their alerts may already be
  // listed (newest first), so take the card of the story's checkpoint, not merely the first.
  const card = op.locator("#wl-alert-list li.pl-alert.open", { hasText: s.stolenCar }).filter({ hasText: s.stolenAt }).first();
  await card.waitFor({ timeout: 90_000 });
  const counter = op.locator("#alert-count");
  const before = Number(await counter.locator(".al-n").innerText());
  assert.ok(before >= 1, "the top bar counts the open alert");
  assert.ok((await card.innerText()).includes(s.stolenAt), `the card names the checkpoint ${s.stolenAt}`);
  assert.ok(await op.locator(".leaflet-marker-pane .al-marker").count() > 0, "the alerts layer marks the checkpoint");
  await card.locator("[data-show]").click();
  await op.locator(".leaflet-marker-pane .al-marker.flash").first().waitFor();
  await checkA11y(op, "watch-list (operator) with an alert", { exclude: [".leaflet-container"] });
  await screenshot(op, "plates-alert");
  const alertId = await card.getAttribute("data-alert");
  await card.locator("select").selectOption("intercepted");
  await card.locator("input").fill("已拦截");
  await card.locator("form.pl-ack button[type=submit]").click();
  await eventually(async () => (await op.locator(`#wl-alert-list li[data-alert="${alertId}"]`).count()) === 0, "the acknowledged alert leaves the open list");
  // The counter follows the open alerts (the stolen car may pass more checkpoints meanwhile).
  await eventually(async () => Number(await counter.locator(".al-n").innerText()) === (await server.api("operator").get("/alerts?open=true&limit=500")).length,
    "the counter equals the open alerts");
  const acked = (await server.api("operator").get("/alerts?limit=500")).find((a) => a.id === alertId);
  assert.equal(acked.outcome, "intercepted");
  assert.equal(acked.acked_by, "operator");
});
