// The video network: the registry, who sees a spot, coverage, health, and the cameras,
// checkpoints and detections layers.
import video from "./view.js";
import { startVideoLayers } from "./layer.js";

export default { name: "video", views: [video], start: () => startVideoLayers() };
