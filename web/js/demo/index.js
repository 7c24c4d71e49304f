// The live demo's guided tour of the report's stories.
import tour from "./tour.js";

export default { name: "demo", views: [tour] };
