// Railyard dashboard: keeps the project page live without a reload. Every
// second it asks the server for the project's version (a few bytes) and,
// when it changed, fetches the live part of the page and swaps it in,
// keeping open "Promote…" panels open and the focused button focused.
(function () {
  "use strict";
  var live = document.getElementById("live");
  if (!live) { return; }
  var version = live.dataset.version;
  var busy = false;

  function swap(html, next) {
    var open = Array.prototype.map.call(live.querySelectorAll("details[open]"), function (d) { return d.id; });
    var focused = document.activeElement && live.contains(document.activeElement) ? document.activeElement : null;
    var focusKey = focused ? [focused.closest("[id]") && focused.closest("[id]").id, focused.textContent] : null;
    live.innerHTML = html;
    open.forEach(function (id) {
      var d = id && document.getElementById(id);
      if (d) { d.open = true; }
    });
    if (focusKey && focusKey[0]) {
      var scope = document.getElementById(focusKey[0]);
      var same = scope && Array.prototype.find.call(scope.querySelectorAll("button, a, summary"), function (el) {
        return el.textContent === focusKey[1];
      });
      if (same) { same.focus(); }
    }
    version = next;
    live.dataset.version = next;
  }

  function poll() {
    if (busy || document.hidden) { return; }
    busy = true;
    fetch(live.dataset.poll, { cache: "no-store" })
      .then(function (r) { return r.ok ? r.text() : version; })
      .then(function (v) {
        if (v === version) { return null; }
        return fetch(live.dataset.live, { cache: "no-store" }).then(function (r) {
          if (!r.ok) { return null; }
          var next = r.headers.get("X-Version") || v;
          return r.text().then(function (html) { swap(html, next); });
        });
      })
      .catch(function () { /* the server restarts; try again next second */ })
      .then(function () { busy = false; });
  }
  setInterval(poll, 1000);
})();
