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
      if (ev.target.tagName !== "TEXTAREA" || !ev.target.form.classList.contains("seg-edit")) return;
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
      if (!form.classList.contains("seg-edit")) return;  // the insert form posts as it is
      var text = form.querySelector("textarea");
      if (button && button.classList.contains("redact-words")) {
        // Redact the selected words, unless word numbers were typed; the next page asks to confirm.
        var from = form.querySelector("input[name=first]"), to = form.querySelector("input[name=last]");
        if (!from.value && text.selectionEnd > text.selectionStart) {
          var count = function (s) { s = s.trim(); return s ? s.split(/\s+/).length : 0; };
          var head = text.value.slice(0, text.selectionStart);
          var startsInWord = /\S$/.test(head) && /^\S/.test(text.value.slice(text.selectionStart));
          from.value = count(head) + (startsInWord ? 0 : 1);
          to.value = count(text.value.slice(0, text.selectionEnd));
        }
        return;
      }
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
            showDoubt(form, seg.doubtful || []);
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

  // -- working fast: the doubtful words of a passage, keyboard shortcuts, times from the player ---------
  function showDoubt(form, words) {
    form.setAttribute("data-doubtful", JSON.stringify(words));
    var hint = form.querySelector(".hint[id^=doubt-]");
    if (!words.length) {
      form.classList.remove("unsure");
      if (hint) hint.remove();
      var t = form.querySelector("textarea");
      if (t) t.removeAttribute("aria-describedby");
    } else if (hint) {
      hint.textContent = hint.textContent.replace(/:.*$/, ": " + words.join(", "));
    }
  }
  function doubtful(form) {
    try { return JSON.parse(form.getAttribute("data-doubtful") || "[]"); } catch (e) { return []; }
  }
  function nextDoubt(from) {
    // The next passage (after the one being edited) with a word the computer was unsure of: select that word.
    var forms = Array.prototype.slice.call(transcript.querySelectorAll(".seg-edit"));
    var at = from ? forms.indexOf(from) : -1;
    for (var i = 1; i <= forms.length; i++) {
      var form = forms[(at + i) % forms.length], words = doubtful(form);
      if (!words.length) continue;
      var text = form.querySelector("textarea"), pos = text.value.indexOf(words[0]);
      text.focus();
      if (pos >= 0) text.setSelectionRange(pos, pos + words[0].length);
      return;
    }
  }
  if (transcript) {
    var keys = document.getElementById("sneltoetsen");
    if (keys) keys.hidden = false;
    document.addEventListener("keydown", function (ev) {
      var form = ev.target && ev.target.form && ev.target.form.classList.contains("seg-edit") ? ev.target.form : null;
      if (ev.key === "Escape" && player) {
        ev.preventDefault();
        if (player.paused) { var p = player.play(); if (p && p.catch) p.catch(function () {}); } else player.pause();
      } else if (ev.altKey && !ev.ctrlKey && (ev.code === "KeyJ" || ev.code === "KeyL") && player) {
        ev.preventDefault();
        player.currentTime = Math.max(0, player.currentTime + (ev.code === "KeyJ" ? -5 : 5));
      } else if (ev.altKey && !ev.ctrlKey && ev.code === "KeyN") {
        ev.preventDefault();
        nextDoubt(form);
      } else if ((ev.ctrlKey || ev.metaKey) && ev.key === "Enter" && form) {
        ev.preventDefault();
        form.querySelector("button.save").click();
      }
    });
  }
  Array.prototype.forEach.call(document.querySelectorAll("button.take-time"), function (b) {
    if (!player) return;
    b.hidden = false;
    b.addEventListener("click", function () {
      var t = Math.floor(player.currentTime * 10) / 10, m = Math.floor(t / 60), s = (t - m * 60).toFixed(1);
      document.getElementById(b.getAttribute("data-for")).value = m + ":" + (s < 10 ? "0" : "") + s;
    });
  });
  var redoForm = document.getElementById("redo-form");
  if (redoForm) {
    redoForm.addEventListener("submit", function () {
      var busy = document.getElementById("redo-busy");
      busy.textContent = busy.getAttribute("data-busy");
      document.getElementById("redo-run").disabled = true;
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
