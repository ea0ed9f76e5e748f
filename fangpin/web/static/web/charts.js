/* Draw every chart of a page with ECharts (vendored, served by the app; no inline script).
 *
 * A chart is <div class="chart" data-chart="ID"> beside <script type="application/json" id="ID">
 * holding the ECharts option built by the server. An option may carry "links": {name: url}; a
 * click on the bar, slice or point of that name goes there (drill down to the region below or
 * the household list); a key "series|name" names one segment of a stacked or grouped bar and
 * wins over the plain name. Each drawn chart gets data-drawn="1" (the browser tests wait for it).
 */
(function () {
  "use strict";
  function draw() {
    if (typeof echarts === "undefined") { return; }
    document.querySelectorAll("div.chart[data-chart]").forEach(function (el) {
      var source = document.getElementById(el.getAttribute("data-chart"));
      if (!source || el.getAttribute("data-drawn") === "1") { return; }
      var option = JSON.parse(source.textContent);
      var links = option.links || {};
      delete option.links;
      var chart = echarts.init(el, null, { renderer: "canvas" });
      chart.setOption(option);
      chart.on("click", function (params) {
        var url = links[params.seriesName + "|" + params.name] || links[params.name];
        if (url) { window.location.assign(url); }
      });
      el.setAttribute("data-drawn", "1");
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
  document.addEventListener("htmx:afterSwap", draw);
})();
