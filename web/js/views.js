// The views of the side panel, in navigation order. Each module default-exports
// `{ id, label, permission, render(panel) }`; `render` may return a cleanup function that runs
// when the user leaves the view (remove map layers, stop timers, unsubscribe from the stream).
// Navigation shows only the views the signed-in role may use.
import map from "./views/map.js";
import audit from "./views/audit.js";
import admin from "./views/admin.js";

export const VIEWS = [map, audit, admin];
