// The auditor's view of the ledger, made to answer "who looked at what, and why": newest first,
// every filter the API has (actor, action, object, purpose, reference, outcome, window), the
// purpose and reference of each entry, actions in words in the interface's language, keyset
// paging, CSV export of what is shown, and chain verification. The map is hidden here: the
// ledger needs the whole width.
import { api } from "./api.js";
import { addStrings, currentLang, fmtTime, t, wallToUtcMs } from "./i18n.js";
import { downloadCsv, getMeta, onMapClick, problemText } from "./ui.js";
import { getMap } from "./map.js";
import { actionWords } from "./registry.js";
import { html, nothing, put } from "./dom.js";
import { lifecycle } from "./life.js";

addStrings({
  "zh-CN": {
    au_hint: "最新的记录在前。每一次查看车辆通行数据和个人信息都带有用途和案件/警情编号。",
    au_object_type: "对象类型",
    au_object_id: "对象编号",
    au_from: "起始时间",
    au_to: "截止时间",
    au_any: "全部",
    au_action_hint: "操作代码前缀，如 plates. 或 incident.",
    au_export: "导出CSV",
    au_shown: "已显示 {n} 条",
    au_none: "没有符合条件的记录",
    au_role: "角色",
    au_clear: "清除筛选",
    au_table: "审计日志记录",
  },
  en: {
    au_hint: "Newest first. Every look at plate reads or personal data carries its purpose and case or incident reference.",
    au_object_type: "Object type",
    au_object_id: "Object id",
    au_from: "From",
    au_to: "Until",
    au_any: "Any",
    au_action_hint: "An action code prefix, such as plates. or incident.",
    au_export: "Export CSV",
    au_shown: "{n} shown",
    au_none: "No entries match",
    au_role: "Role",
    au_clear: "Clear filters",
    au_table: "Audit ledger entries",
  },
});

const OUTCOMES = ["success", "denied", "failed"];
const TEXT_FILTERS = ["actor", "action", "object_type", "object_id", "reference"];

/// A ledger action in the reader's language, or its code when no capability names it.
export function actionLabel(code) {
  const w = actionWords(code);
  return w ? w[currentLang() === "zh-CN" ? 0 : 1] : code;
}

/// An object type in the reader's language where the UI has a word for it (devices' kinds), as
/// stored otherwise.
function objectLabel(type) {
  const key = `kind_${type}`;
  const label = t(key);
  return label === key ? type : label;
}

function roleLabel(role) {
  return role ? t(`role_${role}`) : "";
}

