// The audit view answers "who looked at what, and why": newest first, the purpose and
// reference of each entry, every filter the API has, actions in words in both languages, CSV
// export, the whole width (no map), and a phone-sized screen that scrolls the table, not the page.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { startServer, gotoView, checkA11y, setLanguage, eventually } from "./harness.mjs";

const T = { timeout: 90_000 };
let server;
before(async () => { server = await startServer({ live: false }); });
after(() => server?.close());

const words = (page, code) => page.evaluate(async (c) => {
  const { actionWords } = await import("/js/platform/registry.js");
  return actionWords(c) || null;
}, code);

test("the auditor finds who read evidence, for which purpose and case, in either language", T, async () => {
  const reference = `CASE-AUDIT-${process.pid}`;
  await server.api("investigator").get(`/plates/evidence?purpose=criminal_investigation&reference=${reference}`);
  const meta = await server.api("auditor").get("/meta");
  const purpose = meta.purposes.find((p) => p.code === "criminal_investigation");
  const page = await server.page("auditor");
  const panel = await gotoView(page, "audit");
  assert.equal(await page.locator("#map").isHidden(), true, "the ledger takes the width: no map");
  // Newest first.
  const seqs = (await panel.locator("#audit-rows tr td:first-child").allInnerTexts()).map(Number);
  assert.ok(seqs.length > 1, "entries are shown");
  assert.deepEqual(seqs, [...seqs].sort((a, b) => b - a), `newest first: ${seqs.slice(0, 5)}`);
  // The reference filter finds the read, with its purpose and reference.
  await panel.locator("#f-reference").fill(reference);
  await panel.locator("#audit-filter button[type=submit]").click();
  const row = panel.locator("#audit-rows tr", { hasText: reference });
  await row.first().waitFor();
  assert.equal(await panel.locator("#audit-rows tr").count(), 1, "only the entry with that reference");
  const [zh, en] = await words(page, "plates.evidence.read");
  let text = await row.innerText();
  for (const want of ["investigator", zh, purpose.label_zh, reference]) assert.ok(text.includes(want), `row shows ${want}: ${text}`);
  await checkA11y(page, "audit ledger filtered, zh-CN");
  // CSV export of what is shown.
  const [download] = await Promise.all([page.waitForEvent("download"), panel.locator("#audit-export").click()]);
  const csv = readFileSync(await download.path(), "utf8").replace(/^\ufeff/, "").trim().split(/\r\n/);
  assert.match(csv[0], /^seq,at,time,actor,role,action,action_words,object_type,object_id,purpose,reference,outcome/);
  assert.equal(csv.length, 2, csv.join("\n"));
  assert.ok(csv[1].includes(reference) && csv[1].includes("plates.evidence.read"), csv[1]);
  // In English, the action and the purpose are in English.
  await setLanguage(page, "en");
  await gotoView(page, "audit");
  await page.locator("#f-reference").fill(reference);
  await page.locator("#audit-filter button[type=submit]").click();
  await page.locator("#audit-rows tr", { hasText: reference }).first().waitFor();
  text = await page.locator("#audit-rows tr", { hasText: reference }).innerText();
  assert.ok(text.includes(en) && text.includes("criminal investigation"), `English row: ${text}`);
  await checkA11y(page, "audit ledger filtered, en");
  await setLanguage(page, "zh-CN");
  // Leaving the view brings the map back.
  await gotoView(page, "map");
  assert.equal(await page.locator("#map").isHidden(), false, "the map is back on the next view");
});

test("every action in the demo's ledger is put into words in both languages", T, async () => {
  const page = await server.page("auditor");
  await gotoView(page, "audit");
  const actions = new Set();
  let before = null;
  for (let i = 0; i < 30; i += 1) {
    const q = new URLSearchParams({ limit: "1000", order: "newest" });
    if (before) q.set("before", String(before));
    const p = await server.api("auditor").get(`/audit?${q}`);
    p.entries.forEach((e) => actions.add(e.action));
    before = p.next_before;
    if (!before) break;
  }
  assert.ok(actions.size > 5, `the demo's ledger has several kinds of action: ${[...actions]}`);
  const missing = [];
  for (const a of actions) {
    const w = await words(page, a);
    if (!w || !w[0] || !w[1] || w[0] === a || w[1] === a) missing.push(a);
  }
  assert.deepEqual(missing, [], "actions without words");
});

test("the audit filters combine, and on a phone the table scrolls inside its region", T, async () => {
  const page = await server.page("auditor");
  const size = page.viewportSize();
  await page.setViewportSize({ width: 390, height: 844 });
  try {
    const panel = await gotoView(page, "audit");
    await panel.locator("#f-action").fill("auth.");
    await panel.locator("#f-outcome").selectOption("success");
    await panel.locator("#audit-filter button[type=submit]").click();
    await eventually(async () => {
      const actions = await panel.locator("#audit-rows tr td:nth-child(4) code").allInnerTexts();
      return actions.length > 0 && actions.every((a) => a.startsWith("auth."));
    }, "only sign-ins and sign-outs");
    const outcomes = await panel.locator("#audit-rows tr td:last-child").evaluateAll((tds) => tds.map((td) => td.className));
    assert.ok(outcomes.every((c) => c === "ok"), `only successes: ${outcomes}`);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 1, `the page does not scroll sideways (${overflow} px)`);
    await checkA11y(page, "audit ledger on a phone");
    await panel.locator("#audit-clear").click();
    await eventually(async () => (await panel.locator("#audit-rows tr td:nth-child(4) code").allInnerTexts()).some((a) => !a.startsWith("auth.")), "clearing shows every action");
  } finally {
    await page.setViewportSize(size);
  }
});
