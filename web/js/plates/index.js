// Plate reads: investigations (Q1–Q7 behind a purpose), the watch-list and its alerts, and the
// alerts layer with the top-bar counter.
import investigate from "./investigate.js";
import watchlist from "./watchlist.js";
import { startAlerts } from "./layer.js";

/// Plate reads' ledger actions in words (zh-CN, en).
const audit = {
  "plates.query": ["过车记录查询", "Plate-read query"],
  "plates.trajectory": ["车辆轨迹查询", "Trajectory query"],
  "plates.checkpoints.bind": ["绑定卡口", "Checkpoints bound"],
  "plates.approval.request": ["申请查询审批", "Query approval requested"],
  "plates.approval.approve": ["批准查询", "Query approved"],
  "plates.approval.reject": ["驳回查询", "Query refused"],
  "plates.evidence.add": ["保存证据", "Evidence saved"],
  "plates.evidence.read": ["查看证据", "Evidence read"],
  "plates.import": ["导入过车记录", "Plate reads imported"],
  "plates.retention": ["清除过期过车记录", "Old plate reads purged"],
  "watchlist.create": ["申请布控", "Watch-list entry requested"],
  "watchlist.approve": ["批准布控", "Watch-list entry approved"],
  "watchlist.cancel": ["撤控", "Watch-list entry cancelled"],
  "alert.ack": ["签收告警", "Alert acknowledged"],
};

export default { name: "plates", views: [investigate, watchlist], audit, start: (me) => startAlerts(me) };
