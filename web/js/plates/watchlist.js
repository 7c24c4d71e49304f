// Watch-list (布控) and its alerts: live alerts with acknowledgement (签收); entries with status;
// creating an entry (purpose and case); approval by a second person (four eyes); cancellation
// (撤控) with a reason; and decisions on other people's requests to query old reads.
import { api } from "../platform/api.js";
import { addStrings, fmtTime, t } from "../platform/i18n.js";
import { onEvent } from "../platform/stream.js";
import { askPurpose, downloadCsv, onMapClick } from "../platform/ui.js";
import { ALERT_ROLES, DAY_US, REASONS, can, checkpoints, cpName, fill, hitText, localToMicros, problemDetail, whoAmI, windowFields, nowMicros } from "./common.js";
import { alertCard } from "./alertlist.js";
import { renderDecide } from "./approvals.js";
import { flashCheckpoint } from "./layer.js";
import { html, put, append } from "../platform/dom.js";

addStrings({
  "zh-CN": {
    nav_watchlist: "布控",
    wl_title: "布控与告警",
    wl_alerts: "布控告警",
    wl_open_only: "只看未签收",
    wl_no_alerts: "暂无告警。",
    wl_entries: "布控名单",
    wl_none: "暂无布控。",
    wl_target: "布控对象",
    wl_reason: "布控原因",
    wl_case: "案件编号",
    wl_valid: "有效期",
    wl_status: "状态",
    wl_created: "创建人：",
    wl_approved: "审批人：",
    wl_s_pending: "待审批",
    wl_s_active: "布控中",
    wl_s_expired: "已过期",
    wl_s_cancelled: "已撤控",
    wl_approve: "审批通过",
    wl_cancel: "撤控",
    wl_own: "您创建的布控须由另一人审批（双人审核），本人不能审批。",
    wl_own_refused: "审批被拒绝：审批人必须是创建人以外的另一人（双人审核）。",
    wl_create: "新建布控",
    wl_target_hint: "完整号牌（如 鲁Q12345），或模式：? 代表一个字符，* 代表任意多个字符。",
    wl_receivers: "接收告警的角色",
    wl_users: "指定接收人（用户名，逗号分隔，可选）",
    wl_note: "说明（可选，最多 500 字）",
    wl_valid_hint: "有效期最长 90 天。",
    wl_submit: "提交审批",
    wl_created_ok: "布控 {id}（{target}）已创建，待另一人审批后生效。",
    wl_approved_ok: "布控 {id}（{target}）已审批，立即生效。",
    wl_cancel_title: "撤控 {target}",
    wl_cancel_reason: "撤控原因",
    wl_cancelled_ok: "布控 {id}（{target}）已撤控。",
    wl_no_purpose: "已取消：未说明用途和案件编号。",
    wl_need_role: "请至少选择一个接收角色",
    wl_entries_csv: "导出布控名单",
    wl_approvals: "审批",
    wl_by: "{who}",
    wl_actions: "操作",
  },
  en: {
    nav_watchlist: "Watch-list",
    wl_title: "Watch-list and alerts",
    wl_alerts: "Alerts",
    wl_open_only: "Unacknowledged only",
    wl_no_alerts: "No alerts.",
    wl_entries: "Entries",
    wl_none: "No entries.",
    wl_target: "Target",
    wl_reason: "Reason",
    wl_case: "Case",
    wl_valid: "Valid",
    wl_status: "Status",
    wl_created: "Created",
    wl_approved: "Approved",
    wl_s_pending: "pending",
    wl_s_active: "active",
    wl_s_expired: "expired",
    wl_s_cancelled: "cancelled",
    wl_approve: "Approve",
    wl_cancel: "Cancel (撤控)",
    wl_own: "You created this entry: another person must approve it (four eyes).",
    wl_own_refused: "Approval refused: the approver must be a different person from the creator (four eyes).",
    wl_create: "New entry",
    wl_target_hint: "A whole plate (鲁Q12345) or a pattern: ? stands for one character, * for any run.",
    wl_receivers: "Roles that receive the alerts",
    wl_users: "Named receivers (user names, comma-separated, optional)",
    wl_note: "Note (optional, at most 500 characters)",
    wl_valid_hint: "At most 90 days of validity.",
    wl_submit: "Submit for approval",
    wl_created_ok: "Entry {id} ({target}) created; it takes effect once another person approves it.",
    wl_approved_ok: "Entry {id} ({target}) approved; it matches from now on.",
    wl_cancel_title: "Cancel {target}",
    wl_cancel_reason: "Reason for cancelling",
    wl_cancelled_ok: "Entry {id} ({target}) cancelled.",
    wl_no_purpose: "Cancelled: no purpose and case reference given.",
    wl_need_role: "Choose at least one receiving role",
    wl_entries_csv: "Export entries",
    wl_approvals: "Approvals",
    wl_by: "by {who}",
    wl_actions: "Actions",
  },
});

