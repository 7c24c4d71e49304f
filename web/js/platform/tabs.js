// One tabs helper for every view (WAI-ARIA tabs): the caller renders a `[role=tablist]` of
// buttons with ids `${prefix}-tab-${key}` and panels `${prefix}-pane-${key}`; this wires clicks
// and the keys (←/→ wrap, Home, End), keeps aria-selected, the roving tabindex and the hidden
// panels in step, and calls `onSelect(key)` after each change.

/** Wires `tablist`; returns `{ select(key, focus = false) }`. */
export function tabs(tablist, keys, { prefix, onSelect = () => {} }) {
  const tab = (k) => tablist.querySelector(`#${prefix}-tab-${k}`);
  const pane = (k) => document.getElementById(`${prefix}-pane-${k}`);
  let current = null;
  function select(key, focus = false) {
    if (!keys.includes(key)) return undefined;
    for (const k of keys) {
      const on = k === key;
      const b = tab(k);
      b.setAttribute("aria-selected", String(on));
      b.tabIndex = on ? 0 : -1;
      const p = pane(k);
      if (p) p.hidden = !on;
      if (on && focus) b.focus();
    }
    current = key;
    return onSelect(key);
  }
  tablist.addEventListener("click", (ev) => {
    const b = ev.target.closest("[role=tab]");
    if (b && tablist.contains(b)) select(b.id.slice(`${prefix}-tab-`.length));
  });
  tablist.addEventListener("keydown", (ev) => {
    const cur = Math.max(0, keys.indexOf(current));
    const next = { ArrowRight: cur + 1, ArrowLeft: cur - 1, Home: 0, End: keys.length - 1 }[ev.key];
    if (next === undefined) return;
    ev.preventDefault();
    select(keys[(next + keys.length) % keys.length], true);
  });
  return { select };
}
