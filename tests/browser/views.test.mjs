// The shell's own views in a real browser: the map (click to locate), the audit ledger (verify
// the chain, times in the district's zone), administration (create an account).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import {
  startServer, signIn, gotoView, checkA11y, screenshot, uiString, setLanguage, districtTime,
  expectedNav, eventually, freeMapPoint,
} from "./harness.mjs";

const T = { timeout: 60_000 };
let server;
before(async () => { server = await startServer({ live: false }); });
after(() => server?.close());

test("map: clicking the map shows the located town, grid and nearest road", T, async () => {
  const page = await server.page("officer");
  const panel = await gotoView(page, "map");
  for (const lang of ["zh-CN", "en"]) {
    await setLanguage(page, lang);
    await gotoView(page, "map");
    // A free spot of the map; layers still loading may put a marker there before the click
    // lands (the click then opens that marker), so a click that asks nothing is tried anew.
    let ll, response;
    for (let attempt = 1; !response; attempt++) {
      const { x, y } = await freeMapPoint(page);
      const box = await page.locator("#map").boundingBox();
      // Where that is, as the page's Leaflet map reckons it.
      ll = await page.evaluate(async ({ px, py }) => {
        const { getMap } = await import("/js/map.js");
        const p = getMap().containerPointToLatLng([px, py]);
        const q = getMap().containerPointToLatLng([px + 3, py + 3]);
        return { lat: p.lat, lng: p.lng, tol: Math.max(Math.abs(q.lat - p.lat), Math.abs(q.lng - p.lng)) };
      }, { px: x - box.x, py: y - box.y });
      const answered = page.waitForResponse((r) => r.url().includes("/api/v1/geography/locate"), { timeout: 5_000 });
      await page.mouse.click(x, y);
      try { response = await answered; } catch (e) { if (attempt >= 3) throw e; await page.keyboard.press("Escape"); }
    }
    const asked = new URL(response.url()).searchParams;
    // The UI asked about the clicked spot (within 3 pixels: sub-pixel rounding of the click).
    assert.ok(Math.abs(Number(asked.get("lon")) - ll.lng) < ll.tol && Math.abs(Number(asked.get("lat")) - ll.lat) < ll.tol,
      `the UI located ${asked} for a click at ${ll.lng},${ll.lat}`);
    const loc = await response.json();
    const result = panel.locator("#locate-result");
    await result.filter({ hasText: loc.town ? loc.town.name : "—" }).waitFor();
    assert.ok(loc.inside_district, "the middle of the map is inside the district");
    assert.ok(loc.town && loc.grid && loc.nearest_road, "the demo district has a town, grid and road there");
    const text = await result.innerText();
    assert.ok(text.includes(loc.town.name), `town ${loc.town.name} shown: ${text}`);
    assert.ok(text.includes(loc.grid.name), `grid ${loc.grid.name} shown: ${text}`);
    assert.ok(text.includes(loc.nearest_road.name), `road ${loc.nearest_road.name} shown: ${text}`);
    for (const key of ["town", "grid", "nearest_road"]) {
      assert.ok(text.includes(await uiString(page, key)), `label ${key} in ${lang}`);
    }
    await checkA11y(page, `map with a located point, ${lang}`);
    await screenshot(page, `map-located-${lang === "en" ? "en" : "zh"}`);
  }
  await setLanguage(page, "zh-CN");
});

test("audit: the auditor verifies the chain; times are in Asia/Shanghai", T, async () => {
  const page = await server.page("auditor");
  const panel = await gotoView(page, "audit");
  await panel.getByRole("button", { name: await uiString(page, "audit_verify") }).click();
  const okText = await uiString(page, "audit_ok");
  const status = panel.getByRole("status").filter({ hasText: okText });
  await status.waitFor();
  const shown = await status.innerText();
  const checked = Number((shown.match(/\d+/) || [])[0]);
  const verify = await server.api("auditor").get("/audit/verify");
  assert.equal(verify.ok, true);
  assert.ok(checked > 0 && checked <= verify.entries_checked, `entries checked shown (${shown}) vs ${verify.entries_checked}`);
  // The first entry (the first admin, made on first start) with its time in the district's zone;
  // the browser runs in UTC, so a time shown in the browser's zone would be 8 hours off.
  const first = (await server.api("auditor").get("/audit?limit=1")).entries[0];
  const row = panel.locator("tbody tr").filter({ has: page.locator("td:first-child", { hasText: new RegExp(`^${first.seq}$`) }) }).first();
  const rowText = await row.innerText();
  const expected = districtTime(first.at, "zh-CN");
  assert.ok(rowText.includes(expected), `row shows ${expected} (Asia/Shanghai): ${rowText}`);
  await setLanguage(page, "en");
  await gotoView(page, "audit");
  const rowEn = await page.locator("#panel tbody tr").first().innerText();
  assert.ok(rowEn.includes(districtTime(first.at, "en")), `row shows ${districtTime(first.at, "en")}: ${rowEn}`);
  await setLanguage(page, "zh-CN");
});

test("admin: create an account; it can sign in with its role's views", T, async () => {
  const page = await server.page("admin");
  const panel = await gotoView(page, "admin");
  const name = `analyst${Date.now() % 100000}`;
  const form = panel.locator("form").filter({ has: page.locator("input[type=password]") }).first();
  await form.getByLabel(await uiString(page, "username"), { exact: true }).fill(name);
  await form.getByLabel(await uiString(page, "display_name"), { exact: true }).fill("分析员 测试");
  await form.getByLabel(await uiString(page, "role"), { exact: true }).selectOption("analyst");
  await form.getByLabel(await uiString(page, "password"), { exact: true }).fill("a-long-password-1");
  await form.getByRole("button", { name: await uiString(page, "create") }).click();
  await panel.locator("tbody tr", { hasText: name }).first().waitFor();
  const users = await server.api("admin").get("/users");
  const made = users.find((u) => u.username === name);
  assert.ok(made, "the account exists");
  assert.equal(made.role, "analyst");
  await checkA11y(page, "admin view after creating an account");
  // The new account signs in and gets the analyst's views.
  const fresh = await server.anonPage();
  await signIn(fresh, name, "a-long-password-1");
  assert.deepEqual(
    await fresh.locator("#nav a").evaluateAll((as) => as.map((a) => a.getAttribute("href").replace(/^#\//, ""))),
    await expectedNav(fresh),
  );
  const who = await fresh.locator("#who").innerText();
  assert.ok(who.includes("分析员 测试"), `the display name is shown: ${who}`);
  await fresh.context().close();
  // A too-short password is refused with a visible error and no account.
  await form.getByLabel(await uiString(page, "username"), { exact: true }).fill(`${name}x`);
  await form.getByLabel(await uiString(page, "display_name"), { exact: true }).fill("x");
  await form.getByLabel(await uiString(page, "password"), { exact: true }).fill("short");
  await form.getByRole("button", { name: await uiString(page, "create") }).click();
  await eventually(async () => {
    const invalid = await form.locator("input[type=password]").evaluate((i) => !i.checkValidity());
    const err = (await form.getByRole("alert").innerText().catch(() => "")).trim();
    return invalid || err;
  }, "the short password to be refused");
  assert.ok(!(await server.api("admin").get("/users")).some((u) => u.username === `${name}x`), "no account with a short password");
});
