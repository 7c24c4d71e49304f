// The views of the side panel, in navigation order. Each module default-exports
// `{ id, label, permission, render(panel) }`; `render` may return a cleanup function that runs
// when the user leaves the view (remove map layers, stop timers, unsubscribe from the stream).
// Navigation shows only the views the signed-in role may use.
import map from "./views/map.js";
import command from "./views/command.js";
import audit from "./views/audit.js";
import admin from "./views/admin.js";
import investigate from "./views/investigate.js";
import watchlist from "./views/watchlist.js";
import video from "./views/video.js";
import tour from "./views/tour.js";
import analytics from "./views/analytics.js";

export const VIEWS = [map, command, investigate, watchlist, video, analytics, audit, admin, tour];
