// The auditor's view of the ledger: filters, keyset paging, chain verification.
import { api } from "./api.js";
import { t, fmtTime } from "./i18n.js";
import { onMapClick } from "./ui.js";
import { html, put, append } from "./dom.js";

/// An object type in the reader's language where the UI has a word for it (devices' kinds), as
/// stored otherwise.
function objectLabel(type) {
  const key = `kind_${type}`;
  const label = t(key);
  return label === key ? type : label;
}

export default {
  id: "audit", nav: 70, label: "nav_audit", permission: "read_audit",
  async render(panel) {
    onMapClick(null);
    put(panel, html`<h2>${t("audit_title")}</h2>
      <div class="row"><button id="verify">${t("audit_verify")}</button><span id="verify-out" role="status"></span></div>
      <form id="audit-filter" class="row" style="margin-top:.5rem">
        <label for="f-actor">${t("actor")}</label><input id="f-actor" size="10">
        <label for="f-action">${t("action")}</label><input id="f-action" size="10">
        <button type="submit">${t("filter")}</button></form>
      <table><thead><tr><th>#</th><th>${t("time")}</th><th>${t("actor")}</th><th>${t("action")}</th><th>${t("object")}</th><th>${t("outcome")}</th></tr></thead>
      <tbody id="audit-rows"></tbody></table><button id="audit-more" class="secondary" hidden>${t("more")}</button>`);
    let after = null;
    const load = async (reset) => {
      if (reset) { after = null; panel.querySelector("#audit-rows").replaceChildren(); }
      const q = new URLSearchParams({ limit: "50" });
      const actor = panel.querySelector("#f-actor").value.trim();
      const action = panel.querySelector("#f-action").value.trim();
      if (actor) q.set("actor", actor);
      if (action) q.set("action", action);
      if (after) q.set("after", after);
      const page = await api("GET", `/audit?${q}`);
      const rows = panel.querySelector("#audit-rows");
      for (const e of page.entries) {
        const tr = document.createElement("tr");
        put(tr, html`<td>${e.seq}</td><td>${fmtTime(e.at)}</td><td>${e.actor}</td><td><code>${e.action}</code></td>
          <td>${objectLabel(e.object_type)} ${e.object_id || ""}</td><td class="${e.outcome === "success" ? "ok" : "bad"}">${t(`outcome_${e.outcome}`)}</td>`);
        rows.append(tr);
      }
      after = page.next_after;
      panel.querySelector("#audit-more").hidden = !after;
    };
    panel.querySelector("#audit-filter").addEventListener("submit", (ev) => { ev.preventDefault(); load(true); });
    panel.querySelector("#audit-more").addEventListener("click", () => load(false));
    panel.querySelector("#verify").addEventListener("click", async () => {
      const r = await api("GET", "/audit/verify");
      const out = panel.querySelector("#verify-out");
      out.className = r.ok ? "ok" : "bad";
      out.textContent = r.ok ? `${t("audit_ok")} (${r.entries_checked} ${t("entries")})` : `${t("audit_broken")} #${r.first_broken_seq}: ${r.problem}`;
    });
    await load(true);
  },
};
