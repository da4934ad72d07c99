// A small offline browser for /api/openapi.json (no CDN, no build step).
(function () {
  fetch('/api/openapi.json').then(function (r) { return r.json(); }).then(function (doc) {
    var root = document.getElementById('apidoc');
    var schemas = (doc.components && doc.components.schemas) || {};
    // A schema as its name and its properties (one level).
    function schema(s) {
      if (!s || !s['$ref']) return '<code>' + JSON.stringify(s || {}) + '</code>';
      var name = s['$ref'].split('/').pop();
      var props = Object.keys((schemas[name] || {}).properties || {});
      return '<code title="' + props.join(', ') + '">' + name + '</code>' + (props.length ? ' <small class="muted">{' + props.join(', ') + '}</small>' : '');
    }
    var h = '<h1>' + doc.info.title + ' <small class="muted">' + doc.info.version + '</small></h1><p>' + doc.info.description + '</p>';
    Object.keys(doc.paths).sort().forEach(function (path) {
      var ops = doc.paths[path];
      Object.keys(ops).forEach(function (m) {
        var op = ops[m];
        h += '<h2><code>' + m.toUpperCase() + ' ' + path + '</code></h2><p>' + (op.summary || '') + '</p>';
        if (op.parameters && op.parameters.length) {
          h += '<table><tr><th>name</th><th>in</th><th>description</th></tr>';
          op.parameters.forEach(function (p) { h += '<tr><td><code>' + p.name + '</code></td><td>' + p['in'] + '</td><td>' + (p.description || '') + '</td></tr>'; });
          h += '</table>';
        }
        if (op.requestBody) h += '<p>Body: ' + schema(op.requestBody.content['application/json'].schema) + '</p>';
        h += '<p class="muted">Responses: ' + Object.keys(op.responses).map(function (code) {
          var c = op.responses[code].content;
          return code + (code[0] === '2' && c ? ' ' + schema(c['application/json'].schema) : '');
        }).join(', ') + '</p>';
      });
    });
    root.innerHTML = h;
  });
})();
