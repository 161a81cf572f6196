/* Queue keyboard: j/k move, Enter opens, x toggles, / searches. */
(function () {
  var focusIndex = -1;
  function rows() { return Array.prototype.slice.call(document.querySelectorAll("table.queue tbody tr[data-href]")); }
  function focusRow(i) {
    var list = rows();
    if (!list.length) return;
    focusIndex = Math.max(0, Math.min(list.length - 1, i));
    list.forEach(function (r) { r.classList.remove("focused"); });
    var row = list[focusIndex];
    row.classList.add("focused");
    row.focus({preventScroll: false});
    row.scrollIntoView({block: "nearest"});
  }
  function updateCount() {
    var n = document.querySelectorAll("input[name=numbers]:checked").length;
    document.querySelectorAll("[data-selected-count]").forEach(function (el) { el.textContent = n; });
  }
  document.addEventListener("keydown", function (e) {
    var t = e.target, tag = t && t.tagName;
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA" || (t && t.isContentEditable)) {
      if (e.key === "Escape") t.blur();
      return;
    }
    if (e.key === "j") { e.preventDefault(); focusRow(focusIndex + 1); }
    else if (e.key === "k") { e.preventDefault(); focusRow(focusIndex - 1); }
    else if (e.key === "Enter" && focusIndex >= 0) {
      var row = rows()[focusIndex];
      if (row) { e.preventDefault(); window.location.href = row.dataset.href; }
    } else if (e.key === "x" && focusIndex >= 0) {
      var box = rows()[focusIndex] && rows()[focusIndex].querySelector("input[type=checkbox]");
      if (box) { e.preventDefault(); box.checked = !box.checked; updateCount(); }
    } else if (e.key === "/") {
      e.preventDefault();
      var q = document.getElementById("queue-q");
      if (q) { q.focus(); q.select(); }
    }
  });
  document.addEventListener("click", function (e) {
    var row = e.target.closest && e.target.closest("table.queue tbody tr[data-href]");
    if (row) { focusIndex = rows().indexOf(row); rows().forEach(function (r) { r.classList.toggle("focused", r === row); }); }
  });
  document.addEventListener("change", function (e) {
    // A filter other than the search box reloads the results at once (queue-filter's
    // hx-trigger; the search box has its own debounce).
    var form = e.target.closest && e.target.closest("#queue-filter");
    if (form && e.target.id !== "queue-q") form.dispatchEvent(new CustomEvent("filter-change"));
    if (e.target.matches("[data-check-all]")) {
      document.querySelectorAll("input[name=numbers]").forEach(function (b) { b.checked = e.target.checked; });
    }
    if (e.target.matches("input[name=numbers], [data-check-all]")) updateCount();
  });
  document.addEventListener("htmx:afterSwap", function (e) {
    if (e.detail.target && e.detail.target.id === "queue-results") { focusIndex = -1; updateCount(); if (window.slaTick) window.slaTick(); }
  });
})();
