/* Insights charts (vendored ECharts): each [data-chart] reads its JSON from the
   <script type="application/json"> named by data-source; labels come from data-l-*. */
(function () {
  "use strict";
  var C = { blue: "#0b5cad", light: "#7fb0e0", grey: "#9aa7b5", red: "#c62828", amber: "#c77800", green: "#1f8a4c" };

  function json(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function markLine(day, label, color) {
    return { xAxis: day, label: { formatter: label, color: color, position: "insideEndTop" },
             lineStyle: { color: color, type: "dashed" } };
  }

  var draw = {
    hotspots: function (c, d, L) {
      c.setOption({
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
        legend: { data: [L.lCurrent, L.lPrevious, L.lLastYear], top: 0 },
        grid: { left: 40, right: 16, top: 30, bottom: 8, containLabel: true },
        xAxis: { type: "category", data: d.labels, axisLabel: { interval: 0, rotate: d.labels.length > 8 ? 30 : 0,
                 formatter: function (v) { return v.length > 14 ? "…" + v.slice(-13) : v; } } },
        yAxis: { type: "value", minInterval: 1 },
        series: [
          { name: L.lCurrent, type: "bar", data: d.current, itemStyle: { color: C.blue } },
          { name: L.lPrevious, type: "bar", data: d.previous, itemStyle: { color: C.light } },
          { name: L.lLastYear, type: "bar", data: d.last_year, itemStyle: { color: C.grey } }
        ]
      });
    },
    evidence: function (c, d, L) {
      // The control band: from 0 to the expected line, then expected → upper limit.
      var band = d.upper.map(function (u, i) { return +(u - d.expected[i]).toFixed(2); });
      c.setOption({
        tooltip: { trigger: "axis" },
        legend: { data: [L.lCount, L.lAfter, L.lExpected, L.lUpper, L.lBreak], top: 0 },
        grid: { left: 8, right: 24, top: 34, bottom: 40, containLabel: true },
        dataZoom: [{ type: "inside" }, { type: "slider", height: 18, bottom: 6 }],
        xAxis: { type: "category", data: d.days, boundaryGap: false },
        yAxis: { type: "value", minInterval: 1 },
        series: [
          { name: L.lExpected, type: "line", data: d.expected, stack: "band", symbol: "none",
            lineStyle: { color: C.green, type: "dashed", width: 1 }, itemStyle: { color: C.green } },
          { name: L.lUpper, type: "line", data: band, stack: "band", symbol: "none",
            itemStyle: { color: C.red },
            lineStyle: { color: C.red, type: "dashed", width: 1 }, areaStyle: { color: "rgba(198,40,40,0.08)" },
            tooltip: { valueFormatter: function () { return ""; } } },
          { name: L.lCount, type: "line", data: d.counts, symbol: "circle", symbolSize: 4,
            lineStyle: { color: C.blue, width: 2 }, itemStyle: { color: C.blue },
            markLine: { symbol: "none", data: [markLine(d.alert_day, L.lAlert, C.red)] } },
          { name: L.lAfter, type: "line", data: d.after, symbol: "circle", symbolSize: 4,
            lineStyle: { color: C.amber, width: 2 }, itemStyle: { color: C.amber } },
          { name: L.lBreak, type: "scatter", symbolSize: 11, itemStyle: { color: C.red },
            data: d.breaks.map(function (b) { return [b.day, b.value]; }), z: 5 }
        ]
      });
      // The tooltip shows the limit itself rather than the stacked band height.
      c.setOption({ tooltip: { trigger: "axis", formatter: function (ps) {
        var i = ps[0].dataIndex, lines = [d.days[i]];
        var v = d.counts[i] != null ? d.counts[i] : d.after[i];
        lines.push((d.counts[i] != null ? L.lCount : L.lAfter) + ": " + (v == null ? "-" : v));
        lines.push(L.lExpected + ": " + d.expected[i]);
        lines.push(L.lUpper + ": " + d.upper[i]);
        return lines.join("<br>");
      } } });
    },
    remonitor: function (c, d, L) {
      var marks = [markLine(d.alert_day, L.lAlert, C.red), markLine(d.issued_day, L.lIssued, C.amber)];
      if (d.closed_day) marks.push(markLine(d.closed_day, L.lClosed, C.green));
      c.setOption({
        tooltip: { trigger: "axis" },
        legend: { data: [L.lCount, L.lUpper], top: 0 },
        grid: { left: 8, right: 24, top: 34, bottom: 8, containLabel: true },
        xAxis: { type: "category", data: d.days, boundaryGap: false },
        yAxis: { type: "value", minInterval: 1 },
        series: [
          { name: L.lCount, type: "line", data: d.counts, symbolSize: 4, lineStyle: { color: C.blue, width: 2 },
            itemStyle: { color: function (p) { return p.value > d.upper ? C.red : C.blue; } },
            markLine: { symbol: "none", data: marks } },
          { name: L.lUpper, type: "line", data: d.days.map(function () { return d.upper; }), symbol: "none",
            itemStyle: { color: C.red }, lineStyle: { color: C.red, type: "dashed", width: 1 } }
        ]
      });
    },
    effect: function (c, d, L, el) {
      var f = json(el.dataset.figures) || {};
      var marks = d.marks.map(function (m) {
        return markLine(m.day, m.kind === "done" ? L.lDone : L.lCreated, m.kind === "done" ? C.green : C.amber);
      });
      var series = [{ name: L.lCount, type: "bar", data: d.counts, itemStyle: { color: C.light },
                      markLine: { symbol: "none", data: marks } }];
      if (f.ready) {
        var b0 = f.before_start.slice(0, 10), b1 = f.before_end.slice(0, 10);
        var a0 = f.after_start.slice(0, 10), a1 = f.after_end.slice(0, 10);
        series.push({ name: L.lBefore, type: "line", symbol: "none", lineStyle: { color: C.red, width: 2 },
          data: d.days.map(function (x) { return x >= b0 && x < b1 ? f.before_per_day : null; }) });
        series.push({ name: L.lAfter, type: "line", symbol: "none", lineStyle: { color: C.green, width: 2 },
          data: d.days.map(function (x) { return x >= a0 && x <= a1 ? f.after_per_day : null; }) });
      }
      c.setOption({
        tooltip: { trigger: "axis" },
        legend: { top: 0 },
        grid: { left: 8, right: 24, top: 34, bottom: 8, containLabel: true },
        xAxis: { type: "category", data: d.days },
        yAxis: { type: "value", minInterval: 1 },
        series: series
      });
    }
  };

  function init() {
    if (!window.echarts) return;
    var drawn = 0;
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var data = json(el.dataset.source), fn = draw[el.dataset.chart];
      if (!data || !fn) return;
      var chart = window.echarts.init(el, null, { renderer: "canvas" });
      fn(chart, data, el.dataset, el);
      window.addEventListener("resize", function () { chart.resize(); });
      drawn++;
    });
    document.body.dataset.chartsReady = String(drawn);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
