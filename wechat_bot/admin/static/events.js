// The event page's chart of sign-ups over time, from the JSON the page carries (#chart-data),
// with the vendored Chart.js: no inline script (the admin's Content-Security-Policy allows none).
(function () {
  "use strict";
  var canvas = document.getElementById("chart-signups");
  if (!canvas) { return; }
  var data = JSON.parse(document.getElementById("chart-data").textContent);
  Chart.defaults.font.family = '"Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", system-ui, sans-serif';
  Chart.defaults.color = "#4a5565";
  Chart.defaults.animation = false;
  new Chart(canvas, {
    data: {
      labels: data.labels,
      datasets: [
        { type: "bar", label: "当日报名", data: data.daily, backgroundColor: "#2f6fb3", borderRadius: 3 },
        { type: "line", label: "累计", data: data.total, borderColor: "#e0a526", backgroundColor: "#e0a526",
          tension: 0.2 }
      ]
    },
    options: {
      maintainAspectRatio: false,
      plugins: { legend: { position: "bottom" } },
      scales: { y: { beginAtZero: true, ticks: { precision: 0 } }, x: { grid: { display: false } } }
    }
  });
})();
