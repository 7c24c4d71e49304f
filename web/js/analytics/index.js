// Crime analytics over the incidents: hotspots, time profile, trend, near repeats, linkage.
import analytics from "./view.js";

/// Analytics' ledger actions in words (zh-CN, en).
const audit = { "analytics.run": ["警情数据分析", "Analysis of the incidents"] };

export default { name: "analytics", views: [analytics], audit };
