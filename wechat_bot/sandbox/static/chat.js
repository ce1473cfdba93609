// The sandbox chat page, part 2 (loaded after chat-render.js): the console, the menu and the server.
// Every tap goes to /sandbox/_/send, which signs the real webhook XML on the server, posts it to
// /wechat and answers the new conversation entries; pushes arrive by polling.
"use strict";

const API = "/sandbox/_";
const POLL_MS = 1500;
const $ = (id) => document.getElementById(id);

const page = {
  state: null,          // /_/state: people, menus, cities, QR codes, templates, modes
  openid: localStorage.getItem("sandbox.openid"),
  person: null,
  lastId: 0,
  shown: new Set(),     // entry ids already drawn (the relay and the poll may both bring one)
  busy: false,
};


async function call(path, body) {
  const options = body === undefined ? {} : {
    method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)};
  const response = await fetch(API + path, options);
  const data = await response.json().catch(() => ({error: "服务器没有返回 JSON"}));
  if (!response.ok) throw new Error(data.error || `请求失败（${response.status}）`);
  return data;
}

function toast(text) {
  const box = $("toast");
  box.textContent = text;
  box.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { box.hidden = true; }, 2500);
}

// ---- the console and the bottom bar ------------------------------------------------------------

function when(at) {
  const date = new Date(at * 1000);
  const today = date.toDateString() === new Date().toDateString();
  return (today ? "" : `${date.getMonth() + 1}月${date.getDate()}日 `) + clock(at);
}

function windowText(window) {
  return window.open ? `剩余 ${window.left} 条，${when(window.closes_at)} 截止` : "未开启";
}

function drawPerson() {
  const person = page.person;
  const who = $("who");
  who.replaceChildren();
  if (!person) return;
  const rows = [["昵称", person.nickname], ["公众号 openid", person.openid], ["小程序 openid", person.mp_openid],
                ["unionid", person.unionid], ["关注", person.subscribed ? "已关注" : "未关注"],
                ["客服消息·48小时", windowText(person.allowance.message)],
                ["客服消息·1分钟", windowText(person.allowance.event)]];
  for (const [key, value] of rows) who.append(el("dt", {text: key}), el("dd", {text: value}));
  $("follow-banner").hidden = person.subscribed;
  $("bottom").hidden = !person.subscribed;
  $("do-subscribe").disabled = person.subscribed;
  $("do-unsubscribe").disabled = !person.subscribed;
  for (const li of $("people").children) li.classList.toggle("current", li.dataset.openid === person.openid);
}

function drawPeople() {
  const list = $("people");
  list.replaceChildren();
  for (const person of page.state.people) {
    const li = el("li", {onclick: () => choose(person.openid)},
                  el("div", {class: "avatar", text: person.nickname[0]}), el("span", {text: person.nickname}),
                  el("span", {class: "state", text: person.subscribed ? "已关注" : "未关注"}));
    li.dataset.openid = person.openid;
    list.append(li);
  }
}

// The demo's roster identities: a tap puts the bind command in the input box, ready to send.
function drawIdentities() {
  const identities = page.state.identities || [];
  $("identities-box").hidden = !identities.length;
  $("identities").replaceChildren(...identities.map((identity) => el("li", {
    class: identity.bound ? "bound" : "", text: identity.command, title: "填入输入框",
    onclick: () => { showComposer(true); $("message").value = identity.command; $("message").focus(); },
  })));
}

function closeSubmenu() {
  $("submenu").hidden = true;
  for (const b of $("menu").children) b.classList.remove("open");
}

// The menu this person sees: the personalized one matched on the server (by tag), else the default.
function personMenu() {
  const menuid = page.person && page.state.menu_of?.[page.person.openid];
  return (page.state.conditional_menus || []).find((m) => m.menuid === menuid) || page.state.menu;
}

function menuSource(shown) {
  if (shown !== page.state.menu) return `菜单：个性化菜单（标签 ${shown.matchrule.tag_id || "—"}，menuid ${shown.menuid}）`;
  return page.state.menu_source === "menus/" ? "菜单：menus/（未同步）" : "菜单：menu/create";
}

function drawMenu() {
  const menu = $("menu");
  menu.replaceChildren();
  const shown = personMenu();
  const buttons = shown.button || [];
  menu.dataset.menuid = shown.menuid || 0;
  buttons.forEach((button, i) => {
    const subs = button.sub_button || [];
    const node = el("button", {type: "button"}, subs.length ? el("span", {class: "lines"}) : null, button.name);
    node.addEventListener("click", (event) => {
      event.stopPropagation();
      if (!subs.length) { closeSubmenu(); return tapMenu([i], button, shown); }
      const open = !$("submenu").hidden && node.classList.contains("open");
      closeSubmenu();
      if (!open) openSubmenu(node, subs, i, shown);
    });
    menu.append(node);
  });
  $("menu-source").textContent = menuSource(shown);
  if (!buttons.length) showComposer(true);
}

function openSubmenu(node, subs, i, shown) {
  const box = $("submenu");
  box.replaceChildren(...subs.map((sub, j) => el("button", {type: "button", text: sub.name,
    onclick: (event) => { event.stopPropagation(); closeSubmenu(); tapMenu([i, j], sub, shown); }})));
  box.hidden = false;
  node.classList.add("open");
  const bottom = $("bottom").getBoundingClientRect();
  const rect = node.getBoundingClientRect();
  const width = Math.max(rect.width - 12, 110);
  box.style.width = `${width}px`;
  box.style.left = `${Math.min(Math.max(rect.left - bottom.left + rect.width / 2 - width / 2, 6), bottom.width - width - 6)}px`;
}

