// Times in the district's zone for <input type="datetime-local">, whatever the browser's zone.
import { utcMsToWall, wallToUtcMs } from "../platform/i18n.js";

/// "2026-05-08T10:30" read in the district's zone → epoch ms (NaN when empty or invalid).
export function localInputToMs(value) {
  return wallToUtcMs(value) ?? NaN;
}

/// Epoch ms → "2026-05-08T10:30" in the district's zone.
export function msToLocalInput(ms) {
  return utcMsToWall(ms);
}

/// Epoch ms → RFC 3339 UTC to the second.
export function isoUtc(ms) { return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z"); }

/// The query of the current hash (`#/video?tab=seeing&lon=…`) as URLSearchParams.
export function hashParams() {
  const q = location.hash.indexOf("?");
  return new URLSearchParams(q >= 0 ? location.hash.slice(q + 1) : "");
}
