// Draws the report's interactive charts (toolkit.interactive) with the report's own copy of
// Plotly (assets/plotly.min.js): nothing is fetched from the internet. Once a chart is drawn,
// the static PNG of the same figure is hidden on screen (it stays for print); if Plotly could
// not be loaded, the PNG simply stays.
(function () {
  "use strict";
  function hideStaticTwin(name) {
    document.querySelectorAll("img[data-figure]").forEach(function (img) {
      if (img.getAttribute("data-figure") !== name) return;
      (img.closest(".jp-RenderedImage") || img).classList.add("toolkit-static-twin");
    });
  }
  function draw() {
    if (typeof window.Plotly === "undefined") return;
    document.querySelectorAll("figure.toolkit-chart").forEach(function (figure) {
      var data = figure.querySelector("script.toolkit-chart-data");
      var target = figure.querySelector(".toolkit-chart-plot");
      if (!data || !target) return;
      var spec = JSON.parse(data.textContent);
      window.Plotly.newPlot(target, spec.data, spec.layout, spec.config).then(function () {
        figure.classList.add("toolkit-chart-drawn");
        hideStaticTwin(figure.getAttribute("data-figure"));
      });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
