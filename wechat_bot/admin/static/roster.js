// The roster import's progress bar: polls the job's JSON state every second and moves the bar;
// when the import has ended, reloads the page, which then shows the summary and rejected rows.
// A file of its own: the admin's Content-Security-Policy runs no inline script.
(function () {
  "use strict";
  var box = document.getElementById("import-progress");
  if (!box) return;
  var url = box.getAttribute("data-status-url");
  var bar = document.getElementById("progress-bar");
  var percent = document.getElementById("progress-percent");
  var rows = document.getElementById("progress-rows");
  var stage = document.getElementById("progress-stage");
  var failures = 0;

  function show(job) {
    bar.value = job.percent;
    bar.textContent = job.percent + "%";
    percent.textContent = job.percent + "%";
    rows.textContent = job.processed.toLocaleString("zh-CN");
    stage.textContent = job.stage || "";
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      })
      .then(function (job) {
        failures = 0;
        show(job);
        if (job.status === "running") {
          window.setTimeout(poll, 1000);
        } else {
          window.location.reload();
        }
      })
      .catch(function () {
        failures += 1;
        stage.textContent = "暂时无法获取进度，正在重试…";
        window.setTimeout(poll, Math.min(10000, 1000 * failures));
      });
  }
  window.setTimeout(poll, 500);
})();
