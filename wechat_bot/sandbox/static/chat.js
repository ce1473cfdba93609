// The sandbox chat page. Every tap goes to /sandbox/_/send, which signs the real webhook XML on the
// server, posts it to /wechat and answers the new conversation entries; pushes arrive by polling.
"use strict";

const API = "/sandbox/_";
const POLL_MS = 1500;
const $ = (id) => document.getElementById(id);

const page = {
  state: null,          // /_/state: people, menu, cities, QR codes, templates, modes
  openid: localStorage.getItem("sandbox.openid"),
  person: null,
  lastId: 0,
  shown: new Set(),     // entry ids already drawn (the relay and the poll may both bring one)
  busy: false,
};

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

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

// ---- drawing the conversation ----------------------------------------------------------------

function safeUrl(url) {
  return /^(https?:)?\/\//.test(url || "") || (url || "").startsWith("/") ? url : null;
}

// WeChat text may hold <a href="…">…</a> links; everything else is shown as typed.
function richText(content) {
  const span = el("span");
  const pattern = /<a\s+href=["']([^"']+)["'][^>]*>(.*?)<\/a>/gi;
  let last = 0;
  for (const match of content.matchAll(pattern)) {
    span.append(content.slice(last, match.index));
    const url = safeUrl(match[1]);
    span.append(url ? el("a", {href: url, target: "_blank", rel: "noopener", text: match[2]}) : match[2]);
    last = match.index + match[0].length;
  }
  span.append(content.slice(last));
  return span;
}

function cover(url, cls) {
  const box = el("div", {class: cls});
  if (safeUrl(url)) box.style.backgroundImage = `url("${url.replace(/"/g, "%22")}")`;
  return box;
}

function newsCard(articles) {
  const [first, ...rest] = articles;
  const card = el("div", {class: "card news"});
  const open = (article) => () => { if (safeUrl(article.url)) window.open(article.url, "_blank", "noopener"); };
  if (!rest.length) {
    card.append(el("div", {class: "title", text: first.title}),
                cover(first.picurl, "cover"),
                el("div", {class: "desc", text: first.description || "阅读全文"}));
    card.addEventListener("click", open(first));
    return card;
  }
  const top = cover(first.picurl, "cover");
  top.append(el("div", {class: "overlay", text: first.title}));
  top.addEventListener("click", open(first));
  card.append(top);
  for (const article of rest) {
    const row = el("div", {class: "item", onclick: open(article)},
                   el("div", {class: "text", text: article.title}), cover(article.picurl, "thumb"));
    card.append(row);
  }
  return card;
}

function templateCard(entry) {
  const card = el("div", {class: "card template"}, el("div", {class: "title", text: entry.title}));
  const rows = el("div", {class: "rows"});
  for (const [label, value] of entry.rows || []) {
    rows.append(el("div", {}, label ? el("span", {class: "k", text: label}) : null, el("span", {text: value})));
  }
  card.append(rows);
  const target = entry.miniprogram ? `小程序：${entry.miniprogram.pagepath || ""}` : entry.page ? `小程序：${entry.page}` : entry.url;
  if (target) {
    const more = el("div", {class: "more", text: entry.url ? "详情 ›" : `进入${target} ›`});
    if (entry.url && safeUrl(entry.url)) more.addEventListener("click", () => window.open(entry.url, "_blank", "noopener"));
    card.append(more);
  }
  return card;
}

function content(entry) {
  switch (entry.msgtype) {
    case "text": return el("div", {class: "bubble"}, richText(entry.content || ""));
    case "news": return newsCard(entry.articles || []);
    case "image": return el("div", {class: "image"}, el("img", {src: `/sandbox/media/${encodeURIComponent(entry.media_id)}`, alt: "图片"}));
    case "template": case "subscribe": return templateCard(entry);
    case "location": return el("div", {class: "location"}, el("div", {class: "label", text: entry.content}), el("div", {class: "map", text: "●"}));
    case "voice": return el("div", {class: "bubble", text: "[语音]"});
    case "video": case "mpvideo": return el("div", {class: "bubble", text: `[视频] ${entry.title || ""}`});
    case "mpnews": return el("div", {class: "bubble", text: `[图文消息] 素材 ${entry.media_id}`});
    default: return el("div", {class: "bubble", text: `[${entry.title || entry.msgtype}]`});
  }
}

