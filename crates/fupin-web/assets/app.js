// fupin pages: behaviour without inline script (the Content-Security-Policy allows only files
// from /static): confirmations, print buttons, and the area picker's cascading selects.
(function () {
  // <form data-confirm="..."> asks before it is sent.
  document.addEventListener('submit', function (e) {
    var msg = e.target.getAttribute && e.target.getAttribute('data-confirm');
    if (msg && !window.confirm(msg)) e.preventDefault();
  }, true);
  // <button data-print> prints the page.
  document.addEventListener('click', function (e) {
    var b = e.target.closest && e.target.closest('[data-print]');
    if (b) { e.preventDefault(); window.print(); }
  });

  // A select of a <form data-autosubmit> sends the form when it changes (the cascading selects
  // through their hidden plain select).
  document.addEventListener('change', function (e) {
    var t = e.target;
    if (t.tagName !== 'SELECT' || t.classList.contains('cascade-level')) return;
    if (t.form && t.form.hasAttribute('data-autosubmit')) {
      if (t.form.requestSubmit) t.form.requestSubmit(); else t.form.submit();
    }
  });

  // The area picker: a plain <select class="area-picker"> whose options carry data-parent and
  // data-level becomes one select per level (township → village); the plain select stays in the
  // form, hidden, and holds the value sent.
  function picker(sel) {
    if (sel.getAttribute('data-cascade')) return;
    sel.setAttribute('data-cascade', '1');
    var villagesOnly = sel.getAttribute('data-villages-only') === 'true';
    var opts = Array.prototype.slice.call(sel.options).filter(function (o) { return o.value !== ''; });
    if (!opts.length) return;
    var byCode = {}, children = {};
    opts.forEach(function (o) {
      byCode[o.value] = o;
      var p = o.getAttribute('data-parent') || '';
      (children[p] = children[p] || []).push(o);
    });
    var root = opts[0];
    var box = document.createElement('span');
    box.className = 'cascade';
    sel.parentNode.insertBefore(box, sel.nextSibling);
    sel.hidden = true;
    function chain(code) {
      var out = [];
      while (code && byCode[code]) { out.unshift(code); code = byCode[code].getAttribute('data-parent'); }
      return out;
    }
    function render(value) {
      box.textContent = '';
      var path = chain(value || '');
      if (!path.length) path = [root.value];
      var parent = root.value, level = 1;
      while (children[parent]) {
        var s = document.createElement('select');
        s.className = 'cascade-level';
        s.setAttribute('data-level-index', String(level));
        s.setAttribute('aria-label', (sel.labels && sel.labels[0] ? sel.labels[0].textContent.trim() + ' ' : '') + level);
        var all = document.createElement('option');
        all.value = parent;
        all.textContent = villagesOnly ? '—' : '(' + byCode[parent].textContent.trim() + ')';
        s.appendChild(all);
        children[parent].forEach(function (o) {
          var c = document.createElement('option');
          c.value = o.value;
          c.textContent = o.textContent.trim();
          s.appendChild(c);
        });
        var chosen = path[level];
        s.value = chosen || parent;
        s.addEventListener('change', function (ev) {
          ev.stopPropagation();
          var v = ev.target.value;
          var complete = !villagesOnly || (byCode[v] && byCode[v].getAttribute('data-level') === 'village');
          sel.value = complete ? v : '';
          render(v);
          sel.dispatchEvent(new Event('change', { bubbles: true }));
        });
        box.appendChild(s);
        if (!chosen) break;
        parent = chosen; level += 1;
      }
    }
    render(sel.value);
  }
  function init(root) {
    Array.prototype.forEach.call((root || document).querySelectorAll('select.area-picker'), picker);
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', function () { init(); });
  else init();
  document.addEventListener('htmx:afterSwap', function (e) { init(e.target); });
})();
