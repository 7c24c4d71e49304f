// The guided tour of the report's stories, as the demo district carries them: each step says
// which account to use and has buttons that take you there. Facts (times, places, cameras,
// descriptions) are read from the API by id when the signed-in role may read them, so the tour
// never shows stale facts; the ids and plates come from the demo's own record (GET /demo/tour).
import { api } from "../platform/api.js";
import { addStrings, fmtNum, fmtTime, t, utcMsToWall } from "../platform/i18n.js";
import { getMeta } from "../platform/ui.js";
import { hasView } from "../platform/registry.js";
import { isoUtc } from "../video/time.js";
import { html, put } from "../platform/dom.js";

addStrings({
  "zh-CN": {
    nav_tour: "导览",
    tour_title_demo: "演示导览",
    tour_title: "报告故事导览",
    tour_intro: "按步骤重现2015年临港区平安建设报告中的故事（演示辖区中的日期与报告不同，以下时间、地点和摄像机均取自系统数据）。每一步注明应使用的账号（演示密码 pingan-demo），按钮会带您到相应位置。",
    tour_not_demo: "此服务器不是演示环境，故事中的记录可能不存在。",
    tour_you: "当前账号：{who}（{role}）",
    tour_account: "使用账号",
    tour_switch: "切换为 {u}",
    tour_step: "第 {n} 步",
    tour_missing: "此区域数据中没有该记录。",
    tour_need: "以 {u} 登录可查看此项。",
    tour_loading: "读取中…",
    s1_title: "连环盗窃自行车：壮岗供销商场",
    s1_text: "报告中：5月8日和13日，同一商场门口两次发生自行车被盗，视频显示为同一人；5月28日蹲守民警当场抓获嫌疑人，经查其在邻县作案多起。",
    s1_series: "系列案编号",
    s1_cams: "看得到商场门口的摄像机",
    s1_go_spot: "在地图上查看商场及看得到它的摄像机（第一次被盗时段的回放）",
    s1_go_cam: "摄像机 {id}",
    s1_go_incident: "打开警情 {id}",
    s1_go_linkage: "串并案分析（分析员）",
    s2_title: "板团路垃圾箱被盗：白色货车的轨迹",
    s2_text: "报告中：西朱沙沟村支部书记报案：村里放在板团路边的大型铁质垃圾箱被盗。调取路段视频发现一辆可疑白色货车，再查其号牌经过的卡口轨迹，跟踪抓获。",
    s2_plate: "货车号牌",
    s2_checkpoints: "经过 {n} 个卡口",
    s2_go_spot: "查看案发地及看得到它的摄像机（案发夜间回放）",
    s2_go_traj: "查询 {plate} 的轨迹（侦查员；超过7天需第二人审批）",
    s2_approval: "查询超过7天的数据需另一人批准：侦查员提交申请，值班员批准，侦查员执行；每一步都记入审计日志（以审计员登录查看）。",
    s3_title: "伴随车辆",
    s3_text: "{lead} 多次被 {follow} 在90秒内尾随通过同一卡口（伴随分析：间隔90秒、至少3次）。",
    s3_go: "查询 {plate} 的伴随车辆（侦查员）",
    s4_title: "布控的被盗车辆",
    s4_text: "被盗车辆 {plate} 已列入布控名单；实时演示开始约 {min} 分钟后它经过 {cp}，告警实时推送给值班员和侦查员，需签收并填写处置结果。",
    s4_entry: "布控记录",
    s4_go_cp: "在地图上查看卡口 {cp}",
    s4_go_alerts: "打开告警",
    s4_go_watch: "打开布控名单",
    s5_title: "打击多发性侵财犯罪专项行动",
    s5_text: "报告：自4月开展专项行动以来，共侦破多发性侵财案件61起，打掉犯罪团伙19个，为群众挽回经济损失80万余元。",
    s5_live: "本辖区数据（近365天）",
    s5_incidents: "警情总数",
    s5_thefts: "盗窃类警情",
    s5_go: "打开分析",
    s_desc: "接警时间、地点、报警内容",
    s_incident: "警情",
  },
  en: {
    nav_tour: "Tour",
    tour_title_demo: "Demo tour",
    tour_title: "Guided tour of the report's stories",
    tour_intro: "Step through the stories of the 2015 report on Linggang district's public-safety programme (the demo district's dates differ from the report's; the times, places and cameras below are read from the system). Each step names the account to use (demo password pingan-demo); its buttons take you there.",
    tour_not_demo: "This server is not a demo: the stories' records may not exist here.",
    tour_you: "Signed in as {who} ({role})",
    tour_account: "Account",
    tour_switch: "Switch to {u}",
    tour_step: "Step {n}",
    tour_missing: "This record is not in this district's data.",
    tour_need: "Sign in as {u} to see this.",
    tour_loading: "Loading…",
    s1_title: "Serial bicycle theft at the Zhuanggang store",
    s1_text: "In the report: May 8 and May 13: bicycles stolen outside the same supply-and-marketing store; video shows the same person both times. On May 28 an officer posted there catches the thief in the act, who turns out to have done many more in neighbouring counties.",
    s1_series: "Series",
    s1_cams: "Cameras that see the store's entrance",
    s1_go_spot: "Show the store and the cameras that see it (playback of the first theft)",
    s1_go_cam: "Camera {id}",
    s1_go_incident: "Open incident {id}",
    s1_go_linkage: "Serial-case linkage (analyst)",
    s2_title: "The dumpster stolen on Bantuan Road: the white truck's trajectory",
    s2_text: "In the report: a village secretary reports a large iron dumpster stolen from the roadside of Bantuan Road. The road's video shows a white truck acting oddly; its plate's trajectory through the checkpoints leads to the thief.",
    s2_plate: "The truck's plate",
    s2_checkpoints: "passed {n} checkpoints",
    s2_go_spot: "Show the spot and the cameras that see it (playback of that night)",
    s2_go_traj: "Trajectory of {plate} (investigator; older than 7 days needs a second person)",
    s2_approval: "Data older than 7 days needs a second person: the investigator asks, the operator approves, the investigator runs it; every step is in the audit ledger (sign in as auditor).",
    s3_title: "Vehicles travelling together",
    s3_text: "{lead} is followed by {follow} through the same checkpoints within 90 s, again and again (co-travel: 90 s, at least 3 occasions).",
    s3_go: "Co-travel of {plate} (investigator)",
    s4_title: "The stolen car on the watch-list",
    s4_text: "The stolen car {plate} is on the watch-list; about {min} minutes into the live run it passes {cp}; the alert reaches operators and investigators live, to be acknowledged with an outcome.",
    s4_entry: "Watch-list entry",
    s4_go_cp: "Show checkpoint {cp} on the map",
    s4_go_alerts: "Open alerts",
    s4_go_watch: "Open the watch-list",
    s5_title: "The property-crime campaign",
    s5_text: "The report: since April's campaign against high-volume property crime, 61 cases solved, 19 gangs broken up, more than 800,000 yuan of losses recovered.",
    s5_live: "This district's data (last 365 days)",
    s5_incidents: "Incidents",
    s5_thefts: "Thefts",
    s5_go: "Open analytics",
    s_desc: "Received, place, report",
    s_incident: "Incident",
  },
});

