// The command centre: incidents, units and dispatch (the COMMAND view) and the live layers of
// open incidents and moving units on every view's map.
import command from "./view.js";
import { initLiveLayers } from "./layer.js";

export default { name: "command", views: [command], start: (me) => initLiveLayers(me) };
