// Progressive enhancement of the declaration and override forms: without this file every
// field is shown and the server ignores those that do not apply.
(function () {
  // Declaration: show only the groups of fields the chosen status asks for.
  var form = document.querySelector("form[data-declaration]");
  if (!form) return;
  var radios = form.querySelectorAll("input[name='status']");
  var version = form.querySelector("select[name='version']");
  var decided = form.querySelector("input[name='decided_on']");
  var recorded = form.querySelector("input[name='status']:checked");
  var recordedStatus = recorded ? recorded.value : "";
  var recordedVersion = version ? version.value : "";
  var recordedDate = decided ? decided.value : "";
  var touched = {};
  [version, decided].forEach(function (el) {
    if (el) el.addEventListener("change", function () { touched[el.name] = true; });
  });

  function chosen() {
    var checked = form.querySelector("input[name='status']:checked");
    return checked ? checked.value : "";
  }

  function show() {
    var status = chosen();
    form.querySelectorAll("fieldset[data-statuses]").forEach(function (group) {
      var statuses = group.getAttribute("data-statuses").split(" ");
      group.hidden = Boolean(status) && statuses.indexOf(status) === -1;
    });
  }

  function redate() {
    // A new status is a new decision: the latest version, today. Back to the recorded status,
    // the recorded pin and date. Never over what the person chose themselves.
    var fresh = chosen() !== recordedStatus;
    if (version && !touched.version) {
      version.value = fresh ? form.getAttribute("data-latest-version") : recordedVersion;
    }
    if (decided && !touched.decided_on) {
      decided.value = fresh ? form.getAttribute("data-today") : recordedDate;
    }
  }

  radios.forEach(function (radio) {
    radio.addEventListener("change", function () {
      show();
      redate();
    });
  });
  show();
})();

(function () {
  // Override: the replacement text starts from the chosen section's baseline text; choosing
  // another section swaps it, unless the person has already written their own.
  var form = document.querySelector("form[data-override]");
  var data = document.getElementById("baseline-sections");
  if (!form || !data) return;
  var bodies = {};
  data.content.querySelectorAll("[data-key]").forEach(function (el) {
    bodies[el.getAttribute("data-key")] = el.textContent;
  });
  var select = form.querySelector("select[name='section_key']");
  var text = form.querySelector("textarea[name='text']");
  if (!select || !text) return;
  select.addEventListener("change", function () {
    var untouched = text.value.trim() === "" || Object.keys(bodies).some(function (key) {
      return bodies[key] === text.value;
    });
    if (untouched && bodies[select.value] !== undefined) text.value = bodies[select.value];
  });
})();
