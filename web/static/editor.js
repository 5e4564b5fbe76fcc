// Editors' workspace: live job progress, the transcript editor (play from the passage being
// edited, save without reloading, conflicts shown in place), and an upload notice.
// Every page works without this file: forms post and redirect, a reload shows the job state.
(function () {
  "use strict";
  var token = document.querySelector('meta[name="csrf-token"]');

  // -- jobs page: poll the JSON and update each job in place ------------------------------
  var jobsBox = document.getElementById("jobs");
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function renderStages(job) {
    var ol = el("ol", "stages");
    job.stages.forEach(function (st) {
      var li = el("li", "stage " + st.state);
      li.setAttribute("data-stage", st.stage);
      li.appendChild(el("span", "stage-name", st.label));
      li.appendChild(document.createTextNode(": "));
      li.appendChild(el("span", "stage-state", st.state_label));
      if (st.state === "running") {
        var p = el("progress");
        p.max = 100; p.value = st.percent; p.setAttribute("aria-label", st.label);
        li.appendChild(document.createTextNode(" "));
        li.appendChild(p);
        li.appendChild(el("span", "percent", " " + st.percent + "%"));
        li.appendChild(el("span", "eta", " " + st.eta));
      }
      ol.appendChild(li);
    });
    return ol;
  }
  function updateJob(job) {
    var li = document.getElementById("job-" + job.slug);
    if (!li) return false;
    li.setAttribute("data-status", job.status);
    li.setAttribute("data-finished", job.finished ? "true" : "false");
    li.querySelector(".status-label").textContent = job.status_label;
    li.querySelector(".stages").replaceWith(renderStages(job));
    var errors = li.querySelector(".errors");
    errors.textContent = "";
    job.errors.forEach(function (e) { errors.appendChild(el("p", "field-error", e)); });
    return true;
  }
  function poll() {
    fetch(jobsBox.getAttribute("data-poll"), {headers: {Accept: "application/json"}, credentials: "same-origin"})
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (data) {
        var busy = false, unknown = false;
        data.jobs.forEach(function (job) {
          if (!updateJob(job)) unknown = true;
          if (!job.finished) busy = true;
        });
        var hadRetry = !!jobsBox.querySelector("form");
        var needsRetry = data.jobs.some(function (j) { return j.retry; });
        if ((unknown && busy) || hadRetry !== needsRetry) { window.location.reload(); return; }
        setTimeout(poll, busy ? 2000 : 10000);
      })
      .catch(function () { setTimeout(poll, 10000); });
  }
  if (jobsBox) setTimeout(poll, 1000);

  // -- transcript editor ---------------------------------------------------------------------
  var player = document.getElementById("player");
  var transcript = document.getElementById("transcript");
  var playOnEdit = document.getElementById("play-on-edit");
  if (playOnEdit) playOnEdit.parentNode.hidden = false;
  function playFrom(t) {
    if (!player) return;
    player.currentTime = t;
    var p = player.play();
    if (p && p.catch) p.catch(function () {});
  }
  if (transcript) {
    Array.prototype.forEach.call(transcript.querySelectorAll("button.play"), function (b) {
      b.hidden = false;
      b.addEventListener("click", function () { playFrom(parseFloat(b.getAttribute("data-t"))); });
    });
    transcript.addEventListener("focusin", function (ev) {
      if (ev.target.tagName !== "TEXTAREA") return;
      var form = ev.target.form;
      Array.prototype.forEach.call(transcript.querySelectorAll(".seg-edit.editing"), function (f) { f.classList.remove("editing"); });
      form.classList.add("editing");
      if (playOnEdit && playOnEdit.checked && form.getAttribute("data-playing") !== "1") {
        form.setAttribute("data-playing", "1");
        playFrom(parseFloat(form.getAttribute("data-start")));
      }
    });
    transcript.addEventListener("focusout", function (ev) {
      if (ev.target.tagName === "TEXTAREA") ev.target.form.removeAttribute("data-playing");
    });
    transcript.addEventListener("submit", function (ev) {
      var form = ev.target, button = ev.submitter;
      var text = form.querySelector("textarea");
      if (button && button.classList.contains("split")) {
        // Split where the cursor is, unless a word number was typed.
        var at = form.querySelector("input[name=at_word]");
        if (!at.value && text.selectionStart > 0) at.value = text.value.slice(0, text.selectionStart).trim().split(/\s+/).length;
        return;
      }
      if (!button || !button.classList.contains("save")) return;  // other actions reload the page
      ev.preventDefault();
      var msg = form.querySelector(".seg-msg");
      msg.textContent = transcript.getAttribute("data-msg-saving");
      msg.setAttribute("role", "status");
      form.classList.remove("conflict");
      fetch(form.action, {method: "POST", body: new FormData(form), credentials: "same-origin",
                          headers: {Accept: "application/json", "X-CSRFToken": token ? token.content : ""}})
        .then(function (r) { return r.json().then(function (body) { return {status: r.status, body: body}; }); })
        .then(function (res) {
          if (res.body.ok) {
            var seg = res.body.segments[0];
            form.querySelector("input[name=version]").value = seg.version;
            text.value = seg.text;
            msg.textContent = res.body.message;
            form.classList.add("saved");
          } else {
            msg.setAttribute("role", "alert");
            msg.textContent = res.body.error;
            if (res.status === 409) form.classList.add("conflict");
          }
        })
        .catch(function () { msg.setAttribute("role", "alert"); msg.textContent = transcript.getAttribute("data-msg-failed"); });
    });
  }

  // -- upload: say that it is busy (a large file takes a while) ----------------------------------
  var upload = document.getElementById("upload-form");
  if (upload) {
    upload.addEventListener("submit", function () {
      var status = document.getElementById("upload-status");
      status.textContent = status.getAttribute("data-busy");
      upload.querySelector("button[type=submit]").disabled = true;
    });
  }
})();
