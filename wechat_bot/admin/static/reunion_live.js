// 当日到场: polls the page's JSON (#live data-url) every 5 seconds and redraws the totals and the
// table's rows without a reload.
(function () {
  "use strict";
  var box = document.getElementById("live");
  if (!box) return;
  var url = box.getAttribute("data-url");
  var body = document.querySelector("#live-rows tbody");
  var stamp = document.getElementById("live-updated");

  function cell(text, name) {
    var td = document.createElement("td");
    td.textContent = text;
    if (name) td.className = name;
    return td;
  }

  function meal(asked, served, expected) {
    return asked ? served + " / " + expected : "未申请";
  }

  function draw(data) {
    Object.keys(data.totals).forEach(function (key) {
      var el = document.getElementById("t-" + key);
      if (el) el.textContent = data.totals[key];
    });
    var rows = document.createDocumentFragment();
    data.rows.forEach(function (r) {
      var tr = document.createElement("tr");
      tr.setAttribute("data-booking", r.booking_id);
      tr.appendChild(cell(r.booking_id));
      tr.appendChild(cell(r.class_label));
      tr.appendChild(cell(r.slot, "nowrap"));
      tr.appendChild(cell(r.arrived + " / " + r.expected, "arrived"));
      tr.appendChild(cell(meal(r.lunch, r.lunch_served, r.expected), "lunch"));
      tr.appendChild(cell(meal(r.dinner, r.dinner_served, r.expected), "dinner"));
      rows.appendChild(tr);
    });
    if (data.rows.length) {
      body.replaceChildren(rows);
    }
    stamp.textContent = "更新于 " + new Date().toLocaleTimeString("zh-CN", { hour12: false });
  }

  function poll() {
    fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (data) { draw(data); setTimeout(poll, 5000); })
      .catch(function () { setTimeout(poll, 10000); });
  }
  setTimeout(poll, 5000);
})();
