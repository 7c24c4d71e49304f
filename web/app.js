// The sign-in page: signs in with a session cookie, keeps the CSRF token for writes, and shows
// the live stream. The dashboard proper replaces this page in a later change.
"use strict";

const STRINGS = {
  "zh-CN": { signin: "登录", username: "用户名", password: "密码", welcome: "欢迎", signedinas: "当前用户",
    stream: "实时事件", connecting: "连接中…", connected: "已连接", disconnected: "已断开，正在重连", signout: "退出",
    other: "English", bad: "用户名或密码错误", limited: "尝试次数过多，请稍后再试" },
  "en": { signin: "Sign in", username: "User name", password: "Password", welcome: "Welcome", signedinas: "Signed in as",
    stream: "Live events", connecting: "connecting…", connected: "connected", disconnected: "disconnected, reconnecting", signout: "Sign out",
    other: "中文", bad: "Wrong user name or password", limited: "Too many attempts; try again later" },
};
let lang = localStorage.getItem("pingan.lang") || "zh-CN";
let csrf = sessionStorage.getItem("pingan.csrf") || "";
let socket = null;

function t(key) { return STRINGS[lang][key] || key; }
function applyLang() {
  document.documentElement.lang = lang;
  document.querySelectorAll("[data-i18n]").forEach((el) => { el.textContent = t(el.dataset.i18n); });
  document.getElementById("lang").textContent = t("other");
}

async function api(method, path, body) {
  const headers = { "Accept": "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET" && csrf) headers["X-CSRF-Token"] = csrf;
  const resp = await fetch("/api/v1" + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: "same-origin" });
  const data = resp.status === 204 ? null : await resp.json().catch(() => null);
  return { ok: resp.ok, status: resp.status, data };
}

function show(view) {
  document.getElementById("login-view").hidden = view !== "login";
  document.getElementById("home-view").hidden = view !== "home";
}

function connectStream() {
  const proto = location.protocol === "https:" ? "wss:" : "ws:";
  socket = new WebSocket(proto + "//" + location.host + "/api/v1/stream");
  const state = document.getElementById("stream-state");
  let count = 0;
  socket.onopen = () => { state.dataset.i18n = "connected"; state.textContent = t("connected"); };
  socket.onmessage = (msg) => {
    count += 1;
    document.getElementById("event-count").textContent = String(count);
    const li = document.createElement("li");
    try { const e = JSON.parse(msg.data); li.textContent = (e.at || "") + " " + e.kind; } catch { li.textContent = msg.data; }
    const list = document.getElementById("events");
    list.prepend(li);
    while (list.children.length > 50) list.lastChild.remove();
  };
  socket.onclose = () => {
    state.dataset.i18n = "disconnected"; state.textContent = t("disconnected");
    if (!document.getElementById("home-view").hidden) setTimeout(connectStream, 2000);
  };
}

async function enter() {
  const me = await api("GET", "/auth/me");
  if (!me.ok) { show("login"); return; }
  document.getElementById("who").textContent = me.data.user.display_name + " (" + me.data.user.username + ")";
  document.getElementById("role").textContent = me.data.user.role;
  show("home");
  connectStream();
}

document.getElementById("login-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const err = document.getElementById("login-error");
  err.textContent = "";
  const resp = await api("POST", "/auth/login", {
    username: document.getElementById("username").value,
    password: document.getElementById("password").value,
  });
  if (!resp.ok) { err.textContent = resp.status === 429 ? t("limited") : t("bad"); return; }
  csrf = resp.data.csrf_token;
  sessionStorage.setItem("pingan.csrf", csrf);
  document.getElementById("password").value = "";
  enter();
});

document.getElementById("logout").addEventListener("click", async () => {
  await api("POST", "/auth/logout");
  csrf = ""; sessionStorage.removeItem("pingan.csrf");
  if (socket) socket.close();
  show("login");
});

document.getElementById("lang").addEventListener("click", () => {
  lang = lang === "zh-CN" ? "en" : "zh-CN";
  localStorage.setItem("pingan.lang", lang);
  applyLang();
});

applyLang();
enter();
