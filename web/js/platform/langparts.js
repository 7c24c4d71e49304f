// Language of parts (WCAG 3.1.2). Every string of the interface is translated, so in the English
// interface any Chinese still on screen is data: a place, a camera, a person's name, a plate, a
// caller's words. This marks it `lang="zh-CN"` wherever it appears (views, popups, tooltips,
// live updates), so that a screen reader reads it as Chinese, without each view having to.
//
// A text node whose element holds nothing else and is one Chinese run gets the attribute on that
// element; Chinese runs inside other text are wrapped in `<span lang="zh-CN">`. A run starts with
// a CJK character and goes on through CJK, CJK punctuation, fullwidth forms, ASCII letters and
// digits and "·" (so 鲁Q440NG and 壮岗供销商场门口1号 are one run each).
import { currentLang, onLangChange } from "./i18n.js";

const RUN = /[\u3400-\u9fff][\u3400-\u9fff\u3000-\u303f\uff00-\uffefA-Za-z0-9·]*/g;
const HAS_CJK = /[\u3400-\u9fff]/;
const SKIP = "script, style, textarea, select, option, [contenteditable]";

const isZh = (el) => {
  const owner = el.closest("[lang]");
  return !!owner && owner.lang.toLowerCase().startsWith("zh");
};

function markText(node) {
  const text = node.nodeValue;
  const el = node.parentElement;
  if (!el || !HAS_CJK.test(text) || el.closest(SKIP) || isZh(el)) return;
  RUN.lastIndex = 0;
  const runs = [...text.matchAll(RUN)];
  if (runs.length === 1 && runs[0][0] === text.trim() && el.childNodes.length === 1) {
    el.lang = "zh-CN";
    return;
  }
  const frag = document.createDocumentFragment();
  let at = 0;
  for (const m of runs) {
    if (m.index > at) frag.append(text.slice(at, m.index));
    const span = document.createElement("span");
    span.lang = "zh-CN";
    span.textContent = m[0];
    frag.append(span);
    at = m.index + m[0].length;
  }
  if (at < text.length) frag.append(text.slice(at));
  node.replaceWith(frag);
}

/** Marks the Chinese text under `root` (an element or a text node). */
export function markChinese(root) {
  if (!root) return;
  if (root.nodeType === Node.TEXT_NODE) { markText(root); return; }
  if (root.nodeType !== Node.ELEMENT_NODE || !HAS_CJK.test(root.textContent || "")) return;
  const found = [];
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) if (HAS_CJK.test(n.nodeValue)) found.push(n);
  found.forEach(markText);
}

let observer = null;

function follow() {
  const want = currentLang() !== "zh-CN";
  if (want && !observer) {
    observer = new MutationObserver((records) => {
      for (const r of records) {
        if (r.type === "characterData") markText(r.target);
        else r.addedNodes.forEach(markChinese);
      }
    });
    observer.observe(document.body, { childList: true, subtree: true, characterData: true });
    markChinese(document.body);
  } else if (!want && observer) {
    observer.disconnect();
    observer = null;
  }
}

/** Starts marking (in any interface language but Chinese) and follows language changes. */
export function startLangParts() {
  follow();
  onLangChange(follow);
}
