// The reunion scanner: the camera (getUserMedia) decoded with the vendored jsQR, or the typed
// field; either posts the form (its CSRF token included) and asks for JSON, and the answer fills
// #result in green or red. Without this script the form posts and the page answers as HTML.
(function () {
  "use strict";
  var form = document.getElementById("scan-form");
  if (!form) return;
  var input = document.getElementById("code");
  var box = document.getElementById("result");
  var start = document.getElementById("camera-start");
  var stop = document.getElementById("camera-stop");
  var note = document.getElementById("camera-note");
  var video = document.getElementById("camera-video");
  var canvas = document.getElementById("camera-frame");
  // What the code is called on this page (the events check-in page reuses this script).
  var what = (document.getElementById("camera") || {}).dataset?.what || "返校码";
  var stream = null;
  var busy = false;
  var last = { code: "", at: 0 };

  function show(r) {
    box.hidden = false;
    box.className = "result " + (r.ok ? "ok" : "refused");
    document.getElementById("result-headline").textContent = r.headline;
    document.getElementById("result-detail").textContent = r.detail || "";
    var who = "";
    if (r.name) {
      who = r.name + " · " + r.class_label + " · 共 " + r.party + " 人";
      if (r.companions && r.companions.length) who += "（家属：" + r.companions.join("、") + "）";
    }
    document.getElementById("result-who").textContent = who;
  }

  function send(code) {
    if (busy) return;
    busy = true;
    input.value = code;
    var body = new FormData(form);
    fetch(form.action, { method: "POST", body: body, credentials: "same-origin",
                         headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (r) { show(r); input.value = ""; })
      .catch(function (status) {
        show({ ok: false, headline: "核验失败", detail: status === 400 ? "页面已过期，请刷新后重试。" : "网络或服务器出错，请重试。" });
      })
      .then(function () { busy = false; });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (input.value.trim()) send(input.value.trim());
  });

  function tick() {
    if (!stream) return;
    if (video.readyState === video.HAVE_ENOUGH_DATA && !busy) {
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      var context = canvas.getContext("2d", { willReadFrequently: true });
      context.drawImage(video, 0, 0, canvas.width, canvas.height);
      var image = context.getImageData(0, 0, canvas.width, canvas.height);
      var found = window.jsQR(image.data, image.width, image.height, { inversionAttempts: "dontInvert" });
      var now = Date.now();
      // The same code held in front of the camera is sent once, not every frame.
      if (found && found.data && (found.data !== last.code || now - last.at > 4000)) {
        last = { code: found.data, at: now };
        send(found.data);
      }
    }
    requestAnimationFrame(tick);
  }

  function stopCamera() {
    if (stream) stream.getTracks().forEach(function (t) { t.stop(); });
    stream = null;
    video.hidden = true;
    stop.hidden = true;
    start.hidden = false;
  }

  if (navigator.mediaDevices && navigator.mediaDevices.getUserMedia && window.jsQR) {
    start.hidden = false;
    start.addEventListener("click", function () {
      navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
        .then(function (s) {
          stream = s;
          video.srcObject = s;
          video.hidden = false;
          start.hidden = true;
          stop.hidden = false;
          note.textContent = "将" + what + "对准取景框";
          return video.play();
        })
        .then(function () { requestAnimationFrame(tick); })
        .catch(function () {
          stopCamera();
          note.textContent = "无法使用摄像头（未授权，或页面不是 HTTPS 打开的），请手动输入" + what + "。";
        });
    });
    stop.addEventListener("click", stopCamera);
  } else {
    note.textContent = "此浏览器不能使用摄像头扫码，请手动输入" + what + "。";
  }
})();
