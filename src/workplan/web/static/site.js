/* The site's only script (no inline code: the CSP allows scripts from this site alone).
   1. After an action (a fixity check), move the keyboard focus to its result, which is also a
      live region, so a screen reader announces it.
   2. A volume's status page asks for its JSON twin every 2 s and updates the progress in place
      (announced politely); when the job ends the page is loaded once more to show the result.
   Without JavaScript the status page has a "refresh" link instead. */
(function () {
  "use strict";
  var target = document.querySelector("[data-focus]");
  if (target) { target.focus(); }
  var job = document.getElementById("job");
  if (!job || !job.dataset.poll) { return; }
  var bar = document.getElementById("job-progress");
  var text = document.getElementById("job-stage");
  function poll() {
    fetch(job.dataset.poll, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (d) {
        if (!d) { return; }
        if (d.state !== job.dataset.state) { window.location.reload(); return; }
        if (bar) { bar.max = d.total || 1; bar.value = d.done; }
        if (text) { text.textContent = d.total ? d.done + " / " + d.total : ""; }
        window.setTimeout(poll, 2000);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 1000);
}());