/// The stories' ids and plates, from `GET /demo/tour` (the generator's own record of what it
/// planted, so they follow the seed); everything else is read from the API by id. Outside the
/// demo the seed-1 ids are shown, and each fact then says it is missing.
const SEED1 = {
  bike: { incidents: ["inc-story-bike-1", "inc-story-bike-2", "inc-story-bike-arrest"], cameras: ["cam-0001", "cam-0002"], series: "series-zg-bicycle" },
  dumpster: { incident: "inc-story-dumpster", cameras: ["cam-0003", "cam-0004", "cam-0005"], plate: "鲁Q440NG", passes: 8, from: null, to: null },
  cotravel: { leader: "鲁Q0B045", follower: "鲁Q15734", from: null, to: null },
  stolen: { plate: "鲁Q02J74", checkpoint: "kk-01", offsetMin: 10 },
};

function storyFrom(tour) {
  const s = tour && tour.stories;
  if (!s) return SEED1;
  const times = (list, key) => (list || []).map((p) => p[key]).filter((x) => typeof x === "number");
  const span = (ts) => (ts.length ? { from: Math.min(...ts) / 1000 - 3600000, to: Math.max(...ts) / 1000 + 3600000 } : { from: null, to: null });
  const dumpSpan = span(times(s.dumpster.trajectory, "at"));
  const coSpan = span(times(s.co_travel.passes, "leader_at"));
  return {
    bike: { incidents: [...s.bicycle.thefts, s.bicycle.arrest], cameras: s.bicycle.cameras, series: s.bicycle.series },
    dumpster: { incident: s.dumpster.incident, cameras: s.dumpster.cameras, plate: s.dumpster.plate, passes: s.dumpster.trajectory.length, ...dumpSpan },
    cotravel: { leader: s.co_travel.leader, follower: s.co_travel.follower, ...coSpan },
    stolen: { plate: s.stolen_car.plate, checkpoint: s.stolen_car.checkpoint, offsetMin: Math.round(s.stolen_car.live_offset / 60e6) },
  };
}

