/* 决策表编辑: dmn-js decision-table editor, the test panel (runs the table being
   edited on a sample ticket through the API, marks the matching rows), the server's
   problems marked on the cells, and the draft form that submits the edited XML. */
(function () {
  "use strict";

  var root = document.getElementById("decision-editor");
  if (!root || !window.DmnJS) return;

  var source = document.getElementById("dmn-source");
  var modeler = new window.DmnJS({ container: "#dmn-canvas" });

  function cellsOf(id) {
    return document.querySelectorAll(
      '#dmn-canvas [data-element-id="' + id + '"], #dmn-canvas [data-row-id="' + id + '"], ' +
      '#dmn-canvas [data-col-id="' + id + '"]'
    );
  }

  function mark(ids, cls) {
    document.querySelectorAll("#dmn-canvas ." + cls).forEach(function (el) {
      el.classList.remove(cls);
    });
    ids.forEach(function (id) {
      cellsOf(id).forEach(function (el) { el.classList.add(cls); });
    });
  }

  function problemIds() {
    return Array.prototype.map.call(
      document.querySelectorAll("#lint-problems li[data-element]"),
      function (li) { return li.dataset.element; }
    );
  }

  function openTable() {
    var view = modeler.getViews().filter(function (v) { return v.type === "decisionTable"; })[0];
    return view ? modeler.open(view) : Promise.resolve();
  }

  modeler.importXML(source.value).then(openTable).then(function () {
    root.dataset.ready = "1";
    mark(problemIds(), "lint-error");
    // dmn-js re-renders the table on every edit; keep the marks on it.
    var table = modeler.getActiveViewer();
    if (table && table.on) {
      table.on("elements.changed", function () { mark(problemIds(), "lint-error"); });
    }
  }).catch(function (err) {
    root.dataset.ready = "1";
    document.getElementById("dmn-canvas").textContent = String(err && err.message || err);
  });

  document.querySelectorAll("#lint-problems li[data-element]").forEach(function (li) {
    li.addEventListener("click", function () {
      var first = cellsOf(li.dataset.element)[0];
      if (first) first.scrollIntoView({ block: "center" });
    });
  });

  function currentXml() {
    return modeler.saveXML({ format: true }).then(function (r) { return r.xml; });
  }

  var form = document.getElementById("draft-form");
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    currentXml().then(function (xml) {
      source.value = xml;
      HTMLFormElement.prototype.submit.call(form);
    });
  });

  function csrf() {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function sampleFields(sample) {
    var fields = {};
    Array.prototype.forEach.call(sample.elements, function (el) {
      if (!el.name || el.name === "_extra" || el.value === "") return;
      fields[el.name] = el.value;
    });
    var extra = sample.elements._extra && sample.elements._extra.value;
    (extra || "").split(/[;；]/).forEach(function (pair) {
      var at = pair.indexOf("=");
      if (at > 0) fields[pair.slice(0, at).trim()] = pair.slice(at + 1).trim();
    });
    ["hour", "weekday"].forEach(function (name) {
      if (fields[name] !== undefined && fields[name] !== "" && !isNaN(+fields[name])) {
        fields[name] = +fields[name];
      }
    });
    return fields;
  }

  function line(parent, tag, text, cls) {
    var el = document.createElement(tag);
    el.textContent = text;
    if (cls) el.className = cls;
    parent.appendChild(el);
    return el;
  }

  var result = document.getElementById("sample-result");
  var sample = document.getElementById("sample-form");
  sample.addEventListener("submit", function (event) {
    event.preventDefault();
    currentXml().then(function (xml) {
      return fetch(root.dataset.evaluateUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
        body: JSON.stringify({ fields: sampleFields(sample), dmn_xml: xml }),
      });
    }).then(function (response) {
      return response.json().then(function (body) { return { ok: response.ok, body: body }; });
    }).then(function (answer) {
      result.textContent = "";
      var body = answer.body;
      if (!answer.ok) {
        line(result, "p", body.message || "error", "error-text");
        Object.keys(body.fields || {}).forEach(function (key) {
          line(result, "p", key + ": " + body.fields[key].join(" "), "small mono");
        });
        mark(Object.keys(body.fields || {}), "lint-error");
        return;
      }
      if (!body.matches.length) {
        line(result, "p", root.dataset.noMatch || "—", "muted");
      }
      var list = document.createElement("ol");
      list.id = "sample-matches";
      body.matches.forEach(function (m) {
        var item = line(list, "li", "", "");
        line(item, "b", "#" + m.row + " " + (m.description || m.rule), "");
        line(item, "span", " " + m.rule, "mono small");
        var outs = Object.keys(m.outputs).filter(function (k) { return m.outputs[k] !== null; });
        line(item, "div", outs.map(function (k) { return k + " = " + m.outputs[k]; }).join(" · "), "small");
      });
      result.appendChild(list);
      if (body.matches.length) {
        var merged = Object.keys(body.outputs).map(function (k) { return k + " = " + body.outputs[k]; });
        line(result, "p", (root.dataset.resultLabel || "") + merged.join(" · "), "sample-outputs");
      }
      mark(body.matches.map(function (m) { return m.rule; }), "rule-hit");
    }).catch(function (err) {
      result.textContent = String(err && err.message || err);
    });
  });
})();
