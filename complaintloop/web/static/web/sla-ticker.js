/* SLA countdown: re-render every [data-due] badge from its deadline every 30 s. */
(function () {
  if (window.__slaTicker) return;
  window.__slaTicker = true;
  function labels() {
    var el = document.querySelector("[data-sla-left]");
    return el ? el.dataset : {slaLeft: "剩余", slaOver: "超时", uD: "天", uH: "小时", uM: "分"};
  }
  function span(min, l) {
    min = Math.abs(min);
    var d = Math.floor(min / 1440), h = Math.floor((min % 1440) / 60), m = min % 60;
    if (d) return d + l.uD + h + l.uH;
    if (h) return h + l.uH + m + l.uM;
    return m + l.uM;
  }
  function tick() {
    var l = labels(), now = Date.now();
    document.querySelectorAll("[data-due]").forEach(function (el) {
      if (!el.dataset.due) return;
      var min = Math.floor((Date.parse(el.dataset.due) - now) / 60000);
      if (min < 0) {
        el.textContent = l.slaOver + " " + span(min, l);
        el.classList.remove("ok", "near");
        el.classList.add("breached");
      } else {
        el.textContent = l.slaLeft + " " + span(min, l);
      }
    });
  }
  window.slaTick = tick;
  setInterval(tick, 30000);
})();
/* Let htmx swap our 4xx answers (inline errors), not only 2xx. */
document.addEventListener("htmx:beforeSwap", function (e) {
  var s = e.detail.xhr.status;
  if (s >= 400 && s < 500) { e.detail.shouldSwap = true; e.detail.isError = false; }
});
