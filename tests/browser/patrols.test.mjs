// Patrols end to end: an operator draws up and publishes a shift plan in the plans view; the
// officer, on a phone-sized screen, signs on to the unit, sees the stops in order, has a stop
// confirmed from the unit's GPS alone (fixes from the phone's session; the server works out the
// stay), writes a field log with one button, and the phone's own location is sent as the unit's
// position. Both languages.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, gotoView, checkA11y, setLanguage, eventually, signIn } from "./harness.mjs";

const T = { timeout: 180_000 };
let server;
before(async () => { server = await startServer({ live: false }); });
after(() => server?.close());

const PHONE = { width: 390, height: 844 };

/// A unit of the demo to plan for: the first car on the roster.
async function someUnit() {
  const units = await server.api("operator").get("/units");
  const car = units.find((u) => u.kind === "car") || units[0];
  assert.ok(car, "the demo has units");
  return car;
}

test("the operator draws up a plan, reads why each stop is there, and publishes it", T, async () => {
  const page = await server.page("operator");
  const panel = await gotoView(page, "patrols");
  const unit = await someUnit();
  // One unit, a short shift and few hot cells keep the debug build's planner quick; the form's
  // own defaults are the programme's.
  await panel.locator("#pt-new").evaluate((f) => { f.closest("details").open = true; });
  for (const box of await panel.locator("#pt-new input[name=unit]").all()) {
    if ((await box.getAttribute("value")) === unit.id) await box.check(); else await box.uncheck();
  }
  await panel.locator("#pt-history").fill("30");
  await panel.locator("#pt-max").fill("20");
  await panel.locator("#pt-new button[type=submit]").click();
  const plan = panel.locator("#pt-plan");
  await plan.waitFor({ timeout: 60_000 });
  const risk = await panel.locator("#pt-q-risk").innerText();
  assert.match(risk, /\d/, `risk covered is shown: ${risk}`);
  const rows = plan.locator(`table.pt-route[data-unit="${unit.id}"] tbody tr`);
  assert.ok(await rows.count() > 0, "the unit has stops");
  const first = await rows.first().innerText();
  assert.ok(/热点网格|重点场所|指挥员添加/.test(first), `each stop says why (zh-CN): ${first}`);
  await checkA11y(page, "patrol plan draft, zh-CN");
  // The supervisor drops the last stop; the server checks the edit and the plan follows.
  const before = await rows.count();
  await plan.locator(`table.pt-route[data-unit="${unit.id}"] .pt-remove`).last().click();
  await eventually(async () => (await panel.locator("#pt-msg").innerText()).includes("计划已修改"), "the edit is saved");
  assert.equal(await rows.count(), before - 1, "one stop fewer");
  await panel.locator("#pt-publish").click();
  await eventually(async () => (await panel.locator("#pt-msg").innerText()).includes("计划已发布"), "the plan is published");
  // In English the reasons are in English too.
  await setLanguage(page, "en");
  await page.reload();
  const again = await gotoView(page, "patrols");
  await again.locator(".pt-plans button").first().click();
  const text = await again.locator("#pt-plan").innerText();
  assert.ok(/Hot cell|Key place|Added by the supervisor/.test(text), `English reasons: ${text.slice(0, 300)}`);
  assert.ok(text.includes("Published"), "published in words");
  assert.ok((await again.locator("#pt-koper").innerText()).includes("min"), "the deterrence curve's table is shown");
  await checkA11y(page, "patrol plan published, en");
  await setLanguage(page, "zh-CN");
});

