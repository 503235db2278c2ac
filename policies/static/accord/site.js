// Progressive enhancement only: every page works without this file.
// Adds the reader's local time beside each UTC timestamp.
(function () {
  var fmt;
  try {
    // The page's language (the interface language), not the browser's default.
    fmt = new Intl.DateTimeFormat(document.documentElement.lang || undefined, {
      dateStyle: "medium",
      timeStyle: "short",
    });
  } catch (e) {
    return;
  }
  document.querySelectorAll("time[data-localtime]").forEach(function (el) {
    var when = new Date(el.getAttribute("datetime"));
    if (isNaN(when)) return;
    var local = document.createElement("span");
    local.className = "localtime";
    // The label comes translated from the page (templates/includes/utc_time.html).
    var label = el.getAttribute("data-localtime") || "your time";
    local.textContent = " (" + label + ": " + fmt.format(when) + ")";
    el.after(local);
  });
})();

