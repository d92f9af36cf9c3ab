(function () {
  "use strict";
  var form = document.getElementById("filters");
  var table = document.getElementById("memos");
  if (!form || !table) { return; }
  var selects = form.querySelectorAll("select");
  var shown = document.getElementById("shown");
  var rows = table.tBodies[0].rows;
  function apply() {
    var visible = 0;
    for (var i = 0; i < rows.length; i++) {
      var keep = true;
      for (var j = 0; j < selects.length; j++) {
        var want = selects[j].value;
        if (want && rows[i].getAttribute("data-" + selects[j].getAttribute("data-key")) !== want) { keep = false; }
      }
      rows[i].hidden = !keep;
      if (keep) { visible++; }
    }
    shown.textContent = "showing " + visible + " of " + rows.length;
  }
  for (var k = 0; k < selects.length; k++) { selects[k].addEventListener("change", apply); }
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  window.addEventListener("pageshow", apply);
  form.hidden = false;
  apply();
})();
