// Trend chart of one indicator (ECharts), with its target and warning lines.
(function () {
  function draw() {
    var el = document.getElementById("trend-chart");
    var data = document.getElementById("trend-data");
    if (!el || !data || !window.echarts) return;
    var d = JSON.parse(data.textContent);
    var lines = [];
    if (d.target !== null) lines.push({ yAxis: d.target, name: d.labels_text.target, lineStyle: { color: "#2e7d32" }, label: { formatter: d.labels_text.target + " {c}" } });
    if (d.warning !== null) lines.push({ yAxis: d.warning, name: d.labels_text.warning, lineStyle: { color: "#c62828" }, label: { formatter: d.labels_text.warning + " {c}" } });
    var chart = echarts.init(el);
    chart.setOption({
      animation: false,
      grid: { left: 56, right: 90, top: 24, bottom: 40 },
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: d.labels },
      yAxis: { type: "value", scale: true },
      series: [{
        name: d.name, type: "line", data: d.values, connectNulls: false, symbolSize: 6,
        itemStyle: { color: "#1f5fae" },
        markLine: { symbol: "none", lineStyle: { type: "dashed" }, data: lines }
      }]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
