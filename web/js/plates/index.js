// Plate reads: investigations (Q1–Q7 behind a purpose), the watch-list and its alerts, and the
// alerts layer with the top-bar counter.
import investigate from "./investigate.js";
import watchlist from "./watchlist.js";
import { startAlerts } from "./layer.js";

export default { name: "plates", views: [investigate, watchlist], start: (me) => startAlerts(me) };
