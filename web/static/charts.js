// Dashboard charts and tables. Each chart's ECharts option sits in a
// <script type="application/json"> block (data, never executed) named by
// the chart's data-option attribute; this file parses it and draws it.
// Without ECharts (a build that did not vendor it) the charts stay hidden
// and the data tables, already open, carry every figure.
// Tables with class "sortable" sort by a column when its heading is
// pressed: numbers by their data-sort value, text in Vietnamese order.
// Texts are only ever set with textContent, never parsed as HTML.
(function () {
  "use strict";

  function drawCharts() {
    if (!window.echarts) {
      return;
    }
    var charts = [];
    document.querySelectorAll("[data-option]").forEach(function (box) {
      var block = document.getElementById(box.getAttribute("data-option"));
      if (!block) {
        return;
      }
      var option;
      try {
        option = JSON.parse(block.textContent);
      } catch (e) {
        return;
      }
      box.hidden = false;
      // Long rankings get about 16px per unit (set through the CSSOM, which
      // the style-src policy allows, unlike inline style attributes).
      var rows = parseInt(box.getAttribute("data-rows") || "0", 10);
      if (rows > 20) {
        box.style.height = Math.min(4000, 120 + rows * 16) + "px";
      }
      var chart = window.echarts.init(box, null, { renderer: "canvas" });
      chart.setOption(option);
      charts.push(chart);
    });
    window.addEventListener("resize", function () {
      charts.forEach(function (c) { c.resize(); });
    });
  }

  function sortable(table) {
    var heads = table.querySelectorAll("thead th");
    var collator = new Intl.Collator(document.documentElement.lang === "en" ? "en" : "vi");
    heads.forEach(function (th, col) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      button.textContent = th.textContent;
      th.textContent = "";
      th.appendChild(button);
      button.addEventListener("click", function () {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        heads.forEach(function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var numeric = th.hasAttribute("data-numeric");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = a.cells[col], y = b.cells[col];
          var r;
          if (numeric) {
            var vx = x && x.hasAttribute("data-sort") ? parseFloat(x.getAttribute("data-sort")) : NaN;
            var vy = y && y.hasAttribute("data-sort") ? parseFloat(y.getAttribute("data-sort")) : NaN;
            if (isNaN(vx) && isNaN(vy)) { r = 0; } else if (isNaN(vx)) { return 1; } else if (isNaN(vy)) { return -1; } else { r = vx - vy; }
          } else {
            r = collator.compare(x ? x.textContent : "", y ? y.textContent : "");
          }
          return ascending ? r : -r;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  }

  drawCharts();
  document.querySelectorAll("table.sortable").forEach(sortable);
})();
