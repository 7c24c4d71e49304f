// ANALYTICS (态势分析), for analysts and leaders: the recorded incidents of a window, type and
// town through the analytics engine — density hotspots and Gi* hot and cold cells on the map,
// the hour × weekday profile, the weekly trend with unusual weeks, and the near-repeat (Knox)
// test. Each answer is drawn by analytics/render.js; the map layers leave with the view.
import { api } from "../platform/api.js";
import { addStrings, currentLang, fill, t, utcMsToWall, wallToUtcMs } from "../platform/i18n.js";
import { getMap, setOverlay } from "../platform/map.js";
import { problemText } from "../platform/ui.js";
import * as store from "../command/store.js";
import { densityImage, giLayer, hotspotLayer, renderHotspots, renderKnox, renderProfile, renderTrend } from "./render.js";
import { linkageLayer, renderLinkage } from "./linkage.js";
import { html, put } from "../platform/dom.js";

addStrings({
  "zh-CN": {
    nav_analytics: "态势分析",
    an_title: "治安态势分析",
    an_type: "警情类型",
    an_all_types: "全部类型",
    an_all_of: "{label}（全部）",
    an_town: "镇街",
    an_all_towns: "全部镇街",
    an_from: "起始日期",
    an_to: "截止日期（含）",
    an_run: "分析",
    an_running: "正在分析…",
    an_done: "分析完成：{n} 起警情",
    an_no_events: "所选时段、类型和镇街内没有警情。",
    an_bad_dates: "请填写起止日期，且起始不晚于截止。",
    an_layer_kde: "分析：密度与热点",
    an_layer_gi: "分析：Gi* 冷热点格",
    an_hint: "数据来自已登记的警情，截至点击“分析”之时；时间按辖区时区计。",
    an_link_h: "串并案分析",
    an_link_hint: "按地点、时间、类型和作案手法描述，找出可能为同一作案人所为的其他警情（不限上方时段）。",
    an_case: "警情编号",
    an_link_run: "查找关联警情",
    an_layer_link: "分析：串并案",
  },
  en: {
    nav_analytics: "Analytics",
    an_title: "Crime analytics",
    an_type: "Incident type",
    an_all_types: "All types",
    an_all_of: "{label} (all)",
    an_town: "Town",
    an_all_towns: "All towns",
    an_from: "From",
    an_to: "To (inclusive)",
    an_run: "Analyse",
    an_running: "Analysing…",
    an_done: "Done: {n} incidents",
    an_no_events: "No incidents in this window, type and town.",
    an_bad_dates: "Give both dates, the first not after the second.",
    an_layer_kde: "Analytics: density and hotspots",
    an_layer_gi: "Analytics: Gi* hot and cold cells",
    an_hint: "From the incidents recorded when you press Analyse; times on the district's clock.",
    an_link_h: "Serial-case linkage",
    an_link_hint: "Other incidents likely by the same offender, by place, time, type and the words of the modus operandi (any date, not only the window above).",
    an_case: "Incident id",
    an_link_run: "Find linked incidents",
    an_layer_link: "Analytics: linked incidents",
  },
});

const DAY_MS = 86400e3;
// The form, kept across re-renders (language switch, coming back to the view).
const form = { type: "", town: "", from: null, to: null };


/** The filter the form asks for: types (a parent type means all its children), town, window. */
function filterFrom(types) {
  const f = {};
  if (form.type) {
    const kids = types.filter((x) => x.parent === form.type).map((x) => x.code);
    f.types = kids.length ? [form.type, ...kids] : [form.type];
  }
  if (form.town) f.towns = [form.town];
  const from = wallToUtcMs(`${form.from}T00:00`);
  const to = wallToUtcMs(`${form.to}T00:00`);
  if (from == null || to == null || from > to) return null;
  f.from = new Date(from).toISOString();
  f.to = new Date(to + DAY_MS).toISOString();
  return f;
}

