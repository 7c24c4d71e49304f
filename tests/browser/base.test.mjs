// The dashboard's shell in a real browser: sign-in, navigation by role, both languages, keyboard
// use, and for every view in the registry: accessible (axe), fully translated, screenshot.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import {
  startServer, signIn, gotoView, checkA11y, axeViolations, describeViolations, screenshot, expectedNav, viewsFor, uiString,
  setLanguage, settle, unmarkedChinese, ROLES, PASSWORD,
} from "./harness.mjs";

const T = { timeout: 60_000 };
let server;
before(async () => { server = await startServer({ live: false }); });
after(() => server?.close());

const CJK = /[\u3400-\u9fff]/;

async function navIds(page) {
  return page.locator("#nav a").evaluateAll((as) => as.map((a) => a.getAttribute("href").replace(/^#\//, "")));
}

test("the login page is in zh-CN by default and accessible", T, async () => {
  const page = await server.anonPage();
  await screenshot(page, "login-zh");
  assert.equal(await page.evaluate(() => document.documentElement.lang), "zh-CN");
  const title = await page.locator("#login-title").innerText();
  assert.match(title, CJK, `login title "${title}" should be Chinese`);
  assert.equal(await page.locator("#login-title").innerText(), await uiString(page, "signin"));
  for (const id of ["username", "password"]) {
    const label = page.locator(`label[for="${id}"]`);
    assert.match(await label.innerText(), CJK, `label for #${id} in Chinese`);
  }
  assert.equal(await page.locator("#nav").isVisible(), false, "no navigation before sign-in");
  assert.equal(await page.locator("#workspace").isVisible(), false, "the workspace (map, panel) is hidden before sign-in");
  await checkA11y(page, "login page, zh-CN");
  await setLanguage(page, "en");
  assert.equal(await page.locator("#login-title").innerText(), "Sign in");
  await checkA11y(page, "login page, en");
  await screenshot(page, "login-en");
  await page.context().close();
});

test("a wrong password shows an error and keeps the user out", T, async () => {
  const page = await server.anonPage();
  await page.locator("#username").fill("operator");
  await page.locator("#password").fill("not-the-password");
  await page.locator("#login-form button[type=submit]").click();
  const err = page.locator("#login-error");
  await err.filter({ hasText: /\S/ }).waitFor();
  assert.equal(await err.innerText(), await uiString(page, "bad_login"));
  assert.match(await err.innerText(), CJK);
  assert.equal(await err.getAttribute("role"), "alert");
  assert.equal(await page.locator("#workspace").isVisible(), false, "the workspace (map, panel) stays hidden after a failed sign-in");
  assert.equal(await page.locator("#nav").isVisible(), false, "no navigation after a failed sign-in");
  // The right password then works from the same form.
  await signIn(page, "operator");
  assert.equal(await err.innerText(), "");
  await page.context().close();
});

test("each role sees exactly the views its permissions allow", T, async () => {
  const navs = {};
  for (const role of ROLES) {
    const page = await server.page(role);
    const ids = await navIds(page);
    const expected = await expectedNav(page);
    assert.deepEqual(ids, expected, `${role}'s navigation`);
    assert.ok(ids.includes("map"), `${role} has the map`);
    const who = await page.locator("#who").innerText();
    assert.ok(who.trim().length > 0, `${role}: the signed-in user is shown`);
    for (const text of await page.locator("#nav a").allInnerTexts()) {
      assert.match(text, CJK, `${role}: nav entry "${text}" in Chinese`);
    }
    navs[role] = ids;
  }
  assert.ok(navs.auditor.includes("audit"), "the auditor reads the audit ledger");
  assert.ok(!navs.operator.includes("audit"), "the operator has no audit view");
  assert.ok(navs.admin.includes("admin"), "the admin administers");
  for (const role of ROLES.filter((r) => r !== "admin")) assert.ok(!navs[role].includes("admin"), `${role} has no admin view`);
  assert.notDeepEqual(navs.operator, navs.auditor, "operator and auditor differ");
  // Every view of the registry is reachable by some demo role.
  const all = await viewsFor(await server.page("admin"));
  for (const v of all) assert.ok(ROLES.some((r) => navs[r].includes(v.id)), `some role can open view ${v.id}`);
  // A view the role may not use is not rendered for it (the app falls back to one it may use).
  const op = await server.page("operator");
  await gotoView(op, "map");
  const auditTitle = await uiString(op, "audit_title");
  await op.evaluate(() => {
    const marker = document.createElement("i");
    marker.dataset.testStale = "1";
    document.getElementById("panel").append(marker);
    location.hash = "#/audit";
  });
  await op.waitForFunction(() => !document.querySelector("#panel [data-test-stale]"));
  assert.doesNotMatch(await op.locator("#panel").innerText(), new RegExp(auditTitle), "the operator gets no audit ledger");
  assert.equal(await op.locator("#nav a[href='#/audit']").count(), 0);
  await gotoView(op, "map");
});

test("switching to English changes the visible strings and persists on reload", T, async () => {
  const page = await server.page("operator", { fresh: true });
  await gotoView(page, "map");
  const zhNav = await page.locator("#nav").innerText();
  const zhLang = await page.locator("#lang").innerText();
  assert.equal(zhLang, "English");
  await page.locator("#lang").click();
  await page.waitForFunction(() => document.documentElement.lang === "en");
  assert.equal(await page.locator("#lang").innerText(), "中文");
  const enNav = await page.locator("#nav").innerText();
  assert.notEqual(enNav, zhNav);
  assert.doesNotMatch(enNav, CJK, "the English nav has no Chinese");
  assert.doesNotMatch(await page.locator("#panel h2").first().innerText(), CJK);
  assert.doesNotMatch(await page.locator("#logout").innerText(), CJK);
  await page.reload();
  await page.locator("#workspace").waitFor({ state: "visible" });
  await page.locator("#panel h2").first().waitFor();
  assert.equal(await page.evaluate(() => document.documentElement.lang), "en");
  assert.equal(await page.locator("#nav").innerText(), enNav);
  await page.locator("#lang").click();
  await page.waitForFunction(() => document.documentElement.lang === "zh-CN");
  assert.equal(await page.locator("#nav").innerText(), zhNav);
  await page.context().close();
});

// Texts of the elements that are the UI's own words rather than data: headings, labels, table
// headers, legends, nav entries, tabs (buttons may name data, so they are not in here). Text
// inside an element marked with another lang (the brand 平安) or translate="no" (data: a place
// or camera name inside a heading) is left out.
async function chromeTexts(page) {
  return page.evaluate(() => {
    const visible = (el) => !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length)
      && getComputedStyle(el).visibility !== "hidden";
    const lang = document.documentElement.lang;
    const ownText = (el) => {
      let s = "";
      for (const n of el.childNodes) {
        if (n.nodeType === Node.TEXT_NODE) s += n.textContent;
        else if (n.nodeType === Node.ELEMENT_NODE && !(n.lang && !n.lang.startsWith(lang)) && !n.matches("input, select, textarea, output, [translate=no]")) s += ownText(n);
      }
      return s;
    };
    const out = [];
    for (const el of document.querySelectorAll("h2, h3, h4, label, th, legend, caption, nav a, [role=tab]")) {
      if (!visible(el) || el.closest("[translate=no], .leaflet-control-attribution, .leaflet-marker-pane, .leaflet-popup, .leaflet-tooltip")) continue;
      const text = ownText(el).replace(/\s+/g, " ").trim();
      if (text) out.push({ tag: el.tagName, text });
    }
    // Buttons and the UI's own attributes: checked for raw keys and snake_case only (a button
    // may carry data, e.g. a camera's name).
    for (const el of document.querySelectorAll("button, [placeholder], [aria-label]")) {
      if (!visible(el) || el.closest("[translate=no], .leaflet-marker-pane")) continue;
      if (el.tagName === "BUTTON") out.push({ tag: "BUTTON", text: ownText(el).replace(/\s+/g, " ").trim(), dataOk: true });
      for (const a of ["placeholder", "aria-label"]) {
        if (el.getAttribute(a)) out.push({ tag: `${el.tagName}@${a}`, text: el.getAttribute(a).trim(), dataOk: true });
      }
    }
    return out.filter((x) => x.text);
  });
}

// Every text node shown (for raw i18n keys).
async function allTexts(page) {
  return page.evaluate(() => {
    const out = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      if (!el || el.closest("script, style, [hidden]")) continue;
      const s = n.textContent.trim();
      if (s && (el.offsetWidth || el.offsetHeight || el.getClientRects().length)) out.push(s);
    }
    for (const el of document.querySelectorAll("[placeholder], [aria-label], [title]")) {
      for (const a of ["placeholder", "aria-label", "title"]) if (el.getAttribute(a)) out.push(el.getAttribute(a).trim());
    }
    return out;
  });
}

async function stringTables(page) {
  return page.evaluate(async () => {
    const { STRINGS } = await import("/js/platform/i18n.js");
    return STRINGS;
  });
}

function translationProblems(lang, strings, chrome, texts) {
  const other = lang === "en" ? "zh-CN" : "en";
  const mine = strings[lang];
  const theirs = strings[other];
  const problems = [];
  // A text in the other language's table (and differing from ours): left untranslated.
  const foreign = new Set(Object.keys(theirs).filter((k) => theirs[k] !== mine[k] && !/^[\s\d\W]*$/.test(theirs[k])).map((k) => theirs[k]));
  // A key shown raw: t(key) found nothing (the text equals a key, or looks like one).
  const keys = new Set([...Object.keys(mine), ...Object.keys(theirs)]);
  for (const s of texts) {
    if (foreign.has(s) && lang === "en" && CJK.test(s)) problems.push(`zh-CN text in en: "${s}"`);
    if (foreign.has(s) && lang === "zh-CN" && s !== "中文" && s !== "English") problems.push(`English text in zh-CN: "${s}"`);
  }
  for (const { tag, text, dataOk } of chrome) {
    if (keys.has(text) && !Object.values(mine).includes(text)) problems.push(`raw key shown in <${tag}>: "${text}"`);
    if (/^[a-z][a-z0-9]*(_[a-z0-9]+)+$/.test(text)) problems.push(`key-like text in <${tag}>: "${text}"`);
    if (lang === "en" && !dataOk && CJK.test(text) && text !== "中文") problems.push(`Chinese in the English UI, <${tag}>: "${text}"`);
  }
  return [...new Set(problems)];
}

test("both languages carry the same string keys", T, async () => {
  const page = await server.page("admin");
  // Load every view module so that each one's addStrings() has run.
  await viewsFor(page);
  const strings = await stringTables(page);
  const zh = Object.keys(strings["zh-CN"]).sort();
  const en = Object.keys(strings.en).sort();
  assert.deepEqual(zh.filter((k) => !en.includes(k)), [], "keys only in zh-CN");
  assert.deepEqual(en.filter((k) => !zh.includes(k)), [], "keys only in en");
  for (const k of zh) {
    assert.ok(String(strings["zh-CN"][k]).trim(), `zh-CN string ${k} is empty`);
    assert.ok(String(strings.en[k]).trim(), `en string ${k} is empty`);
  }
});

// Every view of the registry, opened by a role allowed to: no serious/critical axe violation in
// either language, nothing left untranslated, Chinese data marked as Chinese in the English
// interface, and a screenshot of each.
test("every view is accessible and fully translated in zh-CN and en", { timeout: 150_000 }, async (t) => {
  const admin = await server.page("admin");
  const views = await viewsFor(admin);
  const perms = {};
  for (const role of ROLES) {
    const page = await server.page(role);
    perms[role] = (await page.evaluate(async () => (await fetch("/api/v1/auth/me")).json())).permissions;
  }
  for (const view of views) {
    await t.test(`view ${view.id}`, async () => {
      const role = ROLES.find((r) => perms[r].includes(view.permission));
      assert.ok(role, `no demo role may open ${view.id}`);
      const page = await server.page(role);
      const strings = await stringTables(page);
      const problems = [];
      try {
        for (const lang of ["zh-CN", "en"]) {
          await setLanguage(page, lang);
          await gotoView(page, view.id);
          await settle(page); // the view's first data load
          const chrome = await chromeTexts(page);
          const texts = await allTexts(page);
          problems.push(...translationProblems(lang, strings, chrome, texts).map((p) => `[${lang}] untranslated: ${p}`));
          if (lang === "en") problems.push(...(await unmarkedChinese(page)).slice(0, 10).map((p) => `[en] Chinese data not marked lang="zh-CN": ${p}`));
          const bad = await axeViolations(page);
          if (bad.length) problems.push(`[${lang}] accessibility (${role}):\n${describeViolations(bad)}`);
          await screenshot(page, `${view.id}-${lang === "en" ? "en" : "zh"}`);
        }
      } finally {
        await setLanguage(page, "zh-CN");
      }
      assert.ok(problems.length === 0, `view ${view.id}:\n${problems.join("\n")}`);
      assert.deepEqual(page.pingErrors.filter((e) => e.startsWith("pageerror")), [], `view ${view.id}: uncaught errors`);
    });
  }
});

test("keyboard: skip link focuses main, Tab reaches the nav and the language button", T, async () => {
  const page = await server.page("operator", { fresh: true });
  await gotoView(page, "map");
  const hashBefore = await page.evaluate(() => location.hash) || "#/map";
  // Start from the top of a freshly loaded document, as a keyboard user arriving would.
  await page.reload();
  await page.locator("#nav a[aria-current=page]").waitFor();
  await page.keyboard.press("Tab");
  const first = await page.evaluate(() => ({ cls: document.activeElement.className, href: document.activeElement.getAttribute("href") }));
  assert.equal(first.href, "#main", "the first Tab stop is the skip link");
  assert.ok(await page.locator("a.skip").evaluate((a) => a.getBoundingClientRect().height > 0 && getComputedStyle(a).opacity !== "0"),
    "the skip link is visible when focused");
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => document.activeElement && document.activeElement.id === "main");
  await page.waitForTimeout(300);
  // Skipping to the content does not leave the view.
  assert.equal(await page.evaluate(() => location.hash), hashBefore, "the skip link keeps the current view (the router's hash)");
  assert.equal(await page.locator("#nav a[aria-current=page]").count(), 1, "the nav still marks the current view");
  // Tab through the header from the top: nav links, the language button.
  await page.reload();
  await page.locator("#nav a[aria-current=page]").waitFor();
  const seen = [];
  for (let i = 0; i < 30; i++) {
    await page.keyboard.press("Tab");
    seen.push(await page.evaluate(() => {
      const a = document.activeElement;
      return { id: a.id, inNav: !!a.closest("#nav"), tag: a.tagName, outline: getComputedStyle(a).outlineStyle, shadow: getComputedStyle(a).boxShadow };
    }));
    if (seen.at(-1).id === "logout") break;
  }
  assert.ok(seen.some((s) => s.inNav), `Tab reaches the nav (${JSON.stringify(seen.map((s) => s.id || s.tag))})`);
  const lang = seen.find((s) => s.id === "lang");
  assert.ok(lang, "Tab reaches the language button");
  assert.ok(lang.outline !== "none" || lang.shadow !== "none", "focus is visible on the language button");
  // Enter on a focused nav link opens its view.
  await page.locator("#nav a").last().focus();
  const target = await page.locator("#nav a").last().getAttribute("href");
  await page.keyboard.press("Enter");
  await page.waitForFunction((h) => location.hash === h, target);
  await page.context().close();
});

test("the login form works with the keyboard alone", T, async () => {
  const page = await server.anonPage();
  let reached = false;
  for (let i = 0; i < 10 && !reached; i++) {
    await page.keyboard.press("Tab");
    reached = await page.evaluate(() => document.activeElement.id === "username");
  }
  assert.ok(reached, "Tab reaches the user name field");
  await page.keyboard.type("auditor");
  await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => document.activeElement.id), "password");
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press("Enter");
  await page.locator("#workspace").waitFor({ state: "visible" });
  await page.locator("#nav a[href='#/audit']").waitFor();
  // Sign out with the keyboard too.
  await page.locator("#logout").focus();
  await page.keyboard.press("Enter");
  await page.locator("#login-view").waitFor({ state: "visible" });
  await page.context().close();
});
