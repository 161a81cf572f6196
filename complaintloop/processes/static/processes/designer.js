/* 流程设计器: bpmn-js modeler with the properties our engine reads from user tasks
   (spiffworkflow:property assignee / timeLimitMinutes), the server's lint problems
   marked on the diagram, and the draft form that submits the edited XML. */
(function () {
  "use strict";

  var root = document.getElementById("designer");
  if (!root || !window.BpmnJS) return;

  // The SpiffWorkflow extension namespace, so bpmn-js reads and writes the properties
  // as typed elements instead of dropping or mangling them.
  var SPIFF = {
    name: "SpiffWorkflow",
    prefix: "spiffworkflow",
    uri: "http://spiffworkflow.org/bpmn/schema/1.0/core",
    xml: { tagAlias: "lowerCase" },
    types: [
      {
        name: "Properties",
        superClass: ["Element"],
        properties: [{ name: "properties", type: "Property", isMany: true }],
      },
      {
        name: "Property",
        superClass: ["Element"],
        properties: [
          { name: "name", isAttr: true, type: "String" },
          { name: "value", isAttr: true, type: "String" },
        ],
      },
    ],
  };
  var ASSIGNEE = root.dataset.assigneeProperty;
  var LIMIT = root.dataset.timeLimitProperty;
  var OPERATIONS = root.dataset.operationsProperty;

  var source = document.getElementById("bpmn-source");
  var modeler = new window.BpmnJS({
    container: "#canvas",
    moddleExtensions: { spiffworkflow: SPIFF },
  });
  var moddle = modeler.get("moddle");
  var modeling = modeler.get("modeling");
  var registry = modeler.get("elementRegistry");
  var selection = modeler.get("selection");

  function propertiesOf(bo, create) {
    var ext = bo.extensionElements;
    var found = ext && (ext.values || []).filter(function (v) {
      return v.$type === "spiffworkflow:Properties";
    })[0];
    if (found || !create) return { ext: ext, props: found };
    ext = ext || moddle.create("bpmn:ExtensionElements", { values: [] });
    found = moddle.create("spiffworkflow:Properties", { properties: [] });
    ext.get("values").push(found);
    return { ext: ext, props: found };
  }

  function read(bo, name) {
    var props = propertiesOf(bo, false).props;
    var hit = props && (props.properties || []).filter(function (p) { return p.name === name; })[0];
    return hit ? hit.value || "" : null;
  }

  function write(element, name, value) {
    var bo = element.businessObject;
    var found = propertiesOf(bo, true);
    var list = found.props.get("properties");
    var hit = list.filter(function (p) { return p.name === name; })[0];
    if (value === null) {
      if (hit) list.splice(list.indexOf(hit), 1);
    } else {
      if (!hit) {
        hit = moddle.create("spiffworkflow:Property", { name: name });
        list.push(hit);
      }
      hit.value = value;
    }
    modeling.updateProperties(element, { extensionElements: found.ext });
  }

  // -- the properties panel ---------------------------------------------------------
  var form = document.getElementById("element-form");
  var empty = document.getElementById("element-empty");
  var kind = document.getElementById("prop-assignee-kind");
  var unit = document.getElementById("prop-unit");
  var unitLabel = document.getElementById("prop-unit-label");
  var limit = document.getElementById("prop-limit");
  var current = null;
  var imported = false;
  var operationBoxes = Array.prototype.slice.call(
    document.querySelectorAll("#prop-operations input[type=checkbox]")
  );
  operationBoxes.forEach(function (box) {
    box.addEventListener("change", function () {
      if (!current) return;
      var on = operationBoxes.filter(function (b) { return b.checked; })
        .map(function (b) { return b.value; });
      write(current, OPERATIONS, on.length === operationBoxes.length ? null : on.join(","));
    });
  });

  function show(element) {
    current = element && element.type === "bpmn:UserTask" ? element : null;
    form.hidden = !current;
    empty.hidden = !!current;
    if (!current) return;
    var bo = current.businessObject;
    document.getElementById("element-name").textContent = bo.name || "";
    document.getElementById("element-id").textContent = bo.id;
    var owner = read(bo, ASSIGNEE) || "";
    kind.value = owner === "routed" || owner === "accepting" || owner === "" ? owner : "unit";
    unit.value = kind.value === "unit" ? owner : "";
    unitLabel.hidden = kind.value !== "unit";
    var minutes = read(bo, LIMIT);
    limit.value = minutes || "";
    var allowed = read(bo, OPERATIONS);  // null: every operation allowed
    var list = allowed === null ? null : allowed.split(",");
    operationBoxes.forEach(function (box) {
      box.checked = list === null || list.indexOf(box.value) >= 0;
    });
  }

  kind.addEventListener("change", function () {
    if (!current) return;
    unitLabel.hidden = kind.value !== "unit";
    if (kind.value === "unit") { unit.focus(); return; }
    write(current, ASSIGNEE, kind.value || null);
  });
  unit.addEventListener("change", function () {
    if (current) write(current, ASSIGNEE, unit.value.trim().toUpperCase() || null);
  });
  limit.addEventListener("change", function () {
    // empty: the ticket's own limit applies (declared, so not "missing")
    if (current) write(current, LIMIT, limit.value.trim());
  });
  // -- a gateway's outgoing flow: its condition from the picker, or the default flow ---
  var flowForm = document.getElementById("flow-form");
  var flowDefault = document.getElementById("flow-default");
  var condField = document.getElementById("cond-field");
  var condOp = document.getElementById("cond-op");
  var condValue = document.getElementById("cond-value");
  var condCurrent = document.getElementById("cond-current");
  var flow = null;
  var BOOLEAN = { satisfied: true, is_enterprise: true };

  function gatewayOf(element) {
    var source = element && element.type === "bpmn:SequenceFlow" && element.source;
    return source && /Gateway$/.test(source.type) && source.type !== "bpmn:ParallelGateway"
      ? source : null;
  }

  function literal(field, text) {
    text = text.trim();
    if (BOOLEAN[field]) return /^(true|是|1|yes)$/i.test(text) ? "True" : "False";
    if (/^-?\d+(\.\d+)?$/.test(text)) return text;
    return JSON.stringify(text);
  }

  function showFlow(element) {
    var gateway = gatewayOf(element);
    flow = gateway ? element : null;
    flowForm.hidden = !flow;
    if (!flow) return;
    empty.hidden = true;
    document.getElementById("flow-id").textContent = flow.id;
    var bo = flow.businessObject;
    flowDefault.checked = gateway.businessObject.default === bo;
    var expr = bo.conditionExpression ? bo.conditionExpression.body || "" : "";
    condCurrent.textContent = expr || "—";
    var m = /^(\w+)\s*(==|!=|not in|in|>=|<=)\s*(.+)$/.exec(expr.trim());
    if (m) {
      condField.value = m[1];
      condOp.value = m[2];
      condValue.value = m[3].replace(/^\(|\)$/g, "").replace(/"/g, "");
    }
  }

  function setCondition(expr) {
    if (!flow) return;
    var value = expr ? moddle.create("bpmn:FormalExpression", { body: expr }) : undefined;
    modeling.updateProperties(flow, { conditionExpression: value });
    condCurrent.textContent = expr || "—";
  }

  document.getElementById("cond-apply").addEventListener("click", function () {
    var field = condField.value;
    var op = condOp.value;
    var expr;
    if (op === "in" || op === "not in") {
      var items = condValue.value.split(/[,，、]/).filter(function (v) { return v.trim(); });
      expr = field + " " + op + " (" + items.map(function (v) { return literal(field, v); }).join(", ") +
        (items.length === 1 ? "," : "") + ")";
    } else {
      expr = field + " " + op + " " + literal(field, condValue.value);
    }
    setCondition(expr);
  });
  document.getElementById("cond-clear").addEventListener("click", function () { setCondition(""); });
  flowDefault.addEventListener("change", function () {
    var gateway = gatewayOf(flow);
    if (!gateway) return;
    if (flowDefault.checked) {
      setCondition("");  // a default flow carries no condition
      modeling.updateProperties(gateway, { "default": flow.businessObject });
    } else if (gateway.businessObject.default === flow.businessObject) {
      modeling.updateProperties(gateway, { "default": undefined });
    }
  });

  modeler.on("selection.changed", function (e) {
    var one = e.newSelection.length === 1 ? e.newSelection[0] : null;
    show(one);
    showFlow(one);
  });
  modeler.on("shape.added", function (e) {
    // A new user task starts with both properties declared but unset, so the lint
    // asks for an owner rather than for the property's existence.
    var element = e.element;
    if (!imported) return;
    if (element.type === "bpmn:UserTask" && read(element.businessObject, ASSIGNEE) === null) {
      window.setTimeout(function () { write(element, ASSIGNEE, ""); write(element, LIMIT, ""); }, 0);
    }
  });

  // -- lint problems from the last save ---------------------------------------------
  function markProblems() {
    var canvas = modeler.get("canvas");
    var overlays = modeler.get("overlays");
    document.querySelectorAll("#lint-problems li[data-element]").forEach(function (li) {
      var id = li.dataset.element;
      var element = registry.get(id);
      if (!element) return;
      canvas.addMarker(id, "lint-error");
      var badge = document.createElement("span");
      badge.className = "lint-badge";
      badge.textContent = "!";
      badge.title = li.textContent.trim();
      overlays.add(id, { position: { top: -10, right: 10 }, html: badge });
      li.addEventListener("click", function () { selection.select(element); });
    });
  }

  modeler
    .importXML(source.value)
    .then(function () {
      modeler.get("canvas").zoom("fit-viewport");
      markProblems();
      imported = true;
      root.dataset.ready = "1";
    })
    .catch(function (err) {
      root.dataset.ready = "error";
      empty.textContent = String(err && err.message ? err.message : err);
    });

  // -- saving -------------------------------------------------------------------------
  var draft = document.getElementById("draft-form");
  draft.addEventListener("submit", function (e) {
    e.preventDefault();
    modeler.saveXML({ format: true }).then(function (result) {
      source.value = result.xml;
      HTMLFormElement.prototype.submit.call(draft); // no second submit event
    }).catch(function (err) {
      window.alert(String(err && err.message ? err.message : err));
    });
  });

  // -- simulation of the edited version on recent tickets ------------------------------
  var simForm = document.getElementById("simulate-form");
  var simOut = document.getElementById("simulate-result");
  var simBadges = [];
  function cell(row, text, cls) {
    var td = document.createElement("td");
    td.textContent = text;
    if (cls) td.className = cls;
    row.appendChild(td);
  }
  if (simForm) {
    simForm.addEventListener("submit", function (e) {
      e.preventDefault();
      simOut.textContent = simForm.dataset.running || "…";
      modeler.saveXML({ format: true }).then(function (result) {
        var body = new FormData(simForm);
        body.set("bpmn_xml", result.xml);
        return fetch(simForm.action, { method: "POST", body: body, credentials: "same-origin" });
      }).then(function (response) {
        return response.json().then(function (data) { return { ok: response.ok, data: data }; });
      }).then(function (answer) {
        var data = answer.data;
        var overlays = modeler.get("overlays");
        simBadges.forEach(function (id) { overlays.remove(id); });
        simBadges = [];
        simOut.textContent = "";
        if (!answer.ok) {
          simOut.textContent = data.message || "error";
          return;
        }
        var summary = document.createElement("p");
        summary.id = "simulate-summary";
        summary.textContent = simForm.dataset.summary
          .replace("{tickets}", data.tickets)
          .replace("{days}", data.days)
          .replace("{breaches}", data.expected_breaches)
          .replace("{seconds}", data.seconds);
        simOut.appendChild(summary);
        var table = document.createElement("table");
        table.className = "list small";
        table.id = "simulate-steps";
        data.steps.forEach(function (step) {
          var row = document.createElement("tr");
          cell(row, step.name);
          cell(row, String(step.tickets), "num");
          cell(row, step.limit_minutes ? step.limit_minutes + "′" : "—", "num");
          cell(row, String(step.expected_breaches), step.expected_breaches ? "num warn" : "num");
          table.appendChild(row);
        });
        simOut.appendChild(table);
        Object.keys(data.nodes).concat(Object.keys(data.flows)).forEach(function (id) {
          if (!registry.get(id)) return;
          var badge = document.createElement("span");
          badge.className = "sim-badge";
          badge.textContent = String(data.nodes[id] !== undefined ? data.nodes[id] : data.flows[id]);
          simBadges.push(overlays.add(id, { position: { bottom: 0, left: 0 }, html: badge }));
        });
      }).catch(function (err) {
        simOut.textContent = String(err && err.message ? err.message : err);
      });
    });
  }

  // Tests and the console reach the modeler here.
  window.complaintloopDesigner = modeler;
})();