const CHANNELS = {custom: "客服消息", template: "模板消息", subscribe: "订阅通知", mass: "群发消息", preview: "群发预览"};

function avatar(mine) {
  if (!mine) return el("div", {class: "avatar account", text: (page.state?.account_name || "校")[0]});
  return el("div", {class: "avatar", text: (page.person?.nickname || "我")[0]});
}

function entryNode(entry) {
  if (entry.msgtype === "notice") return el("div", {class: "system notice"}, el("span", {text: `沙盒提示：${entry.content}`}));
  if (entry.msgtype === "error") return el("div", {class: "system error"}, el("span", {text: entry.content}));
  if (entry.origin === "user" && entry.msgtype === "event") return el("div", {class: "system"}, el("span", {text: `你${entry.content}`}));
  const mine = entry.origin === "user";
  const body = el("div", {class: "body"}, content(entry));
  const channel = CHANNELS[entry.channel];
  if (channel) body.append(el("div", {class: "tag", text: entry.openid === page.person?.mp_openid ? `小程序${channel}` : channel}));
  return el("div", {class: mine ? "msg mine" : "msg"}, avatar(mine), body);
}

function clock(at) {
  const date = new Date(at * 1000);
  return date.toLocaleTimeString("zh-CN", {hour: "2-digit", minute: "2-digit"});
}

function addEntries(entries) {
  const chat = $("chat");
  const nearBottom = chat.scrollHeight - chat.scrollTop - chat.clientHeight < 120;
  for (const entry of entries) {
    if (page.shown.has(entry.id)) continue;
    page.shown.add(entry.id);
    page.lastId = Math.max(page.lastId, entry.id);
    const node = entryNode(entry);
    node.dataset.id = entry.id;
    node.dataset.at = entry.at;
    // Keep id order even when a push (by polling) overtakes the relay's answer.
    const later = [...chat.children].find((child) => Number(child.dataset.id) > entry.id);
    const before = later ? later.previousElementSibling : chat.lastElementChild;
    if (!before || entry.at - Number(before.dataset.at || 0) > 300) {
      const time = el("div", {class: "time", text: clock(entry.at)});
      time.dataset.id = entry.id - 0.5;
      time.dataset.at = entry.at;
      chat.insertBefore(time, later || null);
    }
    chat.insertBefore(node, later || null);
  }
  if (nearBottom || entries.some((e) => e.origin === "user")) chat.scrollTop = chat.scrollHeight;
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

function closeSubmenu() {
  $("submenu").hidden = true;
  for (const b of $("menu").children) b.classList.remove("open");
}

function drawMenu() {
  const menu = $("menu");
  menu.replaceChildren();
  const buttons = page.state.menu.button || [];
  buttons.forEach((button, i) => {
    const subs = button.sub_button || [];
    const node = el("button", {type: "button"}, subs.length ? el("span", {class: "lines"}) : null, button.name);
    node.addEventListener("click", (event) => {
      event.stopPropagation();
      if (!subs.length) { closeSubmenu(); return tapMenu([i], button); }
      const open = !$("submenu").hidden && node.classList.contains("open");
      closeSubmenu();
      if (!open) openSubmenu(node, subs, i);
    });
    menu.append(node);
  });
  $("menu-source").textContent = page.state.menu_source === "menus/" ? "菜单：menus/（未同步）" : "菜单：menu/create";
  if (!buttons.length) showComposer(true);
}

function openSubmenu(node, subs, i) {
  const box = $("submenu");
  box.replaceChildren(...subs.map((sub, j) => el("button", {type: "button", text: sub.name,
    onclick: (event) => { event.stopPropagation(); closeSubmenu(); tapMenu([i, j], sub); }})));
  box.hidden = false;
  node.classList.add("open");
  const bottom = $("bottom").getBoundingClientRect();
  const rect = node.getBoundingClientRect();
  const width = Math.max(rect.width - 12, 110);
  box.style.width = `${width}px`;
  box.style.left = `${Math.min(Math.max(rect.left - bottom.left + rect.width / 2 - width / 2, 6), bottom.width - width - 6)}px`;
}

function tapMenu(path, button) {
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
  send({action: "menu", path, ...extra});
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
  drawMenu();
  choose(page.openid);

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
