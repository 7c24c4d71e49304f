// Nothing stored reaches the page as markup. Markup is planted through the real API in every
// field that reaches the page (geography names of every kind, incident descriptions, addresses,
// callers, timeline notes and reasons, unit call signs, crews and agencies, camera and checkpoint
// names and owners, watch-list notes, account names), then every view of the roles that show
// them is visited at desktop and phone size in both languages, with every map tooltip and popup
// opened. The test fails if a planted script runs, if a planted element exists in the page, or
// if the Content-Security-Policy had to block anything; and it checks that the planted text is
// shown as text, so that it fails for the right reason.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, signIn, gotoView, setLanguage, settle } from "./harness.mjs";

// A text that would be markup if anything wrote it as HTML: a break-out of an attribute, an
// image whose error handler would set a flag, an element with a marker attribute (short enough
// for every field: 64 characters).
const TAG = "PWN";
const MARK = `${TAG}"><img src=x data-pwn onerror=__pwned=1><b data-pwn>b</b>`;
// For fields of at most 32 characters (call signs).
const SHORT = `${TAG}"><b data-pwn>b</b>`;

const SIZES = [
  { name: "desktop", viewport: { width: 1280, height: 800 } },
  { name: "phone", viewport: { width: 390, height: 844 } },
];

let server;
const planted = {};

before(async () => {
  server = await startServer({ live: false });
  const admin = server.api("admin");
  const operator = server.api("operator");
  const investigator = server.api("investigator");

  // Geography: every feature's names carry the markup (towns, grids, roads, key places…).
  const features = [];
  for (const kind of ["district", "town", "subdistrict", "grid", "key_place", "road", "key_road"]) {
    const layer = await admin.get(`/geography/layers/${kind}`).catch(() => null);
    for (const f of (layer && layer.features) || []) {
      f.properties = { ...f.properties, kind, name: `${MARK}${f.properties.name || ""}`, name_en: `${MARK}en` };
      features.push(f);
    }
  }
  assert.ok(features.length > 10, "the demo district has a geography to plant into");
  await admin.put("/geography", { type: "FeatureCollection", features });

  const incident = await operator.post("/incidents", {
    type: "theft.ebike_motorcycle", source: "phone_110", priority: 2, lon: 118.95, lat: 35.03,
    description: MARK, address: MARK, caller: { name: MARK, phone: "138 0000 0000" },
  });
  planted.incident = incident.incident.id;
  await operator.post(`/incidents/${planted.incident}/timeline`, { kind: "note", text: MARK });
  await operator.post("/units", { id: "u-pwn", call_sign: SHORT, kind: "car", crew: [MARK], agency: MARK });
  await admin.post("/video/cameras", { id: "cam-pwn", name: MARK, owner: MARK, lon: 118.951, lat: 35.031, heading_deg: 90, fov_deg: 60, range_m: 80 });
  await admin.post("/video/checkpoints", { id: "cp-pwn", name: MARK, lon: 118.952, lat: 35.032, lanes: 2 });
  const now = Date.now() * 1000;
  await investigator.post("/watchlist", {
    purpose: { purpose: "incident_response", reference: planted.incident },
    target: "鲁Q9P001", reason: "stolen_vehicle", valid_to: now + 86_400_000_000, note: MARK,
  });
  await admin.post("/users", { username: "pwn.user", display_name: MARK, role: "analyst", password: "a long enough password" });
});

after(() => server?.close());

