// One watch-list alert as a card: the plate read, exact or approximate, checkpoint and time, the
// entry it hit, and acknowledgement (签收) with an outcome.
import { api } from "../platform/api.js";
import { addStrings, fmtTime, t } from "../platform/i18n.js";
import { OUTCOMES, cpName, fill, hitText, problemDetail } from "./common.js";
import { html, put } from "../platform/dom.js";

addStrings({
  "zh-CN": {
    al_plate_read: "识别号牌",
    al_raised: "告警时间",
    al_entry: "布控",
    al_case: "案件",
    al_show: "在地图上显示",
    al_outcome: "处置结果",
    al_note: "备注（可选）",
    al_ack: "签收",
    al_acked: "已签收：{who} · {at} · {outcome}",
    al_ack_done: "告警 {plate} 已签收",
    al_users: "指定接收人",
  },
  en: {
    al_plate_read: "Plate read",
    al_raised: "Raised",
    al_entry: "Entry",
    al_case: "Case",
    al_show: "Show on map",
    al_outcome: "Outcome",
    al_note: "Note (optional)",
    al_ack: "Acknowledge",
    al_acked: "Acknowledged: {who} · {at} · {outcome}",
    al_ack_done: "Alert {plate} acknowledged",
    al_users: "Named receivers",
  },
});

const safeId = (id) => String(id).replace(/[^A-Za-z0-9_-]/g, "_");

/// A card (<li>) for alert `a`; `entry` is the watch-list entry when known. `onShow(a)` shows
/// it on the map; `onAcked(a)` gets the acknowledged alert; `say(msg, bad)` reports.
export function alertCard(a, entry, cps, { onShow, onAcked, say }) {
  const li = document.createElement("li");
  li.className = `card pl-alert ${a.acked_at ? "acked" : "open"} ${a.kind === "approximate" ? "approx" : "exact"}`;
  li.dataset.alert = a.id;
  const sid = safeId(a.id);
  const e = entry || {};
  put(li, html`<div class="row pl-alert-head"><strong class="pl-plate">${a.plate}</strong>
      <span class="pl-badge ${a.kind === "approximate" ? "approx" : "exact"}">${hitText(a)}</span></div>
    <dl class="pl-dl">
      <dt>${t("pl_checkpoint")}</dt><dd>${cpName(cps, a.checkpoint)}</dd>
      <dt>${t("pl_time")}</dt><dd>${fmtTime(a.ts)}</dd>
      <dt>${t("al_raised")}</dt><dd>${fmtTime(a.raised_at)}</dd>
      ${e.target ? html`<dt>${t("al_entry")}</dt><dd>${e.target} · ${t("r_" + e.reason)}</dd>` : ""}
      ${e.case_ref ? html`<dt>${t("al_case")}</dt><dd>${e.case_ref}</dd>` : ""}
      ${e.users && e.users.length ? html`<dt>${t("al_users")}</dt><dd>${e.users.join(", ")}</dd>` : ""}
      <dt>${t("pl_read_id")}</dt><dd>${a.read_id}</dd>
    </dl>
    <button type="button" class="secondary small" data-show>${t("al_show")}</button>
    ${a.acked_at ? html`<p class="ok">${fill("al_acked", { who: a.acked_by, at: fmtTime(a.acked_at), outcome: t("o_" + a.outcome) })}${a.outcome_note ? ` — ${a.outcome_note}` : ""}</p>`
    : html`<form class="pl-ack" aria-label="${t("al_ack")} ${a.plate}">
      <div><label for="ack-o-${sid}">${t("al_outcome")}</label><select id="ack-o-${sid}" required>
        ${OUTCOMES.map((o) => html`<option value="${o}">${t("o_" + o)}</option>`)}</select></div>
      <div><label for="ack-n-${sid}">${t("al_note")}</label><input id="ack-n-${sid}" maxlength="500" autocomplete="off"></div>
      <button type="submit">${t("al_ack")}</button></form>`}`);
  li.querySelector("[data-show]").addEventListener("click", () => onShow(a));
  const form = li.querySelector("form.pl-ack");
  if (form) form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const btn = form.querySelector("button");
    btn.disabled = true;
    const note = form.querySelector(`#ack-n-${sid}`).value.trim();
    try {
      const done = await api("POST", `/alerts/${encodeURIComponent(a.id)}/ack`, {
        outcome: form.querySelector(`#ack-o-${sid}`).value, ...(note ? { note } : {}),
      });
      say(fill("al_ack_done", { plate: a.plate }));
      onAcked(done);
    } catch (err) { btn.disabled = false; say(problemDetail(err), true); }
  });
  return li;
}
