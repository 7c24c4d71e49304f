// Small shared pieces of the UI: the map-click hook, the purpose dialog, CSV export, badges.
import { api } from "./api.js";
import { t, addStrings, currentLang } from "./i18n.js";
import { getMap } from "./map.js";
import { html, put, append } from "./dom.js";

addStrings({
  "zh-CN": {
    purpose_title: "查询用途",
    purpose_hint: "车辆通行数据和个人信息仅可为登记的用途、凭案件或警情编号查询；每次查询都记入审计日志。",
    purpose_code: "用途",
    purpose_ref: "案件/警情编号",
    purpose_ok: "确定",
    cancel: "取消",
    csv: "导出 CSV",
  },
  en: {
    purpose_title: "Purpose of this query",
    purpose_hint: "Plate reads and personal data may be queried only for a registered purpose with a case or incident reference; every query is written to the audit ledger.",
    purpose_code: "Purpose",
    purpose_ref: "Case / incident reference",
    purpose_ok: "OK",
    cancel: "Cancel",
    csv: "Export CSV",
  },
});

let clickHandler = null;
/// Sets the one handler for clicks on the map (a view's), replacing the previous view's.
export function onMapClick(f) {
  const map = getMap();
  if (!map) return;
  if (clickHandler) map.off("click", clickHandler);
  clickHandler = f;
  if (f) map.on("click", f);
}

let meta = null;
/// Reference lists from /meta (roles, purposes, time zone), fetched once.
export async function getMeta() {
  if (!meta) meta = await api("GET", "/meta");
  return meta;
}

let lastPurpose = null;
/// Asks for a purpose code and a case reference in a modal dialog; resolves to
/// `{purpose, reference}` or null when cancelled. `suggest` ({purpose, reference}) fills it in
/// when the caller knows what the access is for; otherwise the last answer is offered again.
export async function askPurpose(suggest = null) {
  const m = await getMeta();
  return new Promise((resolve) => {
    const dlg = document.createElement("dialog");
    dlg.className = "purpose";
    dlg.setAttribute("aria-labelledby", "purpose-title");
    const label = (p) => (currentLang() === "zh-CN" ? `${p.label_zh} (${p.code})` : p.code.replaceAll("_", " "));
    put(dlg, html`<form method="dialog"><h2 id="purpose-title">${t("purpose_title")}</h2>
      <p class="muted">${t("purpose_hint")}</p>
      <label for="purpose-code">${t("purpose_code")}</label>
      <select id="purpose-code" required>${m.purposes.map((p) => html`<option value="${p.code}">${label(p)}</option>`)}</select>
      <label for="purpose-ref">${t("purpose_ref")}</label>
      <input id="purpose-ref" autocomplete="off" placeholder="CASE-2015-0001">
      <p class="error" role="alert" id="purpose-error"></p>
      <div class="row"><button type="submit" value="ok">${t("purpose_ok")}</button>
      <button type="button" class="secondary" value="cancel">${t("cancel")}</button></div></form>`);
    document.body.append(dlg);
    const code = dlg.querySelector("#purpose-code");
    const ref = dlg.querySelector("#purpose-ref");
    const offer = suggest || lastPurpose;
    if (offer) { code.value = offer.purpose; ref.value = offer.reference || ""; }
    const done = (value) => { dlg.close(); dlg.remove(); resolve(value); };
    dlg.querySelector("button.secondary").addEventListener("click", () => done(null));
    dlg.addEventListener("cancel", (ev) => { ev.preventDefault(); done(null); });
    dlg.querySelector("form").addEventListener("submit", (ev) => {
      ev.preventDefault();
      const info = m.purposes.find((p) => p.code === code.value);
      const reference = ref.value.trim();
      if (info && info.needs_reference && !reference) {
        dlg.querySelector("#purpose-error").textContent = t("purpose_ref");
        ref.focus();
        return;
      }
      lastPurpose = { purpose: code.value, reference: reference || null };
      done(lastPurpose);
    });
    dlg.showModal();
    (lastPurpose ? ref : code).focus();
  });
}

/// A CSV cell a spreadsheet cannot run as a formula (CSV injection): text starting with
/// `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'` (numbers stay numbers), as
/// the server's exports do (pingan_core::cell).
export function neutraliseCell(s) {
  const risky = /^[=+\-@\t\r]/.test(s) && !(s.trim() !== "" && Number.isFinite(Number(s)));
  return risky || s.startsWith("'") ? `'${s}` : s;
}

/// Downloads rows (arrays of cells) as a CSV file, quoting as RFC 4180 says.
export function downloadCsv(filename, header, rows) {
  const cell = (v) => {
    const s = neutraliseCell(String(v ?? ""));
    return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
  };
  const text = [header, ...rows].map((r) => r.map(cell).join(",")).join("\r\n") + "\r\n";
  const url = URL.createObjectURL(new Blob(["\ufeff" + text], { type: "text/csv;charset=utf-8" }));
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/// An error's message for the panel, with a problem document's per-field errors when present.
export function problemText(e) {
  const errs = (e && e.problem && e.problem.errors) || [];
  return errs.length ? errs.slice(0, 5).map((x) => x.message || JSON.stringify(x)).join("; ") : (e && e.message) || String(e);
}

/// A link that is safe to put in an href: web and stream schemes, or a path of this API.
export function safeUrl(url) {
  const u = String(url || "");
  return /^(https?|rtsps?|rtmp):\/\//i.test(u) || u.startsWith("/api/") ? u : null;
}
