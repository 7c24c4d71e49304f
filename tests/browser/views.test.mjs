// The shell's own views in a real browser: the map (click to locate), the audit ledger (verify
// the chain, times in the district's zone), administration (create an account), analytics
// (hotspots, profile, trend and near repeat against the API, by filter).
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
        const { getMap } = await import("/js/platform/map.js");
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
  // An entry on the page with its time in the district's zone; the browser runs in UTC, so a
  // time shown in the browser's zone would be 8 hours off.
  const seq = Number(await panel.locator("#audit-rows tr td:first-child").first().innerText());
  const first = (await server.api("auditor").get(`/audit?limit=1&after=${seq - 1}`)).entries[0];
  assert.equal(first.seq, seq);
  const row = panel.locator("tbody tr").filter({ has: page.locator("td:first-child", { hasText: new RegExp(`^${first.seq}$`) }) }).first();
  const rowText = await row.innerText();
  const expected = districtTime(first.at, "zh-CN");
  assert.ok(rowText.includes(expected), `row shows ${expected} (Asia/Shanghai): ${rowText}`);
  await setLanguage(page, "en");
  await gotoView(page, "audit");
  const rowEn = await page.locator("#panel tbody tr").filter({ has: page.locator("td:first-child", { hasText: new RegExp(`^${first.seq}$`) }) }).first().innerText();
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

test("analytics: hotspots on the map, the time profile, the trend and the near-repeat test, by filter", T, async () => {
  const page = await server.page("analyst");
  const api = server.api("analyst");
  const asked = page.waitForRequest((r) => r.url().endsWith("/api/v1/analytics/profile"));
  const panel = await gotoView(page, "analytics");
  const body = JSON.parse((await asked).postData());
  assert.equal(body.source, "incidents");
  assert.ok(body.filter.from && body.filter.to, `a window: ${JSON.stringify(body.filter)}`);
  const status = panel.locator("#an-status");
  const profile = await api.post("/analytics/profile", body);
  await eventually(async () => (await status.innerText()).includes(String(profile.events_used)), "the count of incidents analysed");
  // The profile table: 24 hours × 7 days, each cell the API's count, the totals add up.
  const grid = await panel.locator("#an-profile tbody tr").evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll("td")].map((td) => Number(td.textContent))));
  assert.equal(grid.length, 24);
  for (let h = 0; h < 24; h++) {
    for (let d = 0; d < 7; d++) assert.equal(grid[h][d], profile.result.all.counts[d][h], `hour ${h}, day ${d}`);
  }
  assert.equal(grid.reduce((s, row) => s + row[7], 0), profile.result.all.total);
  // Hotspots: the table follows the API, the density image and Gi* cells are on the map.
  const kde = await api.post("/analytics/kde", { ...body, params: { top_n: 5, cell_floor: 0.99 } });
  assert.equal(await panel.locator("#an-hotspots tbody tr").count(), kde.result.hotspots.features.length);
  assert.ok(kde.result.hotspots.features.length > 0, "the demo has hotspots");
  assert.equal(await page.locator(".leaflet-overlay-pane img.leaflet-image-layer").count(), 1, "the density image");
  const labels = await page.locator(".leaflet-control-layers-overlays label").allInnerTexts();
  for (const key of ["an_layer_kde", "an_layer_gi"]) {
    const name = await uiString(page, key);
    assert.ok(labels.some((l) => l.trim() === name), `layer control lists "${name}"`);
  }
  // Show a hotspot: the map centres on its peak.
  const peak = kde.result.hotspots.features[0].properties.peak;
  await panel.locator('#an-hotspots button[data-rank="1"]').click();
  await eventually(async () => page.evaluate(async ([lon, lat]) => {
    const c = (await import("/js/platform/map.js")).getMap().getCenter();
    return Math.abs(c.lng - lon) < 1e-4 && Math.abs(c.lat - lat) < 1e-4;
  }, peak), "the map centred on hotspot 1");
  // The trend and the Knox table follow the API too.
  const trend = await api.post("/analytics/trend", body);
  assert.ok((await panel.locator("#an-trend").innerText()).includes(String(trend.result.weeks.length)));
  const knox = await api.post("/analytics/knox", { ...body, params: { permutations: 199 } });
  assert.equal(await panel.locator("#an-knox tbody tr").count(), knox.result.table.length);
  assert.equal(await panel.locator("#an-knox thead th").count(), knox.result.temporal_bands.length + 1);
  await screenshot(page, "analytics-zh");
  // One town only: fewer incidents, and the request says so.
  const town = await panel.locator("#an-town option").nth(1).getAttribute("value");
  await panel.locator("#an-town").selectOption(town);
  const again = page.waitForRequest((r) => r.url().endsWith("/api/v1/analytics/profile"));
  await panel.locator("#an-run").click();
  const narrowed = JSON.parse((await again).postData());
  assert.deepEqual(narrowed.filter.towns, [town]);
  const inTown = await api.post("/analytics/profile", narrowed);
  assert.ok(inTown.events_used < profile.events_used, "a town has fewer incidents than the district");
  await eventually(async () => (await status.innerText()).includes(String(inTown.events_used)), "the town's count");
  // The filter is in the address: a reload (or a shared link) shows the same analysis.
  assert.ok(page.url().includes(`town=${encodeURIComponent(town)}`), `the town in the address: ${page.url()}`);
  await page.reload();
  await page.locator("#an-status").filter({ hasText: String(inTown.events_used) }).waitFor();
  assert.equal(await page.locator("#an-town").inputValue(), town);
  // A window with no incidents: said in the interface's language.
  await panel.locator("#an-from").fill("2001-01-01");
  await panel.locator("#an-to").fill("2001-01-31");
  await panel.locator("#an-run").click();
  await eventually(async () => (await status.innerText()) === await uiString(page, "an_no_events"), "no incidents in 2001");
  // Dates the wrong way round: said, and nothing is asked.
  await panel.locator("#an-from").fill("2026-03-01");
  await panel.locator("#an-to").fill("2026-02-01");
  await panel.locator("#an-run").click();
  assert.equal(await status.innerText(), await uiString(page, "an_bad_dates"));
  await panel.locator("#an-town").selectOption("");
  await checkA11y(page, "analytics view", { exclude: [".leaflet-container"] });
  // Leaving the view takes its layers off the map.
  await gotoView(page, "map");
  assert.equal(await page.locator(".leaflet-overlay-pane img.leaflet-image-layer").count(), 0, "no density image after leaving");
});

