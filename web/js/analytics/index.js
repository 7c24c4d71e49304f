// Crime analytics over the incidents: hotspots, time profile, trend, near repeats, linkage.
import analytics from "./view.js";

export default { name: "analytics", views: [analytics] };
