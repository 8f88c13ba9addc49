/* Renders /openapi.json as a reference page (text only: no innerHTML). */
(function () {
  "use strict";

  function el(tag, cls, text) {
    var n = document.createElement(tag);
    if (cls) n.className = cls;
    if (text !== undefined && text !== null) n.textContent = String(text);
    return n;
  }

  function typeOf(schema, spec) {
    if (!schema) return "";
    if (schema.$ref) return schema.$ref.split("/").pop();
    if (schema.anyOf) return schema.anyOf.map(function (s) { return typeOf(s, spec); }).filter(function (t) { return t !== "null"; }).join(" | ");
    if (schema.enum) return schema.enum.join(" | ");
    var t = schema.type || "";
    if (schema.format) t += " (" + schema.format + ")";
    if (schema.maximum !== undefined || schema.minimum !== undefined) t += " [" + (schema.minimum !== undefined ? schema.minimum : "") + ".." + (schema.maximum !== undefined ? schema.maximum : "") + "]";
    return t;
  }

  function table(head, rows) {
    var t = el("table"), tr = el("tr");
    head.forEach(function (h) { tr.appendChild(el("th", null, h)); });
    t.appendChild(tr);
    rows.forEach(function (r) {
      var row = el("tr");
      r.forEach(function (c) { row.appendChild(el("td", null, c)); });
      t.appendChild(row);
    });
    return t;
  }

  function render(spec) {
    var main = document.getElementById("endpoints");
    while (main.firstChild) main.removeChild(main.firstChild);
    Object.keys(spec.paths).forEach(function (path) {
      var ops = spec.paths[path];
      Object.keys(ops).forEach(function (method) {
        var op = ops[method];
        var sec = el("section");
        var h = el("h2");
        h.appendChild(el("span", "method " + method, method.toUpperCase()));
        h.appendChild(document.createTextNode(path));
        sec.appendChild(h);
        if (op.summary) sec.appendChild(el("p", "summary", op.summary));
        if (op.description) sec.appendChild(el("p", "desc", op.description));
        var params = op.parameters || [];
        if (params.length) {
          sec.appendChild(table(["parameter", "in", "type", "default", "description"], params.map(function (p) {
            var s = p.schema || {};
            return [p.name + (p.required ? " *" : ""), p.in, typeOf(s, spec), s.default === undefined ? "" : JSON.stringify(s.default), p.description || s.description || ""];
          })));
        }
        var body = op.requestBody && op.requestBody.content && op.requestBody.content["application/json"];
        if (body && body.schema) {
          var props = body.schema.properties || {};
          var req = body.schema.required || [];
          sec.appendChild(el("p", null, "JSON body:"));
          sec.appendChild(table(["field", "type", "description"], Object.keys(props).map(function (k) {
            return [k + (req.indexOf(k) >= 0 ? " *" : ""), typeOf(props[k], spec), props[k].description || ""];
          })));
        }
        var resp = op.responses || {};
        sec.appendChild(table(["status", "meaning"], Object.keys(resp).map(function (code) {
          return [code, resp[code].description || ""];
        })));
        main.appendChild(sec);
      });
    });
  }

  fetch("/openapi.json").then(function (r) { return r.json(); }).then(render).catch(function (err) {
    document.getElementById("endpoints").textContent = "could not load /openapi.json: " + err.message;
  });
})();
