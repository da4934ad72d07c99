// fupin dashboard: draws the charts from the figures in #dashboard's data-figures attribute (no
// inline script). Every chart has its legend or axis names and shows its values; a bar, a slice or
// a card leads to the filtered list or the area below.
(function () {
  // The page's font stack (app.css): the shipped font before system-ui, whose bold face would
  // otherwise answer for Chinese characters with empty boxes on a machine without Chinese fonts.
  var FONT = '-apple-system, "Segoe UI", "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", "fupin Noto Sans SC", system-ui, sans-serif';
  var charts = [];
  var redraws = 0;
  function draw() {
    var root = document.getElementById('dashboard');
    if (!root || typeof echarts === 'undefined') return;
    var f = JSON.parse(root.getAttribute('data-figures'));
    var u = f.units;
    function chart(id, option, links) {
      var node = document.getElementById(id);
      if (!node) return null;
      var c = echarts.init(node);
      option.textStyle = { fontFamily: FONT };
      option.animation = false;
      c.setOption(option);
      if (links) {
        c.on('click', function (p) {
          var item = links[p.dataIndex];
          if (item && item.href) window.location.href = item.href;
        });
        node.setAttribute('data-links', links.map(function (l) { return l.href; }).join(' '));
      }
      charts.push({ chart: c, option: option });
      return c;
    }
    function pie(id, items, value) {
      if (!items.length) return;
      // On a phone the labels stay short enough to fit beside the ring.
      var narrow = window.innerWidth < 600;
      chart(id, {
        tooltip: { trigger: 'item', formatter: '{b}: {c} ' + u.households + ' ({d}%)' },
        legend: { bottom: 0 },
        series: [{
          type: 'pie', radius: narrow ? ['25%', '48%'] : ['30%', '58%'], center: ['50%', '42%'],
          label: { formatter: narrow ? '{c}' : '{c} ({d}%)' }, labelLine: { length: 8, length2: 6 },
          data: items.map(function (s) { return { name: s.label, value: s[value] }; })
        }]
      }, items);
    }
    pie('chart-status', f.status, 'households');
    chart('chart-areas', {
      tooltip: { trigger: 'axis', valueFormatter: function (v) { return v + '%'; } },
      grid: { left: 10, right: 20, top: 30, bottom: 10, containLabel: true },
      xAxis: { type: 'category', data: f.areas.map(function (a) { return a.label; }),
               axisLabel: { rotate: f.areas.length > 4 ? 40 : 0, interval: 0, width: 90, overflow: 'truncate' } },
      yAxis: { type: 'value', name: '%' },
      series: [{ type: 'bar', data: f.areas.map(function (a) { return a.incidence; }),
                 label: { show: true, position: 'top', formatter: '{c}%' }, itemStyle: { color: '#b3261e' } }]
    }, f.areas);
    chart('chart-causes', {
      tooltip: { trigger: 'axis' },
      // A margin beyond the measured labels: measured with a web font still arriving they come out
      // a character short.
      grid: { left: 24, right: 40, top: 10, bottom: 10, containLabel: true },
      xAxis: { type: 'value', name: u.households },
      yAxis: { type: 'category', inverse: true, data: f.causes.map(function (c) { return c.label; }) },
      series: [{ type: 'bar', data: f.causes.map(function (c) { return c.value; }),
                 label: { show: true, position: 'right' }, itemStyle: { color: '#9a6700' } }]
    }, f.causes);
    pie('chart-monitoring', f.monitoring, 'households');
    var t = f.trend;
    if (t.years.length) {
      chart('chart-trend', {
        tooltip: {
          trigger: 'axis',
          formatter: function (ps) {
            var i = ps[0].dataIndex;
            return t.years[i] + '<br>' + t.series.map(function (s) {
              return s.label + ': ' + s.households[i] + ' ' + u.households + ' · ' + s.people[i] + ' ' + u.people;
            }).join('<br>');
          }
        },
        legend: { top: 0 },
        grid: { left: 10, right: 10, top: 40, bottom: 10, containLabel: true },
        xAxis: { type: 'category', data: t.years.map(String) },
        yAxis: { type: 'value', name: u.households },
        series: t.series.map(function (s) {
          return { name: s.label, type: 'bar', stack: 'h', data: s.households,
                   label: { show: true, formatter: function (p) { return p.value ? p.value : ''; } } };
        })
      });
    }
    window.addEventListener('resize', function () { charts.forEach(function (c) { c.chart.resize(); }); });
    document.body.setAttribute('data-charts', String(charts.length));
    if (window.performance) document.body.setAttribute('data-charts-ms', String(Math.round(performance.now())));
  }
  // Canvas text drawn before a web font arrived is redrawn once it has.
  if (document.fonts && document.fonts.addEventListener) {
    document.fonts.addEventListener('loadingdone', function () {
      // A font stack spelled differently, so that text is measured anew (ECharts keeps widths
      // measured with the fallback font by font string).
      redraws += 1;
      charts.forEach(function (c) {
        c.option.textStyle = { fontFamily: FONT + new Array(redraws + 1).join(', sans-serif') };
        c.chart.setOption(c.option, true);
      });
    });
  }
  // Draw as soon as the page and ECharts are here: a slow connection should not wait for the
  // shipped font (146 KB) before the figures show. Where the font arrives later, the
  // 'loadingdone' handler above draws the text again, measured with its glyphs.
  function start() { draw(); }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start); else start();
})();
