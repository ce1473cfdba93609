// The sandbox chat page, part 1: drawing the conversation — bubbles, news cards, template cards.
// Everything the server sends is set as text (textContent), never as HTML, except WeChat's own
// <a href> links in text replies, which are rebuilt as real links to http(s) or same-site addresses only.
"use strict";

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