test("analytics: the tour's linkage link ranks the serial thefts with reasons, on the map", T, async () => {
  const page = await server.page("analyst");
  const api = server.api("analyst");
  const tour = await api.get("/demo/tour");
  const [first, second] = tour.stories.bicycle.thefts;
  const linkage = await api.post("/analytics/linkage", { source: "incidents", params: { case_id: first, top_k: 10 } });
  assert.equal(linkage.result.links[0].id, second, "the API ranks the second theft first");
  await gotoView(page, "map");
  await page.evaluate((id) => { location.hash = `#/analytics?kind=linkage&case_id=${encodeURIComponent(id)}`; }, first);
  const rows = page.locator("#an-link-out tbody tr");
  await rows.first().waitFor();
  assert.equal(await rows.count(), linkage.result.links.length, "a row per linked incident");
  const top = await rows.first().innerText();
  assert.ok(top.includes(second), `the second theft first: ${top}`);
  assert.ok(top.includes(await uiString(page, "an_lk_same")), `its reasons, translated: ${top}`);
  assert.equal(await rows.first().locator(`a[href="#/command?incident=${second}"]`).count(), 1, "a link to the incident");
  // The case and its links as markers of the linkage layer.
  const name = await uiString(page, "an_layer_link");
  assert.ok((await page.locator(".leaflet-control-layers-overlays label").allInnerTexts()).some((l) => l.trim() === name), "the linkage layer");
  const ids = [first, ...linkage.result.links.map((l) => l.id)];
  await eventually(async () => page.evaluate(async (want) => {
    const map = (await import("/js/platform/map.js")).getMap();
    const tips = [];
    // Tooltips hold elements (never HTML strings): their text is what a reader sees.
    const text = (c) => (c instanceof Element ? c.textContent : String(c));
    map.eachLayer((l) => { if (l instanceof L.CircleMarker && l.getTooltip()) tips.push(text(l.getTooltip().getContent())); });
    return want.every((id) => tips.some((tip) => tip.includes(id)));
  }, ids), "a marker for the case and for each linked incident");
  // An unknown id: the server's reason.
  await page.locator("#an-case").fill("inc-nothing-here");
  await page.locator("#an-link-run").click();
  await page.locator("#an-link-out .bad", { hasText: "inc-nothing-here" }).waitFor();
});

test("tour: the campaign step opens the analytics of the year's thefts", T, async () => {
  const page = await server.page("analyst");
  const panel = await gotoView(page, "tour");
  const link = panel.locator("#tour-campaign-facts a", { hasText: await uiString(page, "s5_go") });
  await link.waitFor();
  const asked = page.waitForRequest((r) => r.url().endsWith("/api/v1/analytics/profile"));
  await link.click();
  const { filter } = JSON.parse((await asked).postData());
  const types = await server.api("analyst").get("/incident-types");
  assert.deepEqual([...filter.types].sort(), ["theft", ...types.filter((x) => x.parent === "theft").map((x) => x.code)].sort(), "theft and its kinds");
  const days = (Date.parse(filter.to) - Date.parse(filter.from)) / 86400e3;
  assert.ok(Math.abs(days - 365) < 1.01, `a year: ${days} days`);
  assert.equal(await page.locator("#an-type").inputValue(), "theft");
  assert.equal(filter.towns, undefined, "the whole district, whatever the form held before");
  assert.equal(await page.locator("#an-town").inputValue(), "");
});
