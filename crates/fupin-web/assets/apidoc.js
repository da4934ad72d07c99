// A small offline browser for /api/openapi.json (no CDN, no build step).
(function () {
  fetch('/api/openapi.json').then(function (r) { return r.json(); }).then(function (doc) {
    var root = document.getElementById('apidoc');
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
        if (op.requestBody) h += '<p>Body: <code>' + JSON.stringify(op.requestBody.content['application/json'].example || {}) + '</code></p>';
        h += '<p class="muted">Responses: ' + Object.keys(op.responses).join(', ') + '</p>';
      });
    });
    root.innerHTML = h;
  });
})();