/// Every tooltip's and popup's content on the map, as Leaflet would show it (built, not
/// opened, so that thousands of features stay quick): an HTML string holding the planted text is
/// a failure, an element is checked for planted elements. A few holding the planted text are
/// then really opened, so that the page itself is checked with them shown.
async function mapContent(page, tag) {
  return page.evaluate(async (tag) => {
    const { getMap } = await import("/js/platform/map.js");
    const map = getMap();
    if (!map) return { text: "", strings: [], elements: 0 };
    const out = { text: "", strings: [], elements: 0 };
    const toOpen = [];
    map.eachLayer((l) => {
      for (const [get, open] of [["getTooltip", "openTooltip"], ["getPopup", "openPopup"]]) {
        const holder = typeof l[get] === "function" && l[get]();
        if (!holder) continue;
        let c = holder.getContent();
        if (typeof c === "function") { try { c = c(l); } catch { continue; } }
        if (typeof c === "string") {
          if (c.includes(tag)) out.strings.push(c.slice(0, 80));
          continue;
        }
        if (!(c instanceof Element)) continue;
        out.elements += c.querySelectorAll("[data-pwn], img[src='x']").length + (c.matches("[data-pwn]") ? 1 : 0);
        if (c.textContent.includes(tag)) {
          out.text += `${c.textContent}\n`;
          if (toOpen.length < 3) toOpen.push([l, open]);
        }
      }
    });
    for (const [l, open] of toOpen) { try { l[open](); } catch { /* not on the map now */ } }
    return out;
  }, tag);
}

/// What planted markup did to the page: elements it made, whether a script ran, CSP reports.
async function damage(page) {
  return page.evaluate(() => ({
    pwned: window.__pwned === 1 || globalThis.__pwned === 1,
    elements: document.querySelectorAll("[data-pwn], img[src='x']").length,
    violations: (window.__cspViolations || []).slice(0, 5),
  }));
}

async function rolePage(role, size) {
  const ctx = await server.newContext({ viewport: size.viewport });
  await ctx.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener("securitypolicyviolation", (e) => window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  const page = await ctx.newPage();
  await page.goto("/");
  await page.locator("#login-view").waitFor();
  await signIn(page, role);
  return page;
}

const VISITS = [
  { role: "operator", views: ["map", "command", "video", "watchlist"] },
  { role: "investigator", views: ["investigate", "watchlist"] },
  { role: "admin", views: ["admin", "video"] },
  { role: "auditor", views: ["map", "audit"] },
];

test("no planted markup renders or runs, at desktop and phone size, in zh-CN and en", { timeout: 240_000 }, async () => {
  let seen = "";
  for (const { role, views } of VISITS) {
    const page = await rolePage(role, SIZES[0]);
    for (const size of SIZES) {
      await page.setViewportSize(size.viewport);
      for (const lang of ["zh-CN", "en"]) {
        await setLanguage(page, lang);
        for (const view of views) {
          const where = `${role} · ${view} · ${size.name} · ${lang}`;
          try { await gotoView(page, view); } catch (e) {
            throw new Error(`${where}: ${e.message}\n${await page.evaluate(() => document.getElementById("panel").outerHTML.slice(0, 1500))}`);
          }
          await settle(page, 300, 1_500);
          if (view === "command") {
            // The planted incident's detail: facts, caller behind its purpose, timeline.
            await page.evaluate((id) => { location.hash = `#/command?incident=${encodeURIComponent(id)}`; }, planted.incident);
            await page.locator("#cmd-d-facts table").first().waitFor();
            await page.locator("#cmd-d-tl li").first().waitFor();
            // The unit board: call signs, crews, agencies (once, at desktop size).
            if (size === SIZES[0]) {
              seen += await page.locator("#panel").innerText();
              await page.locator("#cmd-tab-units").click();
              await page.locator("#cmd-pane-units", { hasText: TAG }).first().waitFor();
              seen += await page.locator("#cmd-pane-units").innerText();
              await page.locator("#cmd-tab-queue").click();
            }
          }
          seen += await page.locator("#panel").innerText();
          const m = await mapContent(page, TAG);
          seen += m.text;
          assert.deepEqual(m.strings, [], `${where}: map content given to Leaflet as HTML strings`);
          assert.equal(m.elements, 0, `${where}: planted elements in map content`);
          const d = await damage(page);
          assert.deepEqual(d, { pwned: false, elements: 0, violations: [] }, `${where}: planted markup became part of the page`);
        }
      }
    }
    await page.context().close();
  }
  // The planted text is on the page as text: escaped, not dropped.
  assert.ok(seen.includes(`${TAG}"><img src=x data-pwn`), "the planted text is shown as text");
  assert.ok(seen.includes(`${TAG}"><b data-pwn>b</b>`), "the planted call sign is shown as text");
});