function tapMenu(path, button, shown) {
  const extra = {};
  if (button.type === "scancode_push" || button.type === "scancode_waitmsg") {
    extra.result = prompt("扫码结果（二维码里的内容）", "");
    if (extra.result === null) return;
  } else if (button.type === "location_select") {
    extra.city = prompt(`选择城市：${page.state.cities.join("、")}`, page.state.cities[0]);
    if (extra.city === null) return;
  } else if (button.type === "view" && safeUrl(button.url)) {
    window.open(button.url, "_blank", "noopener");
  } else if (button.type === "miniprogram") {
    window.open("/sandbox/miniprogram", "_blank", "noopener");
  }
  send({action: "menu", path, menuid: shown.menuid || 0, ...extra});
}

function showComposer(keyboard) {
  $("composer").hidden = !keyboard;
  $("menu-bar").hidden = keyboard;
  closeSubmenu();
  if (keyboard) $("message").focus();
}

// ---- talking to the server ---------------------------------------------------------------------

async function send(body) {
  if (!page.person) return;
  const typing = el("div", {class: "msg typing"}, avatar(false), el("div", {class: "body"}, el("div", {class: "bubble", text: "对方正在输入…"})));
  $("chat").append(typing);
  $("chat").scrollTop = $("chat").scrollHeight;
  try {
    const answer = await call("/send", {openid: page.person.openid, mode: $("mode").value, ...body});
    typing.remove();
    addEntries(answer.entries);
    page.person = answer.person;
    drawPerson();
    refreshState();
  } catch (error) {
    typing.remove();
    toast(error.message);
    refreshState().catch(() => {});  // e.g. the menu changed meanwhile: draw the new one
  }
}

async function load() {
  if (!page.person) return;
  const openid = page.person.openid;
  const data = await call(`/conversation?openid=${encodeURIComponent(openid)}&after=${page.lastId}`);
  if (page.person?.openid !== openid) return;  // switched while this poll was on its way
  addEntries(data.entries);
  const before = JSON.stringify(page.person);
  page.person = data.person;
  if (JSON.stringify(data.person) !== before) drawPerson();
}

async function refreshState() {
  page.state = await call("/state");
  drawPeople();
  drawIdentities();
  drawMenu();
  $("qrcodes").replaceChildren(...page.state.qrcodes.map((q) => el("option", {value: q.scene, text: q.action_name})));
  const current = page.state.people.find((p) => p.openid === page.person?.openid);
  if (current) { page.person = current; drawPerson(); }
}

function choose(openid) {
  const person = page.state.people.find((p) => p.openid === openid) || page.state.people[0];
  page.person = person;
  page.openid = person.openid;
  localStorage.setItem("sandbox.openid", person.openid);
  page.lastId = 0;
  page.shown.clear();
  $("chat").replaceChildren();
  drawPerson();
  drawMenu();
  load();
}

function fillSelect(select, options) {
  select.replaceChildren(...options.map(([value, text]) => el("option", {value, text})));
}

async function start() {
  page.state = await call("/state");
  $("title").textContent = page.state.account_name;
  fillSelect($("city"), page.state.cities.map((c) => [c, c]));
  fillSelect($("consent-template"), page.state.subscribe_templates.map((t) => [t.template_id, t.title]));
  const names = {plain: "明文模式", compatible: "兼容模式", aes: "安全模式（AES）"};
  fillSelect($("mode"), page.state.modes.map((m) => [m, names[m]]));
  $("mode").value = page.state.mode;
  drawPeople();
  drawIdentities();
  choose(page.openid);  // draws the person and the menu they see

  $("to-keyboard").addEventListener("click", () => showComposer(true));
  $("to-menu").addEventListener("click", () => showComposer(false));
  document.addEventListener("click", closeSubmenu);
  $("composer").addEventListener("submit", (event) => {
    event.preventDefault();
    const text = $("message").value.trim();
    if (!text) return;
    $("message").value = "";
    send({action: "text", content: text});
  });
  $("do-subscribe").addEventListener("click", () => send({action: "subscribe"}));
  $("banner-subscribe").addEventListener("click", () => send({action: "subscribe"}));
  $("do-unsubscribe").addEventListener("click", () => send({action: "unsubscribe"}));
  $("do-location").addEventListener("click", () => send({action: "location", city: $("city").value}));
  $("do-scan").addEventListener("click", () => send({action: "scan", scene: $("scene").value}));
  $("do-consent").addEventListener("click", async () => {
    try {
      const answer = await call("/consents", {openid: page.person.openid, template_id: $("consent-template").value});
      toast(`已允许，可发送 ${answer.consents} 次`);
      load();
    } catch (error) { toast(error.message); }
  });
  $("add-person").addEventListener("submit", async (event) => {
    event.preventDefault();
    const person = await call("/people", {nickname: $("new-nickname").value});
    $("new-nickname").value = "";
    await refreshState();
    choose(person.openid);
  });
  setInterval(() => load().catch(() => {}), POLL_MS);
  setInterval(() => refreshState().catch(() => {}), POLL_MS * 6);
}

start().catch((error) => toast(`沙盒加载失败：${error.message}`));