const ROLE_OF = { operator: "operator", investigator: "investigator", analyst: "analyst", auditor: "auditor" };

const hashLink = (view, params) => `#/${view}?${new URLSearchParams(params)}`;
const go = (href, text) => html`<a class="button-link" href="${href}">${text}</a>`;

async function tryGet(path) {
  try { return { ok: await api("GET", path) }; } catch (e) { return { status: e.status || 0 }; }
}

// The tour appears in the demo only: /meta says `demo: true|false`. A server that does not say
// (no `demo` field) gets the tour for every role, worded as a guided tour of the report's stories.
let demoState; // undefined: not asked yet; null: the server does not say; true/false
function learnDemo() {
  demoState = null;
  getMeta().then((m) => {
    demoState = typeof m.demo === "boolean" ? m.demo : null;
    if (demoState === false) window.dispatchEvent(new HashChangeEvent("hashchange")); // drop the nav entry
  }).catch(() => { demoState = undefined; });
}

export default {
  id: "tour", nav: 90, label: "nav_tour",
  get permission() {
    if (demoState === undefined) learnDemo();
    return demoState === false ? "demo_only" : "view_map";
  },
  async render(panel) {
    put(panel, html`<p class="muted">${t("tour_loading")}</p>`);
    const [me, meta] = await Promise.all([api("GET", "/auth/me"), getMeta().catch(() => ({}))]);
    const perms = new Set(me.permissions);
    const demo = meta.demo === true;
    const STORY = storyFrom(demo ? await api("GET", "/demo/tour").catch(() => null) : null);
    const notDemo = meta.demo === false;
    const accounts = (list) => html`<p class="tour-who"><strong>${t("tour_account")}:</strong> ${list.map((u) => html`<code>${u}</code>${ROLE_OF[u] === me.user.role ? " ✓" : ""}`).join(", ")}
      ${list.some((u) => ROLE_OF[u] === me.user.role) ? "" : list.map((u) => html`<button type="button" class="secondary vid-small" data-switch="${u}">${t("tour_switch").replace("{u}", u)}</button>`)}</p>`;
    const step = (n, id, title, body) => html`<li class="card tour-step" id="tour-${id}"><h3><span class="muted">${t("tour_step").replace("{n}", n)}</span> ${title}</h3>${body}</li>`;

    put(panel, html`<div class="tour"><h2>${t(demo ? "tour_title_demo" : "tour_title")}</h2>
      <p class="muted">${t("tour_intro")}</p>${notDemo ? html`<p class="bad">${t("tour_not_demo")}</p>` : ""}
      <p>${t("tour_you").replace("{who}", me.user.display_name).replace("{role}", t(`role_${me.user.role}`))}</p>
      <ol class="tour-steps">
      ${step(1, "bike", t("s1_title"), html`<p>${t("s1_text")}</p>${accounts(["operator", "investigator", "analyst"])}<div id="tour-bike-facts"></div>`)}
      ${step(2, "dumpster", t("s2_title"), html`<p>${t("s2_text")}</p>${accounts(["investigator", "operator", "auditor"])}<div id="tour-dumpster-facts"></div>`)}
      ${step(3, "cotravel", t("s3_title"), html`<p>${t("s3_text").replace("{lead}", STORY.cotravel.leader).replace("{follow}", STORY.cotravel.follower)}</p>${accounts(["investigator"])}
        <div class="row">${go(hashLink("investigate", { plate: STORY.cotravel.leader, kind: "co_travel", ...(STORY.cotravel.from ? { from: isoUtc(STORY.cotravel.from), to: isoUtc(STORY.cotravel.to) } : {}) }), t("s3_go").replace("{plate}", STORY.cotravel.leader))}</div>`)}
      ${step(4, "stolen", t("s4_title"), html`<div id="tour-stolen-facts"></div>${accounts(["operator", "investigator"])}`)}
      ${step(5, "campaign", t("s5_title"), html`<p>${t("s5_text")}</p>${accounts(["analyst", "operator"])}<div id="tour-campaign-facts"></div>`)}
      </ol></div>`);
    const $ = (s) => panel.querySelector(s);
    // Incidents are shown by the command view (or an incidents view) when the role may read them.
    const incidentLink = (id) => {
      if (!perms.has("read_incidents")) return null;
      const text = t("s1_go_incident").replace("{id}", id);
      if (hasView("incidents")) return go(hashLink("incidents", { id }), text);
      if (hasView("command")) return go(hashLink("command", { incident: id }), text);
      return null;
    };

    panel.addEventListener("click", (ev) => {
      const b = ev.target.closest("button[data-switch]");
      if (!b) return;
      const user = b.dataset.switch;
      document.getElementById("logout").click();
      const wait = setInterval(() => {
        const login = document.getElementById("login-view");
        if (login && !login.hidden) {
          clearInterval(wait);
          document.getElementById("username").value = user;
          document.getElementById("password").focus();
        }
      }, 100);
      setTimeout(() => clearInterval(wait), 5000);
    });

    const incidentFacts = (r, id) => {
      if (r.ok) {
        const i = r.ok.incident;
        return html`<tr><th scope="row">${id}</th><td>${fmtTime(i.times.received_at)}<br><span class="muted">${i.location.town_name || ""} · ${i.location.road_name || ""}</span><br>${i.description}</td></tr>`;
      }
      return html`<tr><th scope="row">${id}</th><td class="muted">${r.status === 404 ? t("tour_missing") : (t("tour_need").replace("{u}", "operator"))}</td></tr>`;
    };
    const cameraList = (rs, ids) => html`<ul>${rs.map((r, k) => html`<li>${r.ok ? html`${r.ok.name} <span class="muted">${r.ok.id}</span>` : html`${ids[k]} <span class="muted">${t("tour_missing")}</span>`}</li>`)}</ul>`;
    const table = (rows) => html`<table class="tour-facts"><thead><tr><th scope="col">${t("s_incident")}</th><th scope="col">${t("s_desc")}</th></tr></thead><tbody>${rows}</tbody></table>`;

    // 1. Bicycle thefts.
    (async () => {
      const [incs, cams] = await Promise.all([Promise.all(STORY.bike.incidents.map((i) => (perms.has("read_incidents") ? tryGet(`/incidents/${i}`) : { status: 403 }))), Promise.all(STORY.bike.cameras.map((c) => tryGet(`/video/cameras/${c}`)))]);
      const first = incs[0].ok && incs[0].ok.incident;
      const spot = first ? first.location : cams[0].ok ? { lon: cams[0].ok.lon, lat: cams[0].ok.lat } : null;
      const at = first ? first.times.received_at / 1000 : null;
      const links = [];
      if (spot) links.push(go(hashLink("video", { tab: "seeing", lon: spot.lon, lat: spot.lat, ...(at ? { from: isoUtc(at - 3600000), to: isoUtc(at) } : {}) }), t("s1_go_spot")));
      STORY.bike.cameras.forEach((c) => links.push(go(hashLink("video", { camera: c }), t("s1_go_cam").replace("{id}", c))));
      STORY.bike.incidents.slice(0, 2).forEach((i) => { const l = incidentLink(i); if (l) links.push(l); });
      if (hasView("analytics") && perms.has("run_analytics")) links.push(go(hashLink("analytics", { kind: "linkage", case_id: STORY.bike.incidents[0] }), t("s1_go_linkage")));
      put($("#tour-bike-facts"), html`${table(STORY.bike.incidents.map((i, k) => incidentFacts(incs[k], i)))}
        <p><strong>${t("s1_series")}:</strong> <code>${STORY.bike.series}</code></p><p><strong>${t("s1_cams")}:</strong></p>${cameraList(cams, STORY.bike.cameras)}
        <div class="row tour-go">${links}</div>`);
    })();

    // 2. The dumpster and the white truck.
    (async () => {
      const [inc, cams] = await Promise.all([perms.has("read_incidents") ? tryGet(`/incidents/${STORY.dumpster.incident}`) : { status: 403 }, Promise.all(STORY.dumpster.cameras.map((c) => tryGet(`/video/cameras/${c}`)))]);
      const i = inc.ok && inc.ok.incident;
      const spot = i ? i.location : cams[0].ok ? { lon: cams[0].ok.lon, lat: cams[0].ok.lat } : null;
      const at = i ? i.times.received_at / 1000 : null;
      const links = [];
      if (spot) links.push(go(hashLink("video", { tab: "seeing", lon: spot.lon, lat: spot.lat, ...(at ? { from: isoUtc(at - 6 * 3600000), to: isoUtc(at) } : {}) }), t("s2_go_spot")));
      const traj = { plate: STORY.dumpster.plate, kind: "trajectory", reference: STORY.dumpster.incident };
      if (STORY.dumpster.from) { traj.from = isoUtc(STORY.dumpster.from); traj.to = isoUtc(STORY.dumpster.to); } else if (at) { traj.from = isoUtc(at - 12 * 3600000); traj.to = isoUtc(at + 12 * 3600000); }
      links.push(go(hashLink("investigate", traj), t("s2_go_traj").replace("{plate}", STORY.dumpster.plate)));
      const il = incidentLink(STORY.dumpster.incident);
      if (il) links.push(il);
      put($("#tour-dumpster-facts"), html`${table(incidentFacts(inc, STORY.dumpster.incident))}${cameraList(cams, STORY.dumpster.cameras)}
        <p><strong>${t("s2_plate")}:</strong> <code>${STORY.dumpster.plate}</code> · ${t("s2_checkpoints").replace("{n}", STORY.dumpster.passes)}</p><p class="muted">${t("s2_approval")}</p>
        <div class="row tour-go">${links}</div>`);
    })();

    // 4. The stolen car.
    (async () => {
      const [cp, watch] = await Promise.all([tryGet(`/video/checkpoints/${STORY.stolen.checkpoint}`), perms.has("manage_watchlist") ? tryGet("/watchlist") : Promise.resolve({})]);
      const entry = watch.ok && watch.ok.find((w) => w.target === STORY.stolen.plate);
      const cpName = cp.ok ? `${cp.ok.name} (${STORY.stolen.checkpoint})` : STORY.stolen.checkpoint;
      const links = [go(hashLink("video", { checkpoint: STORY.stolen.checkpoint }), t("s4_go_cp").replace("{cp}", STORY.stolen.checkpoint))];
      if (hasView("alerts") && perms.has("handle_alerts")) links.push(go("#/alerts", t("s4_go_alerts")));
      if (hasView("watchlist") && perms.has("handle_alerts")) links.push(go("#/watchlist", t("s4_go_watch")));
      put($("#tour-stolen-facts"), html`<p>${t("s4_text").replace("{plate}", STORY.stolen.plate).replace("{cp}", cpName).replace("{min}", STORY.stolen.offsetMin)}</p>
        ${entry ? html`<p><strong>${t("s4_entry")}:</strong> #${entry.id} · ${entry.status} · ${entry.case_ref} · ${fmtTime(entry.valid_from)} – ${fmtTime(entry.valid_to)}</p>` : ""}
        <div class="row tour-go">${links}</div>`);
    })();

    // 5. The campaign figures.
    (async () => {
      const el = $("#tour-campaign-facts");
      if (!perms.has("read_incidents")) { put(el, html`<p class="muted">${t("tour_need").replace("{u}", "analyst")}</p>`); return; }
      const now = Date.now();
      const r = await tryGet(`/incidents/figures?from=${encodeURIComponent(isoUtc(now - 365 * 86400000))}&to=${encodeURIComponent(isoUtc(now))}`);
      if (!r.ok) { put(el, html`<p class="muted">${t("tour_missing")}</p>`); return; }
      const towns = new Map();
      for (const c of r.ok.counts) {
        if (c.category !== "theft") continue;
        towns.set(c.town_name || "—", (towns.get(c.town_name || "—") || 0) + c.count);
      }
      const thefts = [...towns.values()].reduce((a, b) => a + b, 0);
      put(el, html`<h4>${t("s5_live")}</h4><dl class="vid-figures" id="tour-campaign-figures"><div><dt>${t("s5_incidents")}</dt><dd>${fmtNum(r.ok.incidents, 0)}</dd></div>
        <div><dt>${t("s5_thefts")}</dt><dd>${fmtNum(thefts, 0)}</dd></div></dl>
        <table><thead><tr><th scope="col">${t("town")}</th><th scope="col">${t("s5_thefts")}</th></tr></thead><tbody>${[...towns.entries()].map(([k, n]) => html`<tr><td>${k}</td><td>${fmtNum(n, 0)}</td></tr>`)}</tbody></table>
        ${hasView("analytics") && perms.has("run_analytics") ? html`<div class="row tour-go">${go(hashLink("analytics", { type: "theft", from: utcMsToWall(now - 364 * 86400000).slice(0, 10), to: utcMsToWall(now).slice(0, 10) }), t("s5_go"))}</div>` : ""}`);
    })();
  },
};
