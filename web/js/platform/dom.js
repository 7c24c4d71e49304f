// Templates that escape by default. Every piece of the page is an `html` template
// (lit-html, vendored): values are inserted as text or attribute values, never parsed as
// markup, so a stored name or note can never become an element or a script. No page code sets
// an element's HTML from a string.
//
// `put` renders a template as an element's whole content; `append` adds one after it;
// `node` makes a detached element of one (for Leaflet tooltips and popups, which take an
// element and would read a string as HTML). Each renders into a fresh fragment, so an element
// can be filled by `put` again, or cleared with `replaceChildren()`, at any time.
import { html, nothing, render, svg } from "../../vendor/lit-html/lit-html.js";

export { html, nothing, svg };

function fragment(template) {
  const f = document.createDocumentFragment();
  render(template, f);
  return f;
}

/// Replaces the content of `el` with `template`.
export function put(el, template) {
  if (el) el.replaceChildren(fragment(template));
}

/// Adds `template` at the end of `el`.
export function append(el, template) {
  if (el) el.append(fragment(template));
}

/// A detached element holding `template`, for Leaflet content (tooltips, popups, icons), which
/// takes an element and would read a string as HTML: the template's one element when it has
/// exactly one, otherwise a `<span>` around it all.
export function node(template) {
  const f = fragment(template);
  const meaningful = [...f.childNodes].filter((n) => n.nodeType === Node.ELEMENT_NODE
    || (n.nodeType === Node.TEXT_NODE && n.textContent.trim() !== ""));
  if (meaningful.length === 1 && meaningful[0].nodeType === Node.ELEMENT_NODE) return meaningful[0];
  const span = document.createElement("span");
  span.append(f);
  return span;
}
