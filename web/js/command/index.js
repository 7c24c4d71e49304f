// The command centre: incidents, units and dispatch (the COMMAND view) and the live layers of
// open incidents and moving units on every view's map.
import command from "./view.js";
import { initLiveLayers } from "./layer.js";

/// The command centre's ledger actions in words (zh-CN, en).
const audit = {
  "incident.create": ["记录警情", "Incident recorded"],
  "incident.edit": ["修改警情", "Incident edited"],
  "incident.dispatch": ["派警", "Unit dispatched"],
  "incident.en_route": ["出警在途", "Unit en route"],
  "incident.on_scene": ["到达现场", "Unit on scene"],
  "incident.clear": ["现场处置完毕", "Incident cleared"],
  "incident.close": ["警情办结", "Incident closed"],
  "incident.cancel": ["撤销警情", "Incident cancelled"],
  "incident.reopen": ["重新开启警情", "Incident reopened"],
  "incident.note": ["添加备注", "Note added"],
  "incident.action": ["记录处置措施", "Action recorded"],
  "incident.attachment": ["添加附件", "Attachment added"],
  "incident.contact.read": ["查看报警人联系方式", "Caller's contact read"],
  "incident.import": ["导入历史警情", "Past incidents imported"],
  "unit.create": ["登记警力单元", "Unit registered"],
  "unit.status": ["设置单元状态", "Unit status set"],
};

export default { name: "command", views: [command], audit, start: (me) => initLiveLayers(me) };
