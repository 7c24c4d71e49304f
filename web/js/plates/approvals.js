// Second-person approval of queries over old windows: the requester's list (request, run once)
// and the approver's decision (approve / reject, never one's own request).
//
// The API has no route that lists requests (only POST /plates/approvals and …/{id}/approve,
// /reject, /run). So the requester's browser remembers its requests, and an approver decides
// by the request number the requester passes on. When a GET /plates/approvals appears, both
// lists use it instead (probed once; a 404/405 means "not there").
import { api } from "../platform/api.js";
import { addStrings, fmtTime, t } from "../platform/i18n.js";
import { fill, problemDetail } from "./common.js";
import { summary } from "./forms.js";
import { html, put } from "../platform/dom.js";

addStrings({
  "zh-CN": {
    ap_title: "调取历史数据审批",
    ap_needed: "查询时段早于 7 天前，须由另一名有审批权限的人员批准后才能执行。",
    ap_request: "申请审批",
    ap_requested: "已提交审批申请 {id}。请把申请编号告知另一名侦查员或值班员审批，批准后在“我的审批申请”中执行。",
    ap_mine: "我的审批申请",
    ap_none: "暂无审批申请。",
    ap_id: "申请编号",
    ap_query: "查询",
    ap_status: "状态",
    ap_run: "执行",
    ap_forget: "移除",
    ap_copy: "复制编号",
    ap_copied: "已复制编号",
    ap_local: "此列表保存在本浏览器中。",
    ap_s_pending: "待审批",
    ap_s_approved: "已批准",
    ap_s_rejected: "已驳回",
    ap_s_used: "已执行",
    ap_decide_title: "审批他人的查询申请",
    ap_decide_hint: "输入申请人告知的申请编号。不能审批自己的申请（双人审核）。",
    ap_approve: "批准",
    ap_reject: "驳回",
    ap_decided: "申请 {id}：{what} · {query}（申请人 {who}）",
    ap_own: "本人的申请，须由他人审批",
    ap_pending_list: "待审批的查询申请",
    ap_requested_by: "申请人",
    ap_requested_at: "申请时间",
  },
  en: {
    ap_title: "Approval of queries over old reads",
    ap_needed: "The window reaches back more than 7 days: a second person who may approve must approve the query before it runs.",
    ap_request: "Request approval",
    ap_requested: "Approval request {id} sent. Give its number to another investigator or an operator; once approved, run it from “My approval requests”.",
    ap_mine: "My approval requests",
    ap_none: "No approval requests.",
    ap_id: "Request",
    ap_query: "Query",
    ap_status: "Status",
    ap_run: "Run",
    ap_forget: "Remove",
    ap_copy: "Copy number",
    ap_copied: "Number copied",
    ap_local: "This list is kept in this browser.",
    ap_s_pending: "pending",
    ap_s_approved: "approved",
    ap_s_rejected: "rejected",
    ap_s_used: "used",
    ap_decide_title: "Decide on another person's query request",
    ap_decide_hint: "Enter the request number the requester gave you. Nobody may approve their own request (four eyes).",
    ap_approve: "Approve",
    ap_reject: "Reject",
    ap_decided: "Request {id}: {what} · {query} (requested by {who})",
    ap_own: "Your own request: someone else must decide",
    ap_pending_list: "Query requests waiting for approval",
    ap_requested_by: "Requested by",
    ap_requested_at: "Requested at",
  },
});

let serverListing = null; // null: not probed; false: absent; true: present

/// The requests from the server, or null when the API has no listing route.
export async function serverApprovals(status) {
  if (serverListing === false) return null;
  try {
    const data = await api("GET", `/plates/approvals${status ? `?status=${status}` : ""}`);
    serverListing = true;
    return Array.isArray(data) ? data : data.approvals || data.rows || [];
  } catch (e) {
    if (e.status === 404 || e.status === 405) { serverListing = false; return null; }
    throw e;
  }
}

const key = (user) => `pingan.plates.approvals.${user}`;
function load(user) { try { return JSON.parse(localStorage.getItem(key(user)) || "[]"); } catch { return []; } }
function save(user, list) { localStorage.setItem(key(user), JSON.stringify(list.slice(0, 50))); }

function statusOf(e) {
  const m = /is (pending|approved|rejected|used)\b/.exec((e.problem && e.problem.detail) || "");
  return m ? m[1] : null;
}

/// Sends a request for approval of `body` ({purpose, query}); remembers it for its requester.
export async function requestApproval(user, body) {
  const a = await api("POST", "/plates/approvals", body);
  const list = load(user).filter((x) => x.id !== a.id);
  list.unshift(a);
  save(user, list);
  return a;
}

const statusText = (s) => t("ap_s_" + s) !== "ap_s_" + s ? t("ap_s_" + s) : s;

