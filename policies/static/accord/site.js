// Progressive enhancement only: every page works without this file.
// Adds the reader's local time beside each UTC timestamp.
(function () {
  var fmt;
  try {
    fmt = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
  } catch (e) {
    return;
  }
  document.querySelectorAll("time[data-localtime]").forEach(function (el) {
    var when = new Date(el.getAttribute("datetime"));
    if (isNaN(when)) return;
    var local = document.createElement("span");
    local.className = "localtime";
    local.textContent = " (your time: " + fmt.format(when) + ")";
    el.after(local);
  });
})();
