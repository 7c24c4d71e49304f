// Strings and labels of the command centre (the COMMAND view and the live incident/unit
// layers): incident states, actions, unit statuses, sources, priorities, refusal reasons.
import { addStrings, currentLang, t } from "../i18n.js";

addStrings({
  "zh-CN": {
    nav_command: "指挥调度", cmd_title: "指挥调度",
    cmd_layer_open: "警情（未结）", cmd_layer_closed: "警情（24小时内已结）", cmd_layer_units: "警力单位",
    cmd_tab_queue: "警情队列", cmd_tab_units: "单位状态", cmd_tab_new: "新建警情",
    cmd_state: "状态", cmd_priority: "优先级", cmd_town: "乡镇", cmd_all: "全部", cmd_all_open: "全部未结",
    cmd_type: "类型", cmd_age: "已过", cmd_received: "接警时间", cmd_source: "来源", cmd_id: "编号",
    cmd_queue_empty: "没有符合条件的未结警情。", cmd_queue_count: "条未结警情",
    cmd_select: "查看", cmd_selected: "正在查看", cmd_outside: "辖区外", cmd_none: "—",
    cmd_description: "警情描述", cmd_address: "地址", cmd_location: "位置", cmd_grid: "网格", cmd_road: "最近道路",
    cmd_created_by: "接警人", cmd_version: "版本", cmd_times: "处置时间", cmd_close_detail: "关闭详情",
    cmd_contact: "报警人联系方式", cmd_contact_show: "查看报警人联系方式（需说明用途）", cmd_contact_none: "未登记报警人联系方式",
    cmd_contact_need_perm: "已登记联系方式；查看需要“读取个人信息”权限。", cmd_contact_name: "姓名", cmd_contact_phone: "电话",
    cmd_contact_empty: "无记录",
    cmd_refusal_finished: "警情已结束，请先重新开启", cmd_refusal_no_unit: "尚未指派单位，请先派警",
    cmd_refusal_already_en_route: "单位已在途中", cmd_refusal_already_on_scene: "单位已到达现场",
    cmd_refusal_already_cleared: "已处置完毕", cmd_refusal_not_on_scene: "尚无单位到达现场；如需终止请撤销",
    cmd_refusal_already_closed: "已结案", cmd_refusal_cancelled_stays: "已撤销的警情不能结案",
    cmd_refusal_not_cleared: "须先处置完毕才能结案", cmd_refusal_already_finished: "警情已结束",
    cmd_refusal_still_open: "警情仍未结束",
    cmd_actions: "处置操作", cmd_reason: "原因", cmd_reason_hint: "撤销和重新开启需填写原因（1–500字）。", cmd_confirm: "确认",
    cmd_units_assigned: "已指派单位", cmd_no_units: "尚未指派单位",
    cmd_recs: "推荐单位（按道路行程时间）", cmd_recs_none: "没有可派的空闲单位（需有位置）。", cmd_refresh: "刷新",
    cmd_eta: "预计到达", cmd_road_km: "道路距离", cmd_straight_km: "直线距离", cmd_dispatch_unit: "派警",
    cmd_straight_fallback: "直线估算", cmd_straight_fallback_hint: "该单位离路网过远或无路可达，按直线 30 km/h 估算",
    cmd_stale: "位置过时", cmd_no_fix: "无位置",
    cmd_cameras: "可见该位置的摄像机", cmd_cameras_none: "没有摄像机能看到该位置。", cmd_live: "实时", cmd_playback: "回放",
    cmd_show_all: "显示全部", cmd_show_less: "收起", cmd_checkpoints: "附近卡口", cmd_distance: "距离",
    cmd_timeline: "时间线", cmd_add_entry: "添加记录", cmd_entry_kind: "记录类型", cmd_entry_text: "内容", cmd_entry_link: "链接（http(s):// 或 /api/）",
    cmd_kind_note: "备注", cmd_kind_action: "处置动作", cmd_kind_attachment: "附件链接", cmd_kind_edit: "修改", cmd_kind_transition: "流转",
    cmd_add: "添加", cmd_added: "已添加记录",
    cmd_edit_priority: "调整优先级", cmd_save: "保存", cmd_saved: "已保存",
    cmd_refused: "操作被拒绝", cmd_conflict: "他人已先行修改，以下为当前状态", cmd_current_state: "当前状态", cmd_current_units: "当前单位",
    cmd_dispatched_ok: "已派警", cmd_transition_ok: "操作完成",
    cmd_new_hint: "在地图上点击警情位置，然后填写表单。", cmd_new_pick: "请先在地图上点击警情位置。",
    cmd_new_no_perm: "您没有派警权限，不能新建警情。",
    cmd_caller_name: "报警人姓名（可选）", cmd_caller_phone: "报警人电话（可选）", cmd_create: "创建警情", cmd_created: "已创建警情",
    cmd_choose_type: "请选择类型",
    cmd_unit: "单位", cmd_call_sign: "呼号", cmd_position_age: "位置更新", cmd_incident: "警情", cmd_set_status: "设置状态",
    cmd_set: "设置", cmd_assigned_hint: "已指派给警情，请在警情中处置", cmd_crew: "警员", cmd_speed: "速度",
    cmd_status_set: "单位状态已更新", cmd_new_incident: "新警情", cmd_incident_changed: "警情状态变化",
    cmd_open_in_command: "在指挥调度中打开", cmd_centre: "在地图上定位",
    cmd_s: "秒", cmd_min: "分", cmd_h: "小时", cmd_d: "天", cmd_ago: "前", cmd_kmh: "公里/小时",
    cmd_p1: "P1 特急", cmd_p2: "P2 紧急", cmd_p3: "P3 一般", cmd_p4: "P4 非紧急",
    cmd_st_received: "已接警", cmd_st_dispatched: "已派警", cmd_st_en_route: "出警途中", cmd_st_on_scene: "到达现场",
    cmd_st_cleared: "处置完毕", cmd_st_closed: "已结案", cmd_st_cancelled: "已撤销", cmd_st_reopened: "重新开启",
    cmd_ac_dispatch: "派警", cmd_ac_en_route: "出发", cmd_ac_on_scene: "到达现场", cmd_ac_clear: "处置完毕",
    cmd_ac_close: "结案", cmd_ac_cancel: "撤销", cmd_ac_reopen: "重新开启",
    cmd_us_available: "空闲", cmd_us_on_patrol: "巡逻中", cmd_us_dispatched: "已派出", cmd_us_en_route: "途中",
    cmd_us_on_scene: "在现场", cmd_us_busy: "忙碌", cmd_us_off_duty: "离岗",
    cmd_src_phone_110: "110 报警电话", cmd_src_walk_in: "来所报案", cmd_src_officer_on_view: "民警现场发现",
    cmd_src_watchlist_hit: "布控命中", cmd_src_camera_detection: "视频检测", cmd_src_grid_report: "网格上报",
    cmd_uk_car: "警车", cmd_uk_motorbike: "摩托车", cmd_uk_foot: "步巡",
  },
  en: {
    nav_command: "Command", cmd_title: "Command centre",
    cmd_layer_open: "Incidents (open)", cmd_layer_closed: "Incidents (closed, last 24 h)", cmd_layer_units: "Units",
    cmd_tab_queue: "Queue", cmd_tab_units: "Units", cmd_tab_new: "New incident",
    cmd_state: "Status", cmd_priority: "Priority", cmd_town: "Town", cmd_all: "All", cmd_all_open: "All open",
    cmd_type: "Type", cmd_age: "Age", cmd_received: "Received", cmd_source: "Source", cmd_id: "Id",
    cmd_queue_empty: "No open incidents match.", cmd_queue_count: "open incidents",
    cmd_select: "View", cmd_selected: "Viewing", cmd_outside: "outside the district", cmd_none: "—",
    cmd_description: "Description", cmd_address: "Address", cmd_location: "Location", cmd_grid: "Grid", cmd_road: "Nearest road",
    cmd_created_by: "Taken by", cmd_version: "Version", cmd_times: "Response times", cmd_close_detail: "Close details",
    cmd_contact: "Caller contact", cmd_contact_show: "Show the caller's contact (purpose needed)", cmd_contact_none: "No caller contact on record",
    cmd_contact_need_perm: "A contact is on record; reading it needs the read_personal_data permission.", cmd_contact_name: "Name", cmd_contact_phone: "Phone",
    cmd_contact_empty: "none",
    cmd_refusal_finished: "It is finished; reopen it first", cmd_refusal_no_unit: "No unit is assigned; dispatch one first",
    cmd_refusal_already_en_route: "The units are already en route", cmd_refusal_already_on_scene: "The units are already on scene",
    cmd_refusal_already_cleared: "It is already cleared", cmd_refusal_not_on_scene: "No unit has reached the scene; cancel it instead",
    cmd_refusal_already_closed: "It is already closed", cmd_refusal_cancelled_stays: "A cancelled incident stays cancelled",
    cmd_refusal_not_cleared: "It must be cleared before it is closed", cmd_refusal_already_finished: "It is already finished",
    cmd_refusal_still_open: "It is still open",
    cmd_actions: "Actions", cmd_reason: "Reason", cmd_reason_hint: "Cancelling and reopening need a reason (1–500 characters).", cmd_confirm: "Confirm",
    cmd_units_assigned: "Assigned units", cmd_no_units: "No unit assigned yet",
    cmd_recs: "Recommended units (by road travel time)", cmd_recs_none: "No free unit with a position to send.", cmd_refresh: "Refresh",
    cmd_eta: "ETA", cmd_road_km: "By road", cmd_straight_km: "Straight line", cmd_dispatch_unit: "Dispatch",
    cmd_straight_fallback: "straight-line estimate", cmd_straight_fallback_hint: "The unit is too far from the road network or has no road connection: estimated in a straight line at 30 km/h",
    cmd_stale: "position stale", cmd_no_fix: "no position",
    cmd_cameras: "Cameras that can see the spot", cmd_cameras_none: "No camera can see this spot.", cmd_live: "Live", cmd_playback: "Playback",
    cmd_show_all: "Show all", cmd_show_less: "Show fewer", cmd_checkpoints: "Checkpoints nearby", cmd_distance: "Distance",
    cmd_timeline: "Timeline", cmd_add_entry: "Add to the timeline", cmd_entry_kind: "Kind", cmd_entry_text: "Text", cmd_entry_link: "Link (http(s):// or /api/)",
    cmd_kind_note: "Note", cmd_kind_action: "Action taken", cmd_kind_attachment: "Attachment link", cmd_kind_edit: "Edit", cmd_kind_transition: "Transition",
    cmd_add: "Add", cmd_added: "Added to the timeline",
    cmd_edit_priority: "Change priority", cmd_save: "Save", cmd_saved: "Saved",
    cmd_refused: "Refused", cmd_conflict: "Someone else changed it first; this is the current state", cmd_current_state: "Current status", cmd_current_units: "Current units",
    cmd_dispatched_ok: "Dispatched", cmd_transition_ok: "Done",
    cmd_new_hint: "Click the incident's location on the map, then fill in the form.", cmd_new_pick: "Click the incident's location on the map first.",
    cmd_new_no_perm: "You may not dispatch, so you cannot record incidents.",
    cmd_caller_name: "Caller's name (optional)", cmd_caller_phone: "Caller's phone (optional)", cmd_create: "Create incident", cmd_created: "Incident created",
    cmd_choose_type: "Choose a type",
    cmd_unit: "Unit", cmd_call_sign: "Call sign", cmd_position_age: "Position", cmd_incident: "Incident", cmd_set_status: "Set status",
    cmd_set: "Set", cmd_assigned_hint: "Assigned to an incident: handle it there", cmd_crew: "Crew", cmd_speed: "Speed",
    cmd_status_set: "Unit status updated", cmd_new_incident: "New incident", cmd_incident_changed: "Incident status changed",
    cmd_open_in_command: "Open in the command view", cmd_centre: "Show on the map",
    cmd_s: "s", cmd_min: "min", cmd_h: "h", cmd_d: "d", cmd_ago: "ago", cmd_kmh: "km/h",
    cmd_p1: "P1 critical", cmd_p2: "P2 urgent", cmd_p3: "P3 normal", cmd_p4: "P4 low",
    cmd_st_received: "received", cmd_st_dispatched: "dispatched", cmd_st_en_route: "en route", cmd_st_on_scene: "on scene",
    cmd_st_cleared: "cleared", cmd_st_closed: "closed", cmd_st_cancelled: "cancelled", cmd_st_reopened: "reopened",
    cmd_ac_dispatch: "Dispatch", cmd_ac_en_route: "En route", cmd_ac_on_scene: "On scene", cmd_ac_clear: "Clear",
    cmd_ac_close: "Close", cmd_ac_cancel: "Cancel incident", cmd_ac_reopen: "Reopen",
    cmd_us_available: "available", cmd_us_on_patrol: "on patrol", cmd_us_dispatched: "dispatched", cmd_us_en_route: "en route",
    cmd_us_on_scene: "on scene", cmd_us_busy: "busy", cmd_us_off_duty: "off duty",
    cmd_src_phone_110: "110 call", cmd_src_walk_in: "walk-in", cmd_src_officer_on_view: "officer on view",
    cmd_src_watchlist_hit: "watch-list hit", cmd_src_camera_detection: "camera detection", cmd_src_grid_report: "grid report",
    cmd_uk_car: "car", cmd_uk_motorbike: "motorbike", cmd_uk_foot: "on foot",
  },
});