export default {
  id: "analytics", nav: 60, label: "nav_analytics", permission: "run_analytics",
  async render(panel) {
    // The taxonomy and the towns, as the command store already holds them.
    await store.ready();
    const types = store.types.length ? store.types : await api("GET", "/incident-types");
    const towns = store.towns;
    // A link may carry the filter (`#/analytics?type=theft&town=…&from=YYYY-MM-DD&to=…`, as the
    // view writes it after each run) or a case to link (`?kind=linkage&case_id=…`).
    const asked = new URLSearchParams(location.hash.split("?")[1] || "");
    const DATE = /^\d{4}-\d{2}-\d{2}$/;
    if (DATE.test(asked.get("from") || "") && DATE.test(asked.get("to") || "")) {
      // The link says the whole filter: what it leaves out is "all".
      form.type = types.some((x) => x.code === asked.get("type")) ? asked.get("type") : "";
      form.town = towns.some((x) => x.name === asked.get("town")) ? asked.get("town") : "";
      form.from = asked.get("from");
      form.to = asked.get("to");
    }
    if (!form.to) {
      const today = utcMsToWall(Date.now()).slice(0, 10);
      form.to = today;
      form.from = utcMsToWall(Date.now() - 89 * DAY_MS).slice(0, 10);
    }
    const zh = currentLang() === "zh-CN";
    const typeLabel = (x) => (zh ? x.label_zh : x.label_en);
    const typeOptions = types.filter((x) => !x.parent).map((p) => {
      const kids = types.filter((x) => x.parent === p.code);
      const own = html`<option value="${p.code}">${kids.length ? fill("an_all_of", { label: typeLabel(p) }) : typeLabel(p)}</option>`;
      return html`${own}${kids.map((k) => html`<option value="${k.code}">\u3000${typeLabel(k)}</option>`)}`;
    });

    put(panel, html`<div class="an"><h2>${t("an_title")}</h2><p class="muted">${t("an_hint")}</p>
      <form id="an-form" class="an-form" novalidate>
        <div><label for="an-type">${t("an_type")}</label><select id="an-type"><option value="">${t("an_all_types")}</option>${typeOptions}</select></div>
        <div><label for="an-town">${t("an_town")}</label><select id="an-town"><option value="">${t("an_all_towns")}</option>
          ${towns.map((x) => html`<option value="${x.name}">${!zh && x.name_en ? `${x.name_en} (${x.name})` : x.name}</option>`)}</select></div>
        <div><label for="an-from">${t("an_from")}</label><input id="an-from" type="date" required></div>
        <div><label for="an-to">${t("an_to")}</label><input id="an-to" type="date" required></div>
        <div class="row"><button type="submit" id="an-run">${t("an_run")}</button></div>
      </form>
      <p id="an-status" class="pl-status" role="status" aria-live="polite"></p>
      <section id="an-hotspots" class="an-sec" hidden></section>
      <section id="an-profile" class="an-sec" hidden></section>
      <section id="an-trend" class="an-sec" hidden></section>
      <section id="an-knox" class="an-sec" hidden></section>
      <section id="an-linkage" class="an-sec" aria-labelledby="an-link-h"><h3 id="an-link-h" tabindex="-1">${t("an_link_h")}</h3>
        <p class="muted">${t("an_link_hint")}</p>
        <form id="an-link-form" class="row" novalidate><label for="an-case">${t("an_case")}</label>
          <input id="an-case" autocomplete="off" required placeholder="INC-…"><button type="submit" id="an-link-run">${t("an_link_run")}</button></form>
        <div id="an-link-out" aria-live="polite"></div></section></div>`);
    const $ = (s) => panel.querySelector(s);
    $("#an-type").value = form.type;
    $("#an-town").value = form.town;
    $("#an-from").value = form.from;
    $("#an-to").value = form.to;

    let alive = true;
    let run = 0;
    const status = (text, bad = false) => { $("#an-status").textContent = text; $("#an-status").classList.toggle("bad", bad); };

    async function analyse() {
      form.type = $("#an-type").value;
      form.town = $("#an-town").value;
      form.from = $("#an-from").value;
      form.to = $("#an-to").value;
      const filter = filterFrom(types);
      if (!filter) { status(t("an_bad_dates"), true); $("#an-from").focus(); return; }
      const link = new URLSearchParams(Object.entries({ type: form.type, town: form.town, from: form.from, to: form.to }).filter(([, v]) => v));
      history.replaceState(null, "", `#/analytics?${link}`);
      const mine = ++run;
      status(t("an_running"));
      $("#an-run").disabled = true;
      const body = (params = {}) => ({ source: "incidents", filter, params });
      const calls = {
        png: api("POST", "/analytics/kde/png", body(), { binary: true }),
        kde: api("POST", "/analytics/kde", body({ top_n: 5, cell_floor: 0.99 })),
        gi: api("POST", "/analytics/gistar", body({ only_significant: true, permutations: 99 })),
        profile: api("POST", "/analytics/profile", body()),
        trend: api("POST", "/analytics/trend", body()),
        knox: api("POST", "/analytics/knox", body({ permutations: 199 })),
      };
      const names = Object.keys(calls);
      const settled = await Promise.allSettled(Object.values(calls));
      if (!alive || mine !== run) return;
      $("#an-run").disabled = false;
      const got = Object.fromEntries(names.map((k, i) => [k, settled[i]]));
      const failed = settled.filter((r) => r.status === "rejected");
      clearLayers();
      if (failed.length === settled.length) {
        for (const id of ["hotspots", "profile", "trend", "knox"]) $(`#an-${id}`).hidden = true;
        const p = failed[0].reason && failed[0].reason.problem;
        const empty = p && (p.errors || []).some((e) => e.field === "filter");
        status(empty ? t("an_no_events") : problemText(failed[0].reason), true);
        return;
      }
      const ok = (k) => (got[k].status === "fulfilled" ? got[k].value : null);
      const err = (k) => (got[k].status === "rejected" ? problemText(got[k].reason) : null);
      const kde = ok("kde");
      if (kde || ok("png")) {
        const group = L.layerGroup();
        if (ok("png")) group.addLayer(await densityImage(ok("png")).catch(() => L.layerGroup()));
        if (kde) group.addLayer(hotspotLayer(kde.result.hotspots));
        if (!alive || mine !== run) return;
        setOverlay("an_layer_kde", group);
        layers.push("an_layer_kde");
      }
      if (ok("gi")) { setOverlay("an_layer_gi", giLayer(ok("gi").result.cells)); layers.push("an_layer_gi"); }
      renderHotspots($("#an-hotspots"), { kde, png: ok("png"), gi: ok("gi"), error: err("kde") || err("png") }, (lonLat) => {
        const map = getMap();
        if (map) map.setView([lonLat[1], lonLat[0]], Math.max(map.getZoom(), 14));
      });
      renderProfile($("#an-profile"), ok("profile"), err("profile"));
      renderTrend($("#an-trend"), ok("trend"), err("trend"));
      renderKnox($("#an-knox"), ok("knox"), err("knox"));
      const n = [kde, ok("profile"), ok("trend"), ok("knox")].find(Boolean);
      status(fill("an_done", { n: n ? n.events_used : 0 }));
    }

    const layers = []; // the analysis's (density, Gi*); the linkage layer is apart
    let linkShown = false;
    function clearLayers() { while (layers.length) setOverlay(layers.pop(), null); }

    async function link() {
      const id = $("#an-case").value.trim();
      const out = $("#an-link-out");
      if (!id) { $("#an-case").focus(); return; }
      $("#an-link-run").disabled = true;
      try {
        const answer = await api("POST", "/analytics/linkage", { source: "incidents", params: { case_id: id, top_k: 10 } });
        if (!alive) return;
        renderLinkage(out, answer);
        const shown = await linkageLayer(answer);
        if (!alive) return;
        setOverlay("an_layer_link", shown);
        linkShown = !!shown;
        if (shown) {
          const map = getMap();
          if (map && shown.getLayers().length) map.fitBounds(shown.getBounds().pad(0.3), { maxZoom: 15 });
        }
      } catch (e) {
        if (alive) put(out, html`<p class="bad">${problemText(e)}</p>`);
      } finally {
        $("#an-link-run").disabled = false;
      }
    }

    $("#an-form").addEventListener("submit", (ev) => { ev.preventDefault(); analyse(); });
    $("#an-link-form").addEventListener("submit", (ev) => { ev.preventDefault(); link(); });
    analyse();
    // `#/analytics?kind=linkage&case_id=…` (the tour's link) opens on the linkage of that case.
    if (asked.get("case_id")) {
      $("#an-case").value = asked.get("case_id");
      $("#an-link-h").focus();
      link();
    }

    return () => {
      alive = false;
      clearLayers();
      if (linkShown) setOverlay("an_layer_link", null);
    };
  },
};