export default {
  id: "audit", nav: 70, label: "nav_audit", permission: "read_audit",
  async render(panel) {
    onMapClick(null);
    const life = lifecycle();
    const mapEl = document.getElementById("map");
    mapEl.hidden = true;
    panel.classList.add("audit-wide");
    life.add(() => {
      mapEl.hidden = false;
      panel.classList.remove("audit-wide");
      const m = getMap();
      if (m) m.invalidateSize();
    });
    const meta = await getMeta();
    const purposeLabel = (code) => {
      if (!code) return "";
      const p = meta.purposes.find((x) => x.code === code);
      return currentLang() === "zh-CN" && p ? p.label_zh : code.replaceAll("_", " ");
    };
    put(panel, html`<h2>${t("audit_title")}</h2>
      <p class="muted">${t("au_hint")}</p>
      <div class="row"><button id="verify" type="button">${t("audit_verify")}</button><span id="verify-out" role="status"></span></div>
      <form id="audit-filter" class="au-filters">
        <div><label for="f-actor">${t("actor")}</label><input id="f-actor" autocomplete="off"></div>
        <div><label for="f-action">${t("action")}</label><input id="f-action" autocomplete="off" title="${t("au_action_hint")}" placeholder="plates."></div>
        <div><label for="f-object_type">${t("au_object_type")}</label><input id="f-object_type" autocomplete="off"></div>
        <div><label for="f-object_id">${t("au_object_id")}</label><input id="f-object_id" autocomplete="off"></div>
        <div><label for="f-purpose">${t("purpose")}</label><select id="f-purpose"><option value="">${t("au_any")}</option>
          ${meta.purposes.map((p) => html`<option value="${p.code}">${purposeLabel(p.code)}</option>`)}</select></div>
        <div><label for="f-reference">${t("reference")}</label><input id="f-reference" autocomplete="off"></div>
        <div><label for="f-outcome">${t("outcome")}</label><select id="f-outcome"><option value="">${t("au_any")}</option>
          ${OUTCOMES.map((o) => html`<option value="${o}">${t(`outcome_${o}`)}</option>`)}</select></div>
        <div><label for="f-from">${t("au_from")}</label><input id="f-from" type="datetime-local"></div>
        <div><label for="f-to">${t("au_to")}</label><input id="f-to" type="datetime-local"></div>
        <div class="row au-actions"><button type="submit">${t("filter")}</button>
          <button type="button" class="secondary" id="audit-clear">${t("au_clear")}</button>
          <button type="button" class="secondary" id="audit-export">${t("au_export")}</button></div>
      </form>
      <p class="error" role="alert" id="audit-error"></p>
      <p class="muted" id="audit-count" role="status"></p>
      <div class="au-table" tabindex="0" role="region" aria-label="${t("au_table")}"><table>
        <thead><tr><th>#</th><th>${t("time")}</th><th>${t("actor")}</th><th>${t("action")}</th><th>${t("object")}</th>
          <th>${t("purpose")}</th><th>${t("reference")}</th><th>${t("outcome")}</th></tr></thead>
        <tbody id="audit-rows"></tbody></table></div>
      <button id="audit-more" class="secondary" type="button" hidden>${t("more")}</button>`);
    const $ = (s) => panel.querySelector(s);
    let before = null;
    let shown = [];
    let generation = 0;

    function query() {
      const q = new URLSearchParams({ limit: "50", order: "newest" });
      for (const k of TEXT_FILTERS) {
        const v = $(`#f-${k}`).value.trim();
        if (v) q.set(k, v);
      }
      for (const k of ["purpose", "outcome"]) if ($(`#f-${k}`).value) q.set(k, $(`#f-${k}`).value);
      for (const k of ["from", "to"]) {
        const ms = wallToUtcMs($(`#f-${k}`).value);
        if (ms !== null) q.set(k, new Date(ms).toISOString());
      }
      return q;
    }

    const row = (e) => html`<td>${e.seq}</td><td class="au-time">${fmtTime(e.at)}</td>
      <td>${e.actor}${e.role ? html`<br><span class="muted">${roleLabel(e.role)}</span>` : nothing}</td>
      <td>${actionLabel(e.action)}<br><code class="muted">${e.action}</code></td>
      <td>${objectLabel(e.object_type)}${e.object_id ? html`<br><span class="muted">${e.object_id}</span>` : nothing}</td>
      <td>${purposeLabel(e.purpose)}</td><td>${e.reference || ""}</td>
      <td class="${e.outcome === "success" ? "ok" : "bad"}">${t(`outcome_${e.outcome}`)}</td>`;

    async function load(reset) {
      const mine = reset ? ++generation : generation;
      const err = $("#audit-error");
      err.textContent = "";
      const q = query();
      if (!reset && before) q.set("before", before);
      let page;
      try {
        page = await api("GET", `/audit?${q}`);
      } catch (e) {
        if (mine === generation && !life.disposed) err.textContent = problemText(e);
        return;
      }
      if (mine !== generation || life.disposed) return;
      const body = $("#audit-rows");
      if (reset) { body.replaceChildren(); shown = []; }
      for (const e of page.entries) {
        const tr = document.createElement("tr");
        put(tr, row(e));
        body.append(tr);
      }
      shown = shown.concat(page.entries);
      before = page.next_before ?? null;
      $("#audit-more").hidden = !before;
      $("#audit-count").textContent = shown.length ? t("au_shown").replace("{n}", shown.length) : t("au_none");
    }

    life.listen($("#audit-filter"), "submit", (ev) => { ev.preventDefault(); load(true); });
    life.listen($("#audit-clear"), "click", () => {
      $("#audit-filter").reset();
      load(true);
    });
    life.listen($("#audit-more"), "click", () => load(false));
    life.listen($("#audit-export"), "click", () => {
      downloadCsv("audit-ledger.csv",
        ["seq", "at", "time", "actor", "role", "action", "action_words", "object_type", "object_id", "purpose", "reference", "outcome", "request_id"],
        shown.map((e) => [e.seq, e.at, fmtTime(e.at), e.actor, e.role || "", e.action, actionLabel(e.action), e.object_type,
          e.object_id || "", e.purpose || "", e.reference || "", e.outcome, e.request_id || ""]));
    });
    life.listen($("#verify"), "click", async () => {
      const out = $("#verify-out");
      try {
        const r = await api("GET", "/audit/verify");
        out.className = r.ok ? "ok" : "bad";
        out.textContent = r.ok ? `${t("audit_ok")} (${r.entries_checked} ${t("entries")})` : `${t("audit_broken")} #${r.first_broken_seq}: ${r.problem}`;
      } catch (e) { out.className = "bad"; out.textContent = problemText(e); }
    });
    await load(true);
    return life.dispose;
  },
};
