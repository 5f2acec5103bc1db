// Live points on the self-assessment sheet: recomputes a leaf's points as
// the user types, for the methods simple enough to do in the browser
// (assessed, boolean, ratio, tiers, count, bonus, penalty). The server
// computes every leaf again after each save with the scoring engine; this
// script only previews, and the page works without it.
(function () {
  "use strict";
  var form = document.querySelector("form[data-assessment]");
  if (!form) {
    return;
  }

  function num(s) {
    if (s === null || s === undefined) {
      return NaN;
    }
    s = String(s).trim().replace(/\s/g, "");
    if (s === "") {
      return NaN;
    }
    if (s.indexOf(",") >= 0 && s.indexOf(".") < 0) {
      s = s.replace(",", ".");
    }
    return Number(s);
  }

  // The value of a metric: its input anywhere on the page, else the value
  // shown for a metric entered on another leaf.
  function metric(name) {
    var input = form.querySelector('[data-metric-input="' + name + '"]');
    if (input) {
      return num(input.value);
    }
    var shown = form.querySelector('[data-metric-value="' + name + '"]');
    return shown ? num(shown.dataset.value) : NaN;
  }

  function rate(leaf) {
    var d = metric(leaf.dataset.den);
    if (!(d > 0)) {
      return NaN;
    }
    return metric(leaf.dataset.num) / d;
  }

  // points returns the leaf's points, or NaN when it cannot be previewed.
  function points(leaf) {
    var max = num(leaf.dataset.max);
    var na = leaf.querySelector('[data-input="na"]');
    if (na && na.checked) {
      return NaN;
    }
    switch (leaf.dataset.method) {
      case "assessed":
      case "bonus":
      case "penalty": {
        var p = leaf.querySelector('[data-input="points"]');
        return p ? num(p.value) : NaN;
      }
      case "boolean": {
        var a = leaf.querySelector('[data-input="answer"]');
        if (!a || a.value === "") {
          return NaN;
        }
        return a.value === "yes" ? max : 0;
      }
      case "ratio": {
        var r = rate(leaf);
        var target = num(leaf.dataset.target) || 1;
        return isNaN(r) ? NaN : max * Math.min(1, r / target);
      }
      case "tiers": {
        var r2 = rate(leaf);
        if (isNaN(r2)) {
          return NaN;
        }
        var tiers = (leaf.dataset.tiers || "").split(";");
        for (var i = 0; i < tiers.length; i++) {
          var t = tiers[i].split(":");
          if (r2 >= num(t[0])) {
            return num(t[1]);
          }
        }
        return 0;
      }
      case "count": {
        var c = metric(leaf.dataset.metric);
        return isNaN(c) ? NaN : Math.min(max, c * num(leaf.dataset.perUnit));
      }
    }
    return NaN;
  }

  var lang = document.documentElement.lang === "en" ? "en-US" : "vi-VN";
  function show(x) {
    return x.toLocaleString(lang, { maximumFractionDigits: 2 });
  }

  function update() {
    var leaves = form.querySelectorAll("[data-leaf]");
    for (var i = 0; i < leaves.length; i++) {
      var leaf = leaves[i];
      var out = leaf.querySelector("output[data-live-for]");
      if (!out) {
        continue;
      }
      if (out.dataset.server === undefined) {
        out.dataset.server = out.textContent;
      }
      var p = points(leaf);
      out.textContent = isNaN(p) ? out.dataset.server : show(p);
    }
  }

  form.addEventListener("input", update);
  form.addEventListener("change", update);
})();
