// The platform's small web helpers: the emitter whose subscriptions can be removed, the view
// lifecycle that collects cleanups, and the one tabs helper (keyboard and pointer) as the
// command and video views use it.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { emitter, lifecycle } from "../../web/js/platform/life.js";
import { startServer, gotoView } from "./harness.mjs";

const T = { timeout: 90_000 };

test("an emitter's subscription can be removed, and one failing subscriber does not stop the rest", () => {
  const e = emitter();
  const seen = [];
  const offA = e.on((x) => seen.push(`a${x}`));
  e.on(() => { throw new Error("a broken subscriber"); });
  e.on((x) => seen.push(`c${x}`));
  const quiet = console.error;
  console.error = () => {};
  try {
    e.emit(1);
    offA();
    e.emit(2);
  } finally { console.error = quiet; }
  assert.deepEqual(seen, ["a1", "c1", "c2"]);
  assert.equal(e.size, 2);
});

test("a lifecycle runs every cleanup once, latest first, and forgets timers that fired", async () => {
  const life = lifecycle();
  const order = [];
  life.add(() => order.push("first"));
  life.add(() => order.push("second"));
  let ticks = 0;
  life.every(5, () => { ticks += 1; });
  await new Promise((r) => life.later(1, r));
  // 3 kept: two cleanups and the interval; the fired timeout is gone.
  assert.equal(life.size, 3);
  const cancelled = life.later(10_000, () => order.push("never"));
  assert.equal(life.size, 4);
  cancelled();
  assert.equal(life.size, 3);
  life.dispose();
  life.dispose();
  assert.deepEqual(order, ["second", "first"]);
  const after = ticks;
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(ticks, after, "the interval stopped with the view");
  life.add(() => order.push("late"));
  assert.deepEqual(order, ["second", "first", "late"], "a cleanup added after dispose runs at once");
});

let server;
before(async () => { server = await startServer({ live: false }); });
after(() => server?.close());

async function selected(page, list) {
  return page.locator(`${list} [role=tab][aria-selected=true]`).getAttribute("id");
}

for (const [view, list, first, second, last] of [
  ["command", ".cmd-tabs", "cmd-tab-queue", "cmd-tab-units", "cmd-tab-new"],
  ["video", ".vid-tabs", "vid-tab-registry", "vid-tab-coverage", "vid-tab-seeing"],
]) {
  test(`the ${view} view's tabs follow the arrow keys, Home and End, and clicks`, T, async () => {
    const page = await server.page("operator");
    await gotoView(page, view);
    const tabs = page.locator(`${list} [role=tab]`);
    await tabs.first().waitFor();
    assert.equal(await selected(page, list), first);
    await page.locator(`#${first}`).focus();
    await page.keyboard.press("ArrowRight");
    assert.equal(await selected(page, list), second);
    assert.equal(await page.evaluate(() => document.activeElement.id), second, "focus moves with the selection");
    const pane = (id) => page.locator(`#${id.replace("-tab-", "-pane-")}`);
    assert.equal(await pane(second).isHidden(), false, "the selected tab's panel shows");
    assert.equal(await pane(first).isHidden(), true, "the others hide");
    await page.keyboard.press("End");
    assert.equal(await selected(page, list), last);
    await page.keyboard.press("ArrowRight");
    assert.equal(await selected(page, list), first, "→ wraps from the last tab to the first");
    await page.keyboard.press("ArrowLeft");
    assert.equal(await selected(page, list), last, "← wraps from the first tab to the last");
    await page.keyboard.press("Home");
    assert.equal(await selected(page, list), first);
    await page.locator(`#${second}`).click();
    assert.equal(await selected(page, list), second);
    const roving = await tabs.evaluateAll((els) => els.map((e) => e.tabIndex));
    assert.equal(roving.filter((i) => i === 0).length, 1, `one tab in the tab order: ${roving}`);
  });
}
