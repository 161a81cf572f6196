/* 监控台 charts (vendored ECharts) and htmx glue. Data: /console/data.json. */
(function () {
  "use strict";
  // Show 4xx fragments from one-click actions inline instead of dropping them.
  document.addEventListener("htmx:beforeSwap", function (evt) {
    var status = evt.detail.xhr.status;
    if (status >= 400 && status < 500) {
      evt.detail.shouldSwap = true;
      evt.detail.isError = false;
    }
  });

  var charts = {};
  // Legends and axis names come translated with the data (data.labels).
  var L = {};

  function chart(id) {
    var el = document.getElementById(id);
    if (!el || !window.echarts) return null;
    if (!charts[id]) charts[id] = window.echarts.init(el, null, { renderer: "canvas" });
    return charts[id];
  }

  function shareColor(share) {
    // green (0) → amber (0.25) → red (≥0.5)
    var stops = [[0, [67, 160, 71]], [0.25, [245, 166, 35]], [0.5, [211, 47, 47]]];
    var s = Math.max(0, Math.min(0.5, share || 0));
    for (var i = 1; i < stops.length; i++) {
      if (s <= stops[i][0]) {
        var a = stops[i - 1], b = stops[i], t = (s - a[0]) / (b[0] - a[0]);
        var c = a[1].map(function (v, k) { return Math.round(v + (b[1][k] - v) * t); });
        return "rgb(" + c.join(",") + ")";
      }
    }
    return "rgb(211,47,47)";
  }

  function paint(nodes) {
    return nodes.map(function (n) {
      var out = { name: n.name, value: n.value, breached: n.breached, share: n.share,
                  itemStyle: { color: shareColor(n.share) } };
      if (n.children) out.children = paint(n.children);
      return out;
    });
  }

  function drawLoad(load) {
    var c = chart("chart-load");
    if (!c) return;
    var total = (load || []).reduce(function (sum, n) { return sum + (n.value || 0); }, 0);
    if (!total) {  // an empty treemap would draw a stray breadcrumb box
      c.setOption({
        graphic: { type: "text", left: "center", top: "middle",
                   style: { text: L.noLoad || "", fill: "#6b7785", fontSize: 14 } },
        series: []
      }, true);
      return;
    }
    c.setOption({
      tooltip: {
        formatter: function (p) {
          var d = p.data || {};
          return p.name + "<br>" + L.items + ": " + (d.value || 0) + "<br>" + L.breached + ": " +
            (d.breached || 0) + " (" + Math.round((d.share || 0) * 100) + "%)";
        }
      },
      series: [{
        type: "treemap", roam: false, nodeClick: "zoomToNode",
        breadcrumb: { show: true, bottom: 0, height: 18 },
        top: 4, left: 4, right: 4, bottom: 26,
        label: { show: true, formatter: "{b}\n{c}", fontSize: 12 },
        upperLabel: { show: true, height: 20, color: "#fff", formatter: "{b}  {c}" },
        levels: [
          { itemStyle: { borderWidth: 0, gapWidth: 2 }, upperLabel: { show: false } },
          { itemStyle: { borderColor: "#5b6b7c", borderWidth: 3, gapWidth: 2 } },
          { itemStyle: { borderColor: "#8795a3", borderWidth: 2, gapWidth: 1 } },
          { itemStyle: { borderColor: "#fff", borderWidth: 1, gapWidth: 1 } }
        ],
        data: paint(load)
      }]
    }, true);
  }

  function drawIntake(d) {
    var c = chart("chart-intake");
    if (!c) return;
    c.setOption({
      tooltip: { trigger: "axis" },
      legend: { data: [L.today + " " + d.today_date, L.lastWeek + " " + d.last_week_date], top: 0 },
      grid: { left: 36, right: 12, top: 30, bottom: 24 },
      xAxis: { type: "category", data: d.hours },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        { name: L.today + " " + d.today_date, type: "bar", data: d.today, itemStyle: { color: "#0b5cad" } },
        { name: L.lastWeek + " " + d.last_week_date, type: "line", data: d.last_week, smooth: true,
          symbolSize: 4, itemStyle: { color: "#9aa7b4" }, lineStyle: { type: "dashed" } }
      ]
    }, true);
  }

  function drawBacklog(d) {
    var c = chart("chart-backlog");
    if (!c) return;
    c.setOption({
      tooltip: { trigger: "axis" },
      legend: { data: [L.backlog, L.created, L.closed], top: 0 },
      grid: { left: 44, right: 44, top: 30, bottom: 24 },
      xAxis: { type: "category", data: d.days.map(function (s) { return s.slice(5); }) },
      yAxis: [{ type: "value", minInterval: 1, name: L.backlog }, { type: "value", minInterval: 1 }],
      series: [
        { name: L.backlog, type: "line", data: d.backlog, areaStyle: { opacity: 0.12 },
          itemStyle: { color: "#c62828" } },
        { name: L.created, type: "bar", yAxisIndex: 1, data: d.created, itemStyle: { color: "#6aa5e0" } },
        { name: L.closed, type: "bar", yAxisIndex: 1, data: d.closed, itemStyle: { color: "#7cc49a" } }
      ]
    }, true);
  }

  function load() {
    var box = document.getElementById("charts");
    if (!box) return;
    fetch(box.dataset.url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (data) {
        L = data.labels || {};
        drawLoad(data.load);
        drawIntake(data.intake);
        drawBacklog(data.backlog);
        document.body.dataset.chartsReady = "1";
      })
      .catch(function (err) { console.warn("console data", err); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    load();
    setInterval(load, 5 * 60 * 1000);
    window.addEventListener("resize", function () {
      Object.keys(charts).forEach(function (k) { charts[k].resize(); });
    });
  });
})();
