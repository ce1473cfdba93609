// A push's progress bar: polls the page's JSON endpoint (#progress data-url) every 2 seconds and
// redraws the bar and the numbers without a reload, until nothing is queued any more.
(function () {
  "use strict";
  var box = document.getElementById("progress");
  if (!box) return;
  var url = box.getAttribute("data-url");
  var bar = box.querySelector(".progress");
  var wasFinished = null;
  var keys = ["sent", "failed", "queued", "uncertain", "unreachable", "cancelled"];

  function draw(p) {
    var total = p.total || 1;
    box.querySelectorAll(".bar").forEach(function (part) {
      var n = p[part.getAttribute("data-key")] || 0;
      part.style.width = (n * 100 / total) + "%";
      part.title = n;
    });
    keys.forEach(function (key) {
      var cell = document.getElementById("n-" + key);
      if (cell) cell.textContent = p[key];
    });
    document.getElementById("progress-percent").textContent = p.percent + "%";
    document.getElementById("progress-state").textContent = p.finished ? "已完成" : "发送中…";
    bar.setAttribute("aria-valuenow", p.percent);
    box.classList.toggle("finished", p.finished);
  }

  // Once the push finishes, the recipients' table is fetched again to show each final state.
  function refreshRecipients() {
    fetch(location.href, { credentials: "same-origin" })
      .then(function (r) { return r.text(); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").querySelector("#recipients tbody");
        var current = document.querySelector("#recipients tbody");
        if (fresh && current) current.replaceWith(fresh);
      });
  }

  function poll() {
    fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (p) {
        draw(p);
        if (wasFinished === false && p.finished) refreshRecipients();
        wasFinished = p.finished;
        if (!p.finished) setTimeout(poll, 2000);
      })
      .catch(function () { setTimeout(poll, 5000); });
  }
  poll();
})();
