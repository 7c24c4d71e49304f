// The patrol programme: the plans view (draw up, publish, figures) and the officer's page.
import "./strings.js";
import plans from "./plans.js";
import field from "./field.js";

/// The patrol programme's ledger actions in words (zh-CN, en).
const audit = {
  "patrol.plan.create": ["制定巡逻计划", "Patrol plan drawn up"],
  "patrol.plan.edit": ["修改巡逻计划", "Patrol plan edited"],
  "patrol.plan.publish": ["发布巡逻计划", "Patrol plan published"],
  "patrol.plan.cancel": ["撤销巡逻计划", "Patrol plan cancelled"],
  "patrol.duty.start": ["巡逻上岗", "Signed on for patrol"],
  "patrol.duty.end": ["巡逻下岗", "Signed off patrol"],
  "patrol.log": ["巡逻现场记录", "Field log written"],
  "patrol.visit.tactics": ["记录巡逻措施", "Tactics recorded"],
  "patrol_log.import": ["导入历史巡逻记录", "Past field logs imported"],
  "patrol_duty.import": ["导入历史巡逻班次", "Past patrol shifts imported"],
};

export default { name: "patrols", views: [field, plans], audit };
