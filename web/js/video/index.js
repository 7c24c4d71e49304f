// The video network: the registry, who sees a spot, coverage, health, and the cameras,
// checkpoints and detections layers.
import video from "./view.js";
import { startVideoLayers } from "./layer.js";

/// The video network's ledger actions in words (zh-CN, en): the registry's records × verbs.
const RECORDS = { platform: ["视频平台", "Video platform"], camera: ["摄像机", "Camera"], checkpoint: ["卡口", "Checkpoint"] };
const VERBS = {
  create: [(r) => `登记${r}`, (r) => `${r} registered`],
  update: [(r) => `修改${r}`, (r) => `${r} changed`],
  delete: [(r) => `删除${r}`, (r) => `${r} deleted`],
  import: [(r) => `导入${r}`, (r) => `${r}s imported`],
};
const audit = { "detections.search": ["检索视频结构化事件", "Detection search"] };
for (const [record, [zh, en]] of Object.entries(RECORDS)) {
  for (const [verb, [vz, ve]] of Object.entries(VERBS)) audit[`${record}.${verb}`] = [vz(zh), ve(en)];
}

export default { name: "video", views: [video], audit, start: () => startVideoLayers() };
