// Live counter of today's survey responses. The page already shows the
// count at load time; this script, when JavaScript runs, listens to the
// Server-Sent Events stream named by data-live-events ("today" events carry
// the same JSON as the endpoint named by data-live-url) and rewrites the
// numbers. Without EventSource, or when the stream is refused or keeps
// failing, it asks data-live-url every 5 seconds instead.
// Texts are set with textContent only, never parsed as HTML.
(function () {
  "use strict";
  var box = document.querySelector("[data-live-url]");
  if (!box) {
    return;
  }
  var url = box.getAttribute("data-live-url");
  var events = box.getAttribute("data-live-events");
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

  var polling = false;
  function startPolling() {
    if (polling || !window.fetch) {
      return;
    }
    polling = true;
    window.setTimeout(poll, 5000);
  }

  // EventSource reconnects by itself when a stream ends (the server closes
  // one after a while, or restarts); a refused stream (403, 429, the login
  // page after the session ended) closes it for good. Either that, or three
  // failures in a row without an event, hands over to polling, which says
  // so when it fails too.
  if (!events || !window.EventSource) {
    startPolling();
    return;
  }
  var source = new EventSource(events);
  var failures = 0;
  source.addEventListener("today", function (e) {
    failures = 0;
    var data;
    try {
      data = JSON.parse(e.data);
    } catch (err) {
      return;
    }
    show(data);
  });
  source.onerror = function () {
    failures++;
    if (source.readyState === EventSource.CLOSED || failures >= 3) {
      source.close();
      startPolling();
    }
  };
})();