test("on a phone the officer signs on, a stop is confirmed from GPS, and a log is one button away", T, async () => {
  // Another car than the plans view's test, on a shift that began two hours ago: whatever the
  // time of day, some stop's window holds the last few minutes (a window reaches the slack of
  // 30 minutes either side of the planned stay), so fixes reported now can confirm it.
  const units = (await server.api("operator").get("/units")).filter((u) => u.kind === "car");
  const unit = units[1] || units[0];
  const now0 = Date.now();
  const draft = await server.api("operator").post("/patrols/plans", {
    name: "browser test", start: new Date(now0 - 2 * 3600_000).toISOString(), end: new Date(now0 + 2 * 3600_000).toISOString(),
    units: [unit.id], history_days: 30, max_hot_cells: 20, seed: 7,
  });
  await server.api("operator").post(`/patrols/plans/${draft.id}/publish`, { version: draft.version });
  const ctx = await server.newContext({ viewport: PHONE, isMobile: true, hasTouch: true,
    geolocation: { longitude: unit.last_fix ? unit.last_fix.lon : 118.9, latitude: unit.last_fix ? unit.last_fix.lat : 35.0 },
    permissions: ["geolocation"] });
  const page = await ctx.newPage();
  await page.goto("/");
  await signIn(page, "officer");
  let panel = await gotoView(page, "patrol");
  assert.equal(await page.locator("#map").isHidden(), true, "the officer's page takes the screen");
  await panel.locator("#pt-unit").selectOption(unit.id);
  await panel.locator("#pt-sign-on button[type=submit]").click();
  await panel.locator("#pt-next-name").waitFor();
  const stops = panel.locator(".pt-visit");
  assert.ok(await stops.count() > 0, "today's stops are listed");
  assert.ok((await stops.first().innerText()).includes("建议措施"), "each stop suggests what to do there");
  // Nothing sideways on a phone: the page is no wider than the screen, the buttons are large.
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(wide <= PHONE.width, `no horizontal scrolling: ${wide}`);
  const box = await panel.locator(".pt-kinds button").first().boundingBox();
  assert.ok(box.height >= 44, `touch targets are large: ${box.height}`);
  await checkA11y(page, "officer's page on a phone, zh-CN");
  // Eleven minutes at the first stop, reported under the officer's session (as the phone would
  // have sent them): the server confirms the stop and the page shows it done.
  const me = await server.api("officer").get("/patrols/me");
  const now = Date.now();
  const SLACK = 30 * 60_000;
  const v = me.visits.find((x) => !x.final && x.arrive_at / 1000 - SLACK <= now - 12 * 60_000 && x.depart_at / 1000 + SLACK >= now + 5 * 60_000);
  assert.ok(v, `a stop whose window holds the last minutes: ${JSON.stringify(me.visits.map((x) => [x.arrive_at, x.depart_at, x.final]))}`);
  const fixes = [];
  for (let t = now - 13 * 60_000; t <= now - 2 * 60_000; t += 20_000) fixes.push({ at: new Date(t).toISOString(), lon: v.lon, lat: v.lat, accuracy_m: 8 });
  // Then it drives off (about a kilometre east): the stay has ended, with a time it left.
  for (let t = now - 60_000; t <= now - 20_000; t += 20_000) fixes.push({ at: new Date(t).toISOString(), lon: v.lon + 0.012, lat: v.lat, accuracy_m: 8 });
  await server.api("officer").post("/patrols/me/position", { fixes });
  const row = panel.locator(`.pt-visit[data-plan="${v.plan_id}"][data-seq="${v.seq}"]`);
  await eventually(async () => (await row.innerText()).includes("已完成"), "the stop shows done from GPS", 30_000);
  // A public service, logged with one button and its form.
  const before = (await server.api("officer").get("/patrols/me")).logs.length;
  await panel.locator('.pt-kinds button[data-kind="service"]').click();
  await panel.locator("#pt-f-service").selectOption("elderly_help");
  await panel.locator(".pt-log-form button[type=submit]").click();
  await eventually(async () => (await panel.locator("#pt-msg").innerText()).includes("记录已保存"), "the log is saved");
  assert.equal((await server.api("officer").get("/patrols/me")).logs.length, before + 1);
  // A refusal in the interface's language, not the server's English.
  await panel.locator('.pt-kinds button[data-kind="mediation"]').click();
  await panel.locator("#pt-f-parties").evaluate((el) => { el.removeAttribute("min"); el.value = "1"; });
  await panel.locator(".pt-log-form button[type=submit]").click();
  await eventually(async () => (await panel.locator("#pt-err").innerText()).includes("当事人数"), "the refusal names the field in Chinese");
  assert.ok(!(await panel.locator("#pt-err").innerText()).includes("a dispute has"), "no English server text in the Chinese page");
  await panel.getByRole("button", { name: "取消" }).click();
  // The phone as the unit's position source: its location arrives as the unit's last fix.
  // (Where the car drove off to, away from the stop it has left.)
  const away = { longitude: v.lon + 0.012, latitude: v.lat };
  await ctx.setGeolocation(away);
  await panel.locator("#pt-share").check();
  await eventually(async () => {
    const u = await server.api("operator").get(`/units/${unit.id}`);
    return u.last_fix && Math.abs(u.last_fix.lon - away.longitude) < 1e-6 && u.last_fix.at / 1000 > now; // UTC µs
  }, "the phone's position reaches the unit", 40_000);
  // An assignment arrives on the phone; the officer reports each step with one button.
  const inc = await server.api("operator").post("/incidents", { type: "theft.bicycle", source: "phone_110", priority: 2, lon: v.lon, lat: v.lat, description: "商店门口自行车被盗" });
  await server.api("operator").post(`/incidents/${inc.incident.id}/transitions`, { action: "dispatch", unit_id: unit.id });
  const card = panel.locator("#pt-assignment");
  await card.waitFor({ timeout: 20_000 });
  assert.ok((await card.innerText()).includes("商店门口自行车被盗"), "the assignment says what happened");
  for (const [action, said] of [["en_route", "已报出发"], ["on_scene", "已报到达现场"], ["clear", "已报处置完毕"]]) {
    await card.locator(`button[data-step="${action}"]`).click();
    await eventually(async () => (await panel.locator("#pt-msg").innerText()).includes(said), `the ${action} step is reported`);
  }
  await card.waitFor({ state: "detached" });
  const done = await server.api("operator").get(`/incidents/${inc.incident.id}`);
  assert.equal(done.incident.state, "cleared");
  // A reload mid-shift shows the same duty and day.
  await page.reload();
  panel = await gotoView(page, "patrol");
  await panel.locator("#pt-next-h").waitFor();
  assert.ok((await panel.locator("#pt-duty-h").innerText()).includes(unit.id), "still on duty after a reload");
  // In English.
  await setLanguage(page, "en");
  panel = await gotoView(page, "patrol");
  await panel.locator("#pt-next-h").waitFor();
  assert.ok((await panel.locator("#pt-today-h").innerText()).includes("This shift's stops"));
  await checkA11y(page, "officer's page on a phone, en");
  await setLanguage(page, "zh-CN");
  await panel.locator("#pt-share").uncheck();
  await panel.getByRole("button", { name: /下岗|Sign off/ }).click();
  await panel.locator("#pt-sign-on").waitFor();
  await ctx.close();
  // The operator's evaluation now draws the deterrence curve from the confirmed visit.
  const op = await server.page("operator");
  await op.reload();
  const plans = await gotoView(op, "patrols");
  await plans.locator(".pt-chart svg path").first().waitFor();
  assert.ok((await plans.locator("#pt-koper").innerText()).length > 0);
});
