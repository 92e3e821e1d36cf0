/* Draws the report's charts with Chart.js (vendored in static/vendor/chartjs). Each canvas names
   the JSON block that holds its data (labels, datasets), written by the page with json_script;
   the table under each chart holds the same figures. No inline script, so the page's CSP holds. */
(function () {
  "use strict";
  if (typeof window.Chart === "undefined") { return; }
  var colours = ["#dc2626", "#9ca3af", "#16a34a", "#2563eb", "#7c3aed", "#ea580c", "#0891b2", "#65a30d"];
  var drawn = 0;
  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var source = document.getElementById(canvas.getAttribute("data-chart"));
    if (!source) { return; }
    var spec = JSON.parse(source.textContent);
    var hasShare = false;
    var datasets = spec.datasets.map(function (set, i) {
      var colour = colours[i % colours.length];
      if (set.yAxisID === "share") { hasShare = true; colour = "#111827"; }
      return Object.assign({
        backgroundColor: colour, borderColor: colour, borderWidth: set.type === "line" || spec.type === "line" ? 2 : 0,
        pointRadius: spec.labels.length > 60 ? 0 : 2, spanGaps: true
      }, set);
    });
    var scales = {
      x: { stacked: spec.stacked, ticks: { autoSkip: true, maxRotation: 0 } },
      y: { stacked: spec.stacked, beginAtZero: spec.type !== "line" }
    };
    if (hasShare) { scales.share = { position: "right", min: 0, max: 100, grid: { drawOnChartArea: false }, ticks: { callback: function (v) { return v + "%"; } } }; }
    new window.Chart(canvas, {
      type: spec.type,
      data: { labels: spec.labels, datasets: datasets },
      options: {
        indexAxis: spec.horizontal ? "y" : "x",
        responsive: true, maintainAspectRatio: false, animation: false,
        plugins: { legend: { position: "bottom", labels: { boxWidth: 12 } } },
        scales: spec.horizontal ? { x: { stacked: spec.stacked, beginAtZero: true }, y: { stacked: spec.stacked } } : scales
      }
    });
    drawn += 1;
  });
  document.documentElement.setAttribute("data-charts-drawn", String(drawn));
})();