/// The requester's list in `root`; `onRun(answer, query, purpose)` shows an approved run's answer.
export async function renderMine(root, user, onRun, say) {
  let list = load(user);
  const fromServer = await serverApprovals().catch(() => null);
  if (fromServer) list = fromServer.filter((a) => a.requested_by === user);
  put(root, html`<h3 id="ap-mine-h">${t("ap_mine")}</h3>${fromServer ? "" : html`<p class="muted">${t("ap_local")}</p>`}
    ${list.length === 0 ? html`<p class="muted">${t("ap_none")}</p>` : html`<table aria-labelledby="ap-mine-h"><thead><tr><th scope="col">${t("ap_id")}</th>
    <th scope="col">${t("ap_query")}</th><th scope="col">${t("ap_status")}</th><th scope="col"></th></tr></thead><tbody>
    ${list.map((a, i) => html`<tr><td><code>${a.id}</code><br><button type="button" class="secondary small" data-copy="${i}">${t("ap_copy")}</button></td>
    <td>${summary(a.query)}<br><span class="muted">${fmtTime(a.query.from ?? (a.query.scenes && a.query.scenes[0].from))} – ${fmtTime(a.query.to ?? (a.query.scenes && a.query.scenes[0].to))}</span>
    <br><span class="muted">${a.purpose} · ${a.reference || ""}</span></td>
    <td>${statusText(a.status)}</td>
    <td class="row">${a.status === "used" || a.status === "rejected" ? "" : html`<button type="button" data-run="${i}">${t("ap_run")}</button>`}
    ${fromServer ? "" : html`<button type="button" class="secondary small" data-forget="${i}">${t("ap_forget")}</button>`}</td></tr>`)}
    </tbody></table>`}`);
  const update = (id, patch) => {
    const all = load(user).map((x) => (x.id === id ? { ...x, ...patch } : x));
    save(user, all);
  };
  root.querySelectorAll("[data-copy]").forEach((b) => b.addEventListener("click", async () => {
    try { await navigator.clipboard.writeText(list[Number(b.dataset.copy)].id); say(t("ap_copied")); } catch { /* the number is on screen */ }
  }));
  root.querySelectorAll("[data-forget]").forEach((b) => b.addEventListener("click", () => {
    const id = list[Number(b.dataset.forget)].id;
    save(user, load(user).filter((x) => x.id !== id));
    renderMine(root, user, onRun, say);
  }));
  root.querySelectorAll("[data-run]").forEach((b) => b.addEventListener("click", async () => {
    const a = list[Number(b.dataset.run)];
    b.disabled = true;
    try {
      const ans = await api("POST", `/plates/approvals/${encodeURIComponent(a.id)}/run`);
      update(a.id, { status: "used" });
      onRun(ans, a.query, { purpose: a.purpose, reference: a.reference });
    } catch (e) {
      const s = statusOf(e);
      if (s) update(a.id, { status: s });
      say(`${a.id}: ${problemDetail(e)}`, true);
    }
    renderMine(root, user, onRun, say);
  }));
}

/// The approver's part in `root`: a list of pending requests when the API lists them, and
/// always a form to decide by number.
export async function renderDecide(root, me, say) {
  const pending = await serverApprovals("pending").catch(() => null);
  const others = (pending || []).filter((a) => a.status === "pending");
  put(root, html`<h3>${t("ap_decide_title")}</h3><p class="muted">${t("ap_decide_hint")}</p>
    ${pending ? html`<h4>${t("ap_pending_list")}</h4>${others.length === 0 ? html`<p class="muted">${t("ap_none")}</p>` : html`<table><thead><tr>
      <th scope="col">${t("ap_id")}</th><th scope="col">${t("ap_query")}</th><th scope="col">${t("ap_requested_by")}</th><th scope="col"></th></tr></thead><tbody>
      ${others.map((a) => html`<tr><td><code>${a.id}</code></td><td>${summary(a.query)}<br><span class="muted">${a.purpose} · ${a.reference || ""}</span></td>
      <td>${a.requested_by}<br><span class="muted">${fmtTime(a.requested_at)}</span></td>
      <td class="row">${a.requested_by === me.user.username ? html`<span class="muted">${t("ap_own")}</span>` : html`<button type="button" data-ok="${a.id}">${t("ap_approve")}</button>
      <button type="button" class="secondary" data-no="${a.id}">${t("ap_reject")}</button>`}</td></tr>`)}</tbody></table>`}` : ""}
    <form id="ap-decide" class="pl-inline"><div><label for="ap-id">${t("ap_id")}</label>
    <input id="ap-id" required autocomplete="off" spellcheck="false" placeholder="qa-0123456789abcdef" pattern="qa-[0-9a-fA-F]+"></div>
    <div class="row"><button type="submit" value="approve">${t("ap_approve")}</button>
    <button type="button" class="secondary" id="ap-reject">${t("ap_reject")}</button></div></form>`);
  const decide = async (id, approve) => {
    try {
      const a = await api("POST", `/plates/approvals/${encodeURIComponent(id)}/${approve ? "approve" : "reject"}`);
      say(fill("ap_decided", { id: a.id, what: statusText(a.status), query: summary(a.query), who: a.requested_by }));
      root.querySelector("#ap-id").value = "";
      if (pending) renderDecide(root, me, say);
    } catch (e) { say(`${id}: ${problemDetail(e)}`, true); }
  };
  root.querySelectorAll("[data-ok]").forEach((b) => b.addEventListener("click", () => decide(b.dataset.ok, true)));
  root.querySelectorAll("[data-no]").forEach((b) => b.addEventListener("click", () => decide(b.dataset.no, false)));
  const form = root.querySelector("#ap-decide");
  form.addEventListener("submit", (ev) => { ev.preventDefault(); decide(form.querySelector("#ap-id").value.trim(), true); });
  root.querySelector("#ap-reject").addEventListener("click", () => {
    const inp = form.querySelector("#ap-id");
    if (!inp.reportValidity()) return;
    decide(inp.value.trim(), false);
  });
}
