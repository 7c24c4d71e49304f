// Times in the district's zone for <input type="datetime-local">, whatever the browser's zone.
import { zone } from "../i18n.js";

function offsetMs(ms, tz) {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone: tz, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit",
    hour: "2-digit", minute: "2-digit", second: "2-digit",
  }).formatToParts(new Date(ms));
  const g = (k) => Number(parts.find((p) => p.type === k).value);
  return Date.UTC(g("year"), g("month") - 1, g("day"), g("hour"), g("minute"), g("second")) - Math.floor(ms / 1000) * 1000;
}

/// "2026-05-08T10:30" read in the district's zone → epoch ms (NaN when empty or invalid).
export function localInputToMs(value) {
  const guess = Date.parse(`${value}:00Z`);
  if (Number.isNaN(guess)) return NaN;
  return guess - offsetMs(guess, zone());
}

/// Epoch ms → "2026-05-08T10:30" in the district's zone.
export function msToLocalInput(ms) {
  return new Date(ms + offsetMs(ms, zone())).toISOString().slice(0, 16);
}

/// Epoch ms → RFC 3339 UTC to the second.
export function isoUtc(ms) { return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z"); }

/// The query of the current hash (`#/video?tab=seeing&lon=…`) as URLSearchParams.
export function hashParams() {
  const q = location.hash.indexOf("?");
  return new URLSearchParams(q >= 0 ? location.hash.slice(q + 1) : "");
}