// Entries seen in alert events (before the list has loaded): entry id → entry.
const seenEntries = new Map();

const statusText = (s) => t("wl_s_" + s);

function cancelDialog(w) {
  return new Promise((resolve) => {
    const dlg = document.createElement("dialog");
    dlg.setAttribute("aria-labelledby", "wl-cancel-h");
    put(dlg, html`<form method="dialog"><h2 id="wl-cancel-h">${fill("wl_cancel_title", { target: w.target })}</h2>
      <label for="wl-cancel-reason">${t("wl_cancel_reason")}</label>
      <textarea id="wl-cancel-reason" required maxlength="500" rows="3"></textarea>
      <div class="row"><button type="submit">${t("wl_cancel")}</button><button type="button" class="secondary">${t("cancel")}</button></div></form>`);
    document.body.append(dlg);
    const done = (v) => { dlg.close(); dlg.remove(); resolve(v); };
    dlg.querySelector("button.secondary").addEventListener("click", () => done(null));
    dlg.addEventListener("cancel", (ev) => { ev.preventDefault(); done(null); });
    dlg.querySelector("form").addEventListener("submit", (ev) => {
      ev.preventDefault();
      const r = dlg.querySelector("#wl-cancel-reason");
      if (!r.value.trim()) { r.focus(); return; }
      done(r.value.trim());
    });
    dlg.showModal();
    dlg.querySelector("#wl-cancel-reason").focus();
  });
}

