// fupin pages: draws the dashboard charts from the figures embedded in the page.
(function () {
  function draw() {
    var el = document.getElementById('figures');
    if (!el || typeof echarts === 'undefined') return;
    var f = JSON.parse(el.getAttribute('data-figures') || el.textContent);
    var charts = [];
    function chart(id, option) {
      var node = document.getElementById(id);
      if (!node) return;
      var c = echarts.init(node);
      option.textStyle = { fontFamily: 'system-ui, "PingFang SC", "fupin Noto Sans SC", "Microsoft YaHei", sans-serif' };
      c.setOption(option);
      charts.push(c);
      return c;
    }
    chart('chart-status', {
      tooltip: { trigger: 'item' },
      series: [{ type: 'pie', radius: ['35%', '65%'], data: f.status.map(function (s) { return { name: s.label, value: s.people }; }) }]
    });
    var areas = chart('chart-areas', {
      tooltip: { trigger: 'axis' },
      grid: { left: 50, right: 10, bottom: 70 },
      xAxis: { type: 'category', data: f.areas.map(function (a) { return a.label; }), axisLabel: { rotate: 40 } },
      yAxis: { type: 'value', name: '%' },
      series: [{ type: 'bar', data: f.areas.map(function (a) { return a.incidence; }), itemStyle: { color: '#b3261e' } }]
    });
    if (areas) {
      areas.on('click', function (p) {
        var a = f.areas[p.dataIndex];
        if (a && a.href) window.location.href = a.href;
      });
    }
    chart('chart-causes', {
      tooltip: { trigger: 'axis' },
      grid: { left: 110, right: 10 },
      xAxis: { type: 'value' },
      yAxis: { type: 'category', data: f.causes.map(function (c) { return c.label; }) },
      series: [{ type: 'bar', data: f.causes.map(function (c) { return c.value; }), itemStyle: { color: '#9a6700' } }]
    });
    chart('chart-monitoring', {
      tooltip: { trigger: 'item' },
      series: [{ type: 'pie', radius: '60%', data: f.monitoring.map(function (m) { return { name: m.label, value: m.households }; }) }]
    });
    window.addEventListener('resize', function () { charts.forEach(function (c) { c.resize(); }); });
    document.body.setAttribute('data-charts', String(charts.length));
  }
  // Draw once the web font is ready, so that canvas text has its Chinese glyphs.
  function start() {
    if (document.fonts && document.fonts.load) {
      document.fonts.load('12px "fupin Noto Sans SC"').then(draw, draw);
    } else {
      draw();
    }
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start); else start();
})();
// No inline handlers (Content-Security-Policy): a form with data-confirm asks first; a button with
// data-print prints the page.
(function () {
  document.addEventListener('submit', function (e) {
    var f = e.target;
    if (f && f.getAttribute && f.getAttribute('data-confirm') && !window.confirm(f.getAttribute('data-confirm'))) {
      e.preventDefault();
    }
  });
  document.addEventListener('click', function (e) {
    if (e.target && e.target.closest && e.target.closest('[data-print]')) window.print();
  });
})();
