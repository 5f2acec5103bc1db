// Live counter of today's survey responses. The page already shows the
// count at load time; this script, when JavaScript runs, asks the JSON
// endpoint named by data-live-url every 5 seconds and rewrites the numbers.
// Texts are set with textContent only, never parsed as HTML.
(function () {
  "use strict";
  var box = document.querySelector("[data-live-url]");
  if (!box || !window.fetch) {
    return;
  }
  var url = box.getAttribute("data-live-url");
  var total = box.querySelector("[data-live-total]");
  var rows = box.querySelector("[data-live-rows]");
  var empty = box.querySelector("[data-live-empty]");
  var stamp = box.querySelector("[data-live-time]");
  var stopped = box.querySelector("[data-live-stopped]");
  var locale = document.documentElement.lang === "en" ? "en-GB" : "vi-VN";
  var number = new Intl.NumberFormat(locale);

  function cell(text, className) {
    var td = document.createElement("td");
    td.textContent = text;
    if (className) {
      td.className = className;
    }
    return td;
  }

  function show(data) {
    if (total) {
      total.textContent = number.format(data.today);
    }
    if (rows) {
      var fresh = document.createDocumentFragment();
      (data.by_unit || []).forEach(function (u) {
        var tr = document.createElement("tr");
        tr.appendChild(cell(u.name));
        tr.appendChild(cell(u.code, "code"));
        tr.appendChild(cell(number.format(u.count), "num"));
        fresh.appendChild(tr);
      });
      rows.replaceChildren(fresh);
    }
    if (empty) {
      empty.hidden = (data.by_unit || []).length > 0;
    }
    if (stamp) {
      stamp.textContent = new Date().toLocaleTimeString(locale);
    }
  }

  // A failed poll (network down, session ended: the login page is not JSON)
  // stops the updates and says so; the "Reload" link still works.
  function stop() {
    if (stopped) {
      stopped.hidden = false;
    }
  }

  function poll() {
    fetch(url, { credentials: "same-origin", cache: "no-store", redirect: "error", headers: { Accept: "application/json" } })
      .then(function (res) {
        var type = res.headers.get("Content-Type") || "";
        if (!res.ok || type.indexOf("application/json") !== 0) {
          throw new Error("live counter: status " + res.status);
        }
        return res.json();
      })
      .then(function (data) {
        show(data);
        window.setTimeout(poll, 5000);
      })
      .catch(stop);
  }

  window.setTimeout(poll, 5000);
})();
