// fupin funds page: draws its charts from #funds-charts' data-figures attribute (no inline script),
// in the dashboard's manner (dashboard.js): ECharts, the page's font, no animation, values shown.
// Also the print button of a dividend list.
(function () {
  var FONT = '-apple-system, "Segoe UI", "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", "fupin Noto Sans SC", system-ui, sans-serif';
  function draw() {
    var root = document.getElementById('funds-charts');
    if (!root || typeof echarts === 'undefined') return;
    var f = JSON.parse(root.getAttribute('data-figures'));
    function num(v) { return Number(v); }
    function chart(id, option) {
      var node = document.getElementById(id);
      if (!node) return;
      var c = echarts.init(node);
      option.textStyle = { fontFamily: FONT };
      option.animation = false;
      c.setOption(option);
      node.setAttribute('data-drawn', 'yes');
      window.addEventListener('resize', function () { c.resize(); });
    }
    if (f.levels.length) {
      chart('chart-sources', {
        tooltip: { trigger: 'item', formatter: '{b}: {c} ' + f.units.yuan + ' ({d}%)' },
        legend: { bottom: 0 },
        series: [{ type: 'pie', radius: ['30%', '58%'], center: ['50%', '42%'], label: { formatter: '{b} {d}%' },
                   data: f.levels.map(function (x) { return { name: x.label, value: num(x.value) }; }) }]
      });
    }
    if (f.categories.length) {
      chart('chart-categories', {
        tooltip: { trigger: 'axis' },
        grid: { left: 24, right: 60, top: 10, bottom: 10, containLabel: true },
        xAxis: { type: 'value', name: f.units.yuan },
        yAxis: { type: 'category', inverse: true, data: f.categories.map(function (x) { return x.label; }) },
        series: [{ type: 'bar', data: f.categories.map(function (x) { return num(x.value); }),
                   label: { show: true, position: 'right' }, itemStyle: { color: '#9a6700' } }]
      });
    }
    if (f.months.length) {
      chart('chart-months', {
        tooltip: { trigger: 'axis' },
        grid: { left: 10, right: 20, top: 30, bottom: 10, containLabel: true },
        xAxis: { type: 'category', data: f.months.map(function (x) { return x.label; }) },
        yAxis: { type: 'value', name: f.units.yuan },
        series: [{ type: 'bar', data: f.months.map(function (x) { return num(x.value); }),
                   label: { show: true, position: 'top' }, itemStyle: { color: '#1f6feb' } }]
      });
    }
  }
  function ready() {
    draw();
    var p = document.querySelector('[data-print]');
    if (p) p.addEventListener('click', function () { window.print(); });
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', ready);
  else ready();
})();