export const OPEN_STATES = ["received", "reopened", "dispatched", "en_route", "on_scene"];
export const SOURCES = ["phone_110", "walk_in", "officer_on_view", "watchlist_hit", "camera_detection", "grid_report"];
export const UNIT_STATUSES = ["available", "on_patrol", "dispatched", "en_route", "on_scene", "busy", "off_duty"];
/** The statuses an operator may set by hand (the others come from incidents). */
export const HAND_STATUSES = ["available", "on_patrol", "busy", "off_duty"];

export const isOpen = (state) => !["cleared", "closed", "cancelled"].includes(state);
export const stateLabel = (s) => t(`cmd_st_${s}`);
export const actionLabel = (a) => t(`cmd_ac_${a}`);
export const unitStatusLabel = (s) => t(`cmd_us_${s}`);
export const sourceLabel = (s) => t(`cmd_src_${s}`);
export const unitKindLabel = (k) => t(`cmd_uk_${k}`);
export const priorityLabel = (p) => t(`cmd_p${p}`);

/** The actions the lifecycle allows from a state (the server decides; this orders the buttons). */
export function actionsFor(state) {
  switch (state) {
    case "received": case "reopened": return ["cancel"];
    case "dispatched": return ["en_route", "on_scene", "cancel"];
    case "en_route": return ["on_scene", "cancel"];
    case "on_scene": return ["clear", "cancel"];
    case "cleared": return ["close", "reopen"];
    case "closed": case "cancelled": return ["reopen"];
    default: return [];
  }
}
export const acceptsUnits = (state) => OPEN_STATES.includes(state);
export const needsReason = (action) => action === "cancel" || action === "reopen";

