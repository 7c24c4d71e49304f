// Investigation (研判): the plate queries Q1–Q7 with purpose and case, results on the map and in
// tables, CSV export, evidence into a case, and second-person approval of old windows.
import { api } from "../platform/api.js";
import { addStrings, fmtTime, t } from "../platform/i18n.js";
import { setOverlay } from "../platform/map.js";
import { onEvent } from "../platform/stream.js";
import { askPurpose, downloadCsv, onMapClick } from "../platform/ui.js";
import { checkpoints, cpName, fill, problemDetail, whoAmI } from "./common.js";
import { KINDS, buildQuery, fieldsHtml, summary, wireFields } from "./forms.js";
import { SceneEditor } from "./scenes.js";
import { dir, showResult } from "./results.js";
import { renderMine, requestApproval } from "./approvals.js";
import { html, put } from "../platform/dom.js";

addStrings({
  "zh-CN": {
    nav_investigate: "研判",
    inv_title: "车辆研判",
    inv_layer: "研判结果",
    inv_run: "查询",
    inv_running: "正在查询…",
    inv_result: "查询结果",
    inv_for: "用途 {purpose} · 编号 {reference}",
    inv_evidence_add: "将选中记录存入案件 {ref}",
    inv_evidence_none: "请先勾选过车记录",
    inv_evidence_done: "已将 {copied} 条记录存入案件 {case}（申请 {requested} 条；已在案的不重复存入）",
    inv_evidence_view: "查看案件证据",
    inv_evidence_title: "案件 {case} 的证据（{n} 条）",
    inv_copied_by: "存入人",
    inv_copied_at: "存入时间",
    inv_device: "设备",
    inv_cancelled: "已取消：未说明查询用途。",
    inv_prefilled: "已填入号牌 {plate}，请确认时段后查询。",
    inv_done: "查询完成：{n} 条结果",
    inv_approval_q: "须审批的查询",
  },
  en: {
    nav_investigate: "Investigation",
    inv_title: "Plate investigation",
    inv_layer: "Investigation results",
    inv_run: "Run query",
    inv_running: "Querying…",
    inv_result: "Results",
    inv_for: "Purpose {purpose} · reference {reference}",
    inv_evidence_add: "Copy the ticked reads into case {ref}",
    inv_evidence_none: "Tick some reads first",
    inv_evidence_done: "{copied} reads copied into case {case} ({requested} asked; reads already in the case are not copied twice)",
    inv_evidence_view: "Case evidence",
    inv_evidence_title: "Evidence of case {case} ({n} reads)",
    inv_copied_by: "Copied by",
    inv_copied_at: "Copied at",
    inv_device: "Device",
    inv_cancelled: "Cancelled: no purpose given.",
    inv_prefilled: "Plate {plate} filled in; check the window and run the query.",
    inv_done: "Query done: {n} results",
    inv_approval_q: "Query needing approval",
  },
});

// Kept across re-renders (language switch, coming back to the view).
const state = { kind: "trajectory", last: null, scenes: null };

