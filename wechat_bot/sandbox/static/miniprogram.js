// The mini-program stand-in: wx.login() codes from the sandbox, the /api/v1 login with them, and
// subscribe-message consent (the sandbox counts it; the backend is told through /api/v1), and the
// alumni card as a mini-program shows it: the image with this minute's code, fetched again when due.
"use strict";

const $ = (id) => document.getElementById(id);
const mini = {code: null, token: null, cardTimer: null, cardUrl: null};

async function call(path, body, headers = {}) {
  const response = await fetch(path, {method: "POST", body: JSON.stringify(body),
                                      headers: {"Content-Type": "application/json", ...headers}});
  const text = await response.text();
  let data;
  try { data = JSON.parse(text); } catch { data = text; }
  return {status: response.status, data};
}

async function showCard() {
  clearTimeout(mini.cardTimer);
  const auth = {Authorization: `Bearer ${mini.token}`};
  const response = await fetch("/api/v1/me/card", {headers: auth});
  const card = {status: response.status, data: await response.json()};
  show("card-result", card);
  if (response.status !== 200) { $("card-image").hidden = true; return; }
  const image = await fetch("/api/v1/me/card/image", {headers: auth});
  if (image.ok) {  // the image needs the token, so it comes as a blob, not as an <img src>
    if (mini.cardUrl) URL.revokeObjectURL(mini.cardUrl);
    mini.cardUrl = URL.createObjectURL(await image.blob());
    $("card-image").src = mini.cardUrl;
    $("card-image").hidden = false;
  }
  const due = Date.parse(card.data.refresh_at) - Date.now();
  mini.cardTimer = setTimeout(showCard, Math.max(due, 5000));
}

function show(id, answer) {
  $(id).textContent = `HTTP ${answer.status}\n` + (typeof answer.data === "string" ? answer.data : JSON.stringify(answer.data, null, 2));
}

async function start() {
  const state = await (await fetch("/sandbox/_/state")).json();
  const remembered = localStorage.getItem("sandbox.openid");
  $("person").replaceChildren(...state.people.map((p) => new Option(p.nickname, p.openid, false, p.openid === remembered)));
  $("template").replaceChildren(...state.subscribe_templates.map((t) => new Option(t.title, t.template_id)));

  $("login-code").addEventListener("click", async () => {
    const answer = await call("/sandbox/_/miniprogram/code", {openid: $("person").value});
    const info = answer.data;
    mini.code = info.code;
    $("code-info").replaceChildren(...[["code", info.code], ["小程序 openid", info.mp_openid], ["unionid", info.unionid]]
      .flatMap(([k, v]) => { const dt = document.createElement("dt"); dt.textContent = k; const dd = document.createElement("dd"); dd.textContent = v; return [dt, dd]; }));
    $("api-login").disabled = false;
  });
  $("api-login").addEventListener("click", async () => {
    const answer = await call("/api/v1/auth/login", {code: mini.code});
    show("login-result", answer);
    if (answer.status === 200 && answer.data.token) {
      mini.token = answer.data.token;
      $("card").disabled = false;
    }
  });
  $("card").addEventListener("click", showCard);
  $("consent").addEventListener("click", async () => {
    const templateId = $("template").value;
    const granted = await call("/sandbox/_/consents", {openid: $("person").value, template_id: templateId, channel: "miniprogram"});
    show("consent-result", granted);
    if (mini.token) {  // the mini-program reports the consent it collected to the backend
      const told = await call("/api/v1/me/subscriptions", {template_ids: [templateId]}, {Authorization: `Bearer ${mini.token}`});
      $("consent-result").textContent += `\n\nPOST /api/v1/me/subscriptions → HTTP ${told.status}\n${JSON.stringify(told.data, null, 2)}`;
    }
  });
}

start();