export default {
  id: "watchlist", nav: 40, label: "nav_watchlist", permission: "handle_alerts",
  async render(panel) {
    onMapClick(null);
    const [me, cps] = await Promise.all([whoAmI(), checkpoints()]);
    const manage = can(me, "manage_watchlist");
    const approve = can(me, "approve_watchlist");
    let entries = [];
    let openOnly = true;

    put(panel, html`<div class="wl"><h2>${t("wl_title")}</h2>
      <p id="wl-status" class="pl-status" role="status" aria-live="polite"></p>
      <section aria-labelledby="wl-alerts-h"><h3 id="wl-alerts-h" tabindex="-1">${t("wl_alerts")}</h3>
        <div class="pl-check"><input type="checkbox" id="wl-open" checked><label for="wl-open">${t("wl_open_only")}</label></div>
        <ul id="wl-alert-list" class="pl-alerts"></ul></section>
      <section aria-labelledby="wl-entries-h"><h3 id="wl-entries-h" tabindex="-1">${t("wl_entries")}</h3>
        <button type="button" class="secondary" id="wl-csv">${t("wl_entries_csv")}</button><div id="wl-entries"></div></section>
      ${manage ? html`<section aria-labelledby="wl-create-h"><h3 id="wl-create-h">${t("wl_create")}</h3><form id="wl-create">
        <div><label for="wl-target">${t("wl_target")}</label><input id="wl-target" required autocomplete="off" spellcheck="false" placeholder="鲁Q12345" aria-describedby="wl-target-hint">
        <p class="muted" id="wl-target-hint">${t("wl_target_hint")}</p></div>
        <div><label for="wl-reason">${t("wl_reason")}</label><select id="wl-reason">${REASONS.map((r) => html`<option value="${r}">${t("r_" + r)}</option>`)}</select></div>
        ${windowFields("wl", nowMicros(), nowMicros() + 30 * DAY_US)}<p class="muted">${t("wl_valid_hint")}</p>
        <fieldset><legend>${t("wl_receivers")}</legend>${ALERT_ROLES.map((r) => html`<div class="pl-check"><input type="checkbox" id="wl-role-${r}" value="${r}" checked>
          <label for="wl-role-${r}">${t("role_" + r)}</label></div>`)}</fieldset>
        <div><label for="wl-users">${t("wl_users")}</label><input id="wl-users" autocomplete="off"></div>
        <div><label for="wl-note">${t("wl_note")}</label><textarea id="wl-note" rows="2" maxlength="500"></textarea></div>
        <div class="row"><button type="submit">${t("wl_submit")}</button></div></form></section>` : ""}
      ${approve ? html`<section aria-labelledby="wl-appr-h"><h3 id="wl-appr-h">${t("wl_approvals")}</h3>
        <div id="wl-decide"></div></section>` : ""}</div>`);

    const $ = (s) => panel.querySelector(s);
    const say = (msg, bad = false) => { const s = $("#wl-status"); s.textContent = msg; s.className = `pl-status ${bad ? "bad" : ""}`; };
    const entryOf = (id) => entries.find((w) => w.id === id) || seenEntries.get(id);
    const refusal = (e) => (e.status === 403 && /different person/.test(problemDetail(e)) ? t("wl_own_refused") : problemDetail(e));

    // ---- Alerts
    const handlers = {
      onShow: (a) => flashCheckpoint(a.checkpoint, true),
      onAcked: (a) => { replaceAlert(a); $("#wl-alerts-h").focus(); },
      say,
    };
    const list = $("#wl-alert-list");
    const empty = () => {
      if (!list.querySelector("li.pl-alert")) put(list, html`<li class="muted">${t("wl_no_alerts")}</li>`);
      else list.querySelectorAll("li.muted").forEach((li) => li.remove());
    };
    const replaceAlert = (a) => {
      const old = list.querySelector(`li[data-alert="${CSS.escape(a.id)}"]`);
      if (openOnly && a.acked_at) { if (old) old.remove(); empty(); return; }
      const card = alertCard(a, entryOf(a.entry_id), cps, handlers);
      if (old) old.replaceWith(card); else { list.prepend(card); }
      empty();
    };
    const loadAlerts = async () => {
      try {
        const rows = await api("GET", `/alerts?limit=200${openOnly ? "&open=true" : ""}`);
        list.replaceChildren();
        rows.forEach((a) => list.append(alertCard(a, entryOf(a.entry_id), cps, handlers)));
        empty();
      } catch (e) { say(problemDetail(e), true); }
    };
    $("#wl-open").addEventListener("change", (ev) => { openOnly = ev.target.checked; loadAlerts(); });

    // ---- Entries
    const loadEntries = async () => {
      try { entries = await api("GET", "/watchlist"); } catch (e) { say(problemDetail(e), true); return; }
      const box = $("#wl-entries");
      if (!box) return; // the view was left while the list loaded
      if (entries.length === 0) { put(box, html`<p class="muted">${t("wl_none")}</p>`); return; }
      put(box, html`<table class="pl-results wl-table"><thead><tr><th scope="col">${t("wl_target")}</th><th scope="col">${t("wl_status")}</th>
        <th scope="col"><span class="sr-only">${t("wl_actions")}</span></th></tr></thead><tbody>${entries.map((w) => html`<tr>
        <td><strong class="pl-plate">${w.target}</strong> <span class="muted">#${w.id}</span><br>${t("r_" + w.reason)} · ${w.case_ref}
        <br><span class="muted">${t("wl_valid")} ${fmtTime(w.valid_from)} – ${fmtTime(w.valid_to)}</span>
        ${w.note ? html`<br><span class="muted">${w.note}</span>` : ""}</td>
        <td><span class="pl-badge st-${w.status}">${statusText(w.status)}</span><br><span class="muted">${t("wl_created")} ${fill("wl_by", { who: w.created_by })}
        ${w.approved_by ? html`<br>${t("wl_approved")} ${fill("wl_by", { who: w.approved_by })}` : ""}
        ${w.cancelled_by ? html`<br>${statusText("cancelled")} ${fill("wl_by", { who: w.cancelled_by })}: ${w.cancel_reason || ""}` : ""}</span></td>
        <td class="pl-acts">${w.status === "pending" && approve ? (w.created_by === me.user.username
          ? html`<p class="muted pl-own">${t("wl_own")}</p>` : html`<button type="button" data-approve="${w.id}">${t("wl_approve")}</button>`) : ""}
        ${manage && (w.status === "pending" || w.status === "active") ? html`<button type="button" class="secondary" data-cancel="${w.id}">${t("wl_cancel")}</button>` : ""}</td></tr>`)}
        </tbody></table>`);
      box.querySelectorAll("[data-approve]").forEach((b) => b.addEventListener("click", () => approveEntry(Number(b.dataset.approve))));
      box.querySelectorAll("[data-cancel]").forEach((b) => b.addEventListener("click", async () => {
        const w = entryOf(Number(b.dataset.cancel));
        const reason = await cancelDialog(w);
        if (!reason) { b.focus(); return; }
        try {
          const r = await api("POST", `/watchlist/${w.id}/cancel`, { reason });
          say(fill("wl_cancelled_ok", r));
          await loadEntries();
          $("#wl-entries-h").focus();
        } catch (e) { say(problemDetail(e), true); }
      }));
    };

    const approveEntry = async (id) => {
      try {
        const r = await api("POST", `/watchlist/${id}/approve`);
        say(fill("wl_approved_ok", r));
        await loadEntries();
        return true;
      } catch (e) { say(`${id}: ${refusal(e)}`, true); return false; }
    };

    $("#wl-csv").addEventListener("click", () => downloadCsv("pingan-watchlist.csv",
        ["id", "target", "reason", "case_ref", "status", "valid_from", "valid_to", "created_by", "approved_by", "cancelled_by", "cancel_reason", "note"],
        entries.map((w) => [w.id, w.target, w.reason, w.case_ref, w.status, fmtTime(w.valid_from), fmtTime(w.valid_to), w.created_by,
          w.approved_by, w.cancelled_by, w.cancel_reason, w.note])));
    if (manage) {
      $("#wl-create").addEventListener("submit", async (ev) => {
        ev.preventDefault();
        const form = ev.target;
        if (!form.reportValidity()) return;
        const roles = ALERT_ROLES.filter((r) => $(`#wl-role-${r}`).checked);
        if (roles.length === 0) { say(t("wl_need_role"), true); return; }
        const validFrom = localToMicros($("#wl-from").value);
        const validTo = localToMicros($("#wl-to").value);
        if (validFrom === null || validTo === null) { say(t("pl_bad_time"), true); return; }
        const purpose = await askPurpose();
        if (!purpose) { say(t("wl_no_purpose"), true); return; }
        const users = $("#wl-users").value.split(/[,，\s]+/).map((u) => u.trim()).filter(Boolean);
        const note = $("#wl-note").value.trim();
        try {
          const w = await api("POST", "/watchlist", {
            purpose, target: $("#wl-target").value.trim().toUpperCase(), reason: $("#wl-reason").value,
            valid_from: validFrom, valid_to: validTo, receivers: { roles, users }, ...(note ? { note } : {}),
          });
          say(fill("wl_created_ok", w));
          $("#wl-target").value = "";
          $("#wl-note").value = "";
          await loadEntries();
        } catch (e) { say(problemDetail(e), true); }
      });
    }

    if (approve) await renderDecide($("#wl-decide"), me, say);

    await loadEntries();
    await loadAlerts();

    const off = onEvent((e) => {
      if (e.topic !== "alerts" || !e.data) return;
      if (e.data.entry) seenEntries.set(e.data.entry_id, { id: e.data.entry_id, ...e.data.entry });
      if (e.kind === "watchlist.hit") {
        replaceAlert(e.data);
        say(`${t("wl_alerts")}: ${e.data.plate} · ${cpName(cps, e.data.checkpoint)} · ${hitText(e.data)}`);
      } else if (e.kind === "watchlist.ack") replaceAlert(e.data);
      if (/^watchlist\.(created|approved|cancelled)/.test(e.kind)) loadEntries();
    });
    return () => { off(); };
  },
};
