// Draws the dashboard's charts from the JSON the page carries (#chart-data), with the vendored
// Chart.js: no inline script (the admin's Content-Security-Policy allows none), nothing fetched.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("chart-data").textContent);
  var font = '"Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", system-ui, sans-serif';
  Chart.defaults.font.family = font;
  Chart.defaults.color = "#4a5565";
  Chart.defaults.animation = false; // a dashboard read at a glance; also steadier screenshots

  var bindings = document.getElementById("chart-bindings");
  if (bindings) {
    new Chart(bindings, {
      type: "bar",
      data: {
        labels: data.weeks.labels,
        datasets: [{ label: "新绑定", data: data.weeks.values, backgroundColor: "#2f6fb3",
                     borderRadius: 3 }]
      },
      options: {
        maintainAspectRatio: false,
        plugins: { legend: { display: false } },
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } }, x: { grid: { display: false } } }
      }
    });
  }
  var pushes = document.getElementById("chart-pushes");
  if (pushes && data.pushes) {
    var total = data.pushes.values.reduce(function (a, b) { return a + b; }, 0);
    new Chart(pushes, {
      type: "doughnut",
      data: {
        labels: data.pushes.labels,
        datasets: [{ data: total ? data.pushes.values : [1, 0, 0],
                     backgroundColor: total ? ["#2e9d62", "#d0463b", "#e0a526"] : ["#dde3ea"] }]
      },
      options: {
        maintainAspectRatio: false,
        plugins: { legend: { display: total > 0, position: "bottom" }, tooltip: { enabled: total > 0 } }
      }
    });
  }
})();
