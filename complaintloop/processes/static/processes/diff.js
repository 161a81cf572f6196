/* 版本对比: both versions drawn with bpmn-js, added / changed / removed elements marked. */
(function () {
  "use strict";
  var root = document.getElementById("diff");
  if (!root || !window.BpmnJS) return;
  var marks = JSON.parse(document.getElementById("diff-marks").textContent);

  function draw(container, sourceId, kinds) {
    var viewer = new window.BpmnJS({ container: container });
    return viewer.importXML(document.getElementById(sourceId).value).then(function () {
      var canvas = viewer.get("canvas");
      canvas.zoom("fit-viewport");
      var registry = viewer.get("elementRegistry");
      marks.forEach(function (m) {
        if (kinds.indexOf(m.kind) >= 0 && registry.get(m.id)) canvas.addMarker(m.id, "diff-" + m.kind);
      });
    });
  }

  Promise.all([
    draw("#diff-old", "old-source", ["removed", "changed"]),
    draw("#diff-new", "new-source", ["added", "changed"]),
  ]).then(function () {
    root.dataset.ready = "1";
  }).catch(function (err) {
    root.dataset.ready = "error";
    root.insertAdjacentText("afterend", String(err && err.message ? err.message : err));
  });
})();