export default {
  id: "investigate", nav: 30, label: "nav_investigate", permission: "query_plates",
  async render(panel) {
    const [me, cps] = await Promise.all([whoAmI(), checkpoints()]);
    const layer = L.layerGroup();
    const layerName = t("inv_layer");
    setOverlay(layerName, layer);
    let scenes = null;
    let shown = null;

    put(panel, html`<div class="inv"><h2>${t("inv_title")}</h2>
      <p id="inv-status" class="pl-status" role="status" aria-live="polite"></p>
      <form id="inv-form" novalidate>
        <div class="inv-kind"><label for="inv-kind">${t("f_kind")}</label><select id="inv-kind">
          ${KINDS.map((k) => html`<option value="${k}">${t("q_" + k)}</option>`)}</select></div>
        <p class="muted" id="inv-help"></p>
        <div id="inv-fields" class="pl-fields"></div>
        <div class="row"><button type="submit" id="inv-run">${t("inv_run")}</button></div>
      </form>
      <div id="inv-approval" class="card pl-approval" hidden></div>
      <section id="inv-result" aria-labelledby="inv-result-h" hidden>
        <h3 id="inv-result-h" tabindex="-1">${t("inv_result")}</h3><p class="muted" id="inv-for"></p>
        <div class="row pl-actions"><button type="button" class="secondary" id="inv-csv">${t("csv")}</button>
          <button type="button" class="secondary" id="inv-evidence"></button></div>
        <div id="inv-rows"></div>
      </section>
      <section id="inv-mine"></section>
      <div class="row"><button type="button" class="secondary" id="inv-evidence-view">${t("inv_evidence_view")}</button></div>
      <section id="inv-evidence-list"></section></div>`);

    const $ = (s) => panel.querySelector(s);
    const say = (msg, bad = false) => { const s = $("#inv-status"); s.textContent = msg; s.className = `pl-status ${bad ? "bad" : ""}`; };
    const kindSel = $("#inv-kind");

    const showFields = (prefill = {}) => {
      if (scenes) { state.scenes = scenes.destroy(); scenes = null; }
      onMapClick(null);
      const kind = kindSel.value;
      state.kind = kind;
      $("#inv-help").textContent = t("qh_" + kind);
      put($("#inv-fields"), fieldsHtml(kind, cps, prefill));
      wireFields($("#inv-fields"));
      if (kind === "multi_scene") scenes = new SceneEditor($("#q-scenes"), cps, (m) => say(m), state.scenes);
    };
    kindSel.value = state.kind;
    kindSel.addEventListener("change", () => showFields());
    showFields();

    const onPlate = (plate) => {
      const q = state.last && state.last.q;
      kindSel.value = "trajectory";
      showFields({ plate, from: q && q.from, to: q && q.to });
      say(fill("inv_prefilled", { plate }));
      $("#q-plate").focus();
    };

    const display = (ans, q, purpose) => {
      state.last = { ans, q, purpose };
      $("#inv-approval").hidden = true;
      $("#inv-result").hidden = false;
      $("#inv-for").textContent = `${summary(q)} · ${fill("inv_for", { purpose: purpose.purpose, reference: purpose.reference || "—" })}`;
      shown = showResult($("#inv-rows"), ans, q, cps, layer, { onPlate });
      const ev = $("#inv-evidence");
      ev.hidden = !(shown.hasReads && purpose.reference);
      ev.textContent = fill("inv_evidence_add", { ref: purpose.reference || "" });
    };

    const mine = () => renderMine($("#inv-mine"), me.user.username, (ans, q, purpose) => {
      display(ans, q, purpose);
      say(fill("inv_done", { n: ans.count }));
      $("#inv-result-h").focus();
    }, say);

    const offerApproval = (body, detail) => {
      const box = $("#inv-approval");
      box.hidden = false;
      put(box, html`<h3>${t("ap_title")}</h3><p class="bad">${detail}</p><p>${t("ap_needed")}</p>
        <p><strong>${t("inv_approval_q")}:</strong> ${summary(body.query)}</p>
        <button type="button" id="inv-ask">${t("ap_request")}</button>`);
      const btn = box.querySelector("#inv-ask");
      btn.addEventListener("click", async () => {
        btn.disabled = true;
        try {
          const a = await requestApproval(me.user.username, body);
          put(box, html`<p role="alert">${fill("ap_requested", { id: a.id })}</p>`);
          await mine();
        } catch (e) { btn.disabled = false; say(problemDetail(e), true); }
      });
      btn.focus();
    };

    $("#inv-form").addEventListener("submit", async (ev) => {
      ev.preventDefault();
      $("#inv-approval").hidden = true;
      let query;
      try { query = buildQuery(kindSel.value, $("#inv-fields"), scenes); } catch (e) { say(e.message, true); return; }
      const purpose = await askPurpose();
      if (!purpose) { say(t("inv_cancelled"), true); return; }
      const body = { purpose, query };
      const run = $("#inv-run");
      run.disabled = true;
      $("#inv-form").setAttribute("aria-busy", "true");
      say(t("inv_running"));
      try {
        const ans = await api("POST", "/plates/query", body);
        display(ans, query, purpose);
        if (scenes) scenes.draw();
        say(fill("inv_done", { n: ans.count }));
      } catch (e) {
        const detail = problemDetail(e);
        say(detail, true);
        if (e.status === 403 && ((e.problem && e.problem.code === "approval_required") || /approv|审批/i.test(detail))) offerApproval(body, detail);
      } finally {
        run.disabled = false;
        $("#inv-form").removeAttribute("aria-busy");
      }
    });

    $("#inv-csv").addEventListener("click", () => {
      if (!shown || !state.last) return;
      const stamp = new Date().toISOString().slice(0, 19).replace(/[-:]/g, "").replace("T", "-");
      downloadCsv(`pingan-${state.last.ans.kind}-${stamp}.csv`, shown.csv.header, shown.csv.rows);
    });

    $("#inv-evidence").addEventListener("click", async () => {
      const ids = shown ? shown.readIds() : [];
      if (ids.length === 0) { say(t("inv_evidence_none"), true); return; }
      try {
        const r = await api("POST", "/plates/evidence", { purpose: state.last.purpose, read_ids: ids });
        say(fill("inv_evidence_done", r));
      } catch (e) { say(problemDetail(e), true); }
    });

    $("#inv-evidence-view").addEventListener("click", async () => {
      const purpose = await askPurpose();
      if (!purpose) { say(t("inv_cancelled"), true); return; }
      const out = $("#inv-evidence-list");
      try {
        const q = new URLSearchParams({ purpose: purpose.purpose, reference: purpose.reference || "" });
        const r = await api("GET", `/plates/evidence?${q}`);
        const rows = r.reads || [];
        put(out, html`<h3 id="inv-ev-h">${fill("inv_evidence_title", { case: r.case, n: rows.length })}</h3>
          <button type="button" class="secondary" id="inv-ev-csv">${t("csv")}</button>
          <table aria-labelledby="inv-ev-h"><thead><tr><th scope="col">${t("pl_plate")}</th><th scope="col">${t("pl_time")}</th><th scope="col">${t("pl_checkpoint")}</th>
          <th scope="col">${t("inv_device")}</th><th scope="col">${t("inv_copied_by")}</th><th scope="col">${t("inv_copied_at")}</th></tr></thead><tbody>
          ${rows.map((e) => html`<tr><td>${e.read.plate}</td><td>${fmtTime(e.read.ts_us)}</td><td>${cpName(cps, e.read.checkpoint)} ${dir(e.read.direction)}</td>
          <td>${e.device_id}</td><td>${e.copied_by}</td><td>${fmtTime(e.copied_at)}</td></tr>`)}</tbody></table>`);
        out.querySelector("#inv-ev-csv").addEventListener("click", () => downloadCsv(`pingan-evidence-${r.case}.csv`,
          ["read_id", "plate", "time", "ts_us", "checkpoint", "checkpoint_name", "direction", "device_id", "copied_by", "copied_at", "purpose"],
          rows.map((e) => [e.read.id, e.read.plate, fmtTime(e.read.ts_us), e.read.ts_us, e.read.checkpoint, cpName(cps, e.read.checkpoint),
            e.read.direction, e.device_id, e.copied_by, fmtTime(e.copied_at), e.purpose])));
        out.querySelector("#inv-ev-h").setAttribute("tabindex", "-1");
        out.querySelector("#inv-ev-h").focus();
      } catch (e) { say(problemDetail(e), true); }
    });

    await mine();
    if (state.last) display(state.last.ans, state.last.q, state.last.purpose);
    const off = onEvent((e) => { if (/approval/.test(e.kind || "")) mine(); });

    return () => {
      off();
      if (scenes) state.scenes = scenes.destroy();
      onMapClick(null);
      setOverlay(layerName, null);
    };
  },
};