/** A refusal in the interface language, from its stable code (`current.reason_code`, see
 * pingan_core::incident::Refusal); the server's English words when the code is unknown. */
export function reasonText(code, words) {
  const key = `cmd_refusal_${code}`;
  const text = code ? t(key) : "";
  return text && text !== key ? text : words || "";
}

/** A duration in seconds as "3 分 12 秒" / "3 min 12 s". */
export function fmtAge(seconds) {
  if (seconds == null || !Number.isFinite(seconds)) return t("cmd_none");
  const s = Math.max(0, Math.round(seconds));
  const sp = currentLang() === "zh-CN" ? "" : " ";
  if (s < 60) return `${s}${sp}${t("cmd_s")}`;
  if (s < 3600) return `${Math.floor(s / 60)}${sp}${t("cmd_min")}${s % 60 ? ` ${s % 60}${sp}${t("cmd_s")}` : ""}`;
  if (s < 86400) return `${Math.floor(s / 3600)}${sp}${t("cmd_h")} ${Math.floor((s % 3600) / 60)}${sp}${t("cmd_min")}`;
  return `${Math.floor(s / 86400)}${sp}${t("cmd_d")} ${Math.floor((s % 86400) / 3600)}${sp}${t("cmd_h")}`;
}

export { safeUrl } from "../ui.js";
