// Follow-along transcript: highlight and scroll with playback, click a time or word to seek,
// #t=MM:SS and ?t= deep links, and "cite this moment". The page works without this file.
(function () {
  "use strict";
  var audio = document.getElementById("player");
  var box = document.getElementById("transcript");
  if (!audio || !box) return;
  var segs = Array.prototype.slice.call(box.querySelectorAll(".seg"));
  var words = Array.prototype.slice.call(box.querySelectorAll(".w"));
  var follow = document.getElementById("follow");
  var current = null, currentWord = null;

  function parseTime(v) {
    if (!v) return null;
    v = decodeURIComponent(String(v)).trim();
    if (/^\d+(\.\d+)?$/.test(v)) return parseFloat(v);
    if (/^\d+(:\d{1,2}){1,2}(\.\d+)?$/.test(v)) return v.split(":").reduce(function (a, p) { return a * 60 + parseFloat(p); }, 0);
    var m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(v);
    if (m && (m[1] || m[2] || m[3])) return (+m[1] || 0) * 3600 + (+m[2] || 0) * 60 + (+m[3] || 0);
    return null;
  }
  function mmss(t) {
    t = Math.floor(t);
    var h = Math.floor(t / 3600), m = Math.floor(t % 3600 / 60), s = t % 60;
    var two = function (n) { return (n < 10 ? "0" : "") + n; };
    return h ? h + ":" + two(m) + ":" + two(s) : two(m) + ":" + two(s);
  }
  function find(list, t, attr) {
    // Last element whose time is <= t (lists are in time order).
    var lo = 0, hi = list.length - 1, best = -1;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      if (parseFloat(list[mid].getAttribute(attr)) <= t + 0.05) { best = mid; lo = mid + 1; } else { hi = mid - 1; }
    }
    return best < 0 ? null : list[best];
  }
  function update() {
    var t = audio.currentTime;
    var seg = find(segs, t, "data-start");
    if (seg && t > parseFloat(seg.getAttribute("data-end")) + 1.5) seg = null;
    if (seg !== current) {
      if (current) { current.classList.remove("current"); current.removeAttribute("aria-current"); }
      current = seg;
      if (seg) {
        seg.classList.add("current"); seg.setAttribute("aria-current", "true");
        if (follow && follow.checked && !audio.paused) seg.scrollIntoView({ block: "center", behavior: "smooth" });
      }
    }
    var w = find(words, t, "data-t");
    if (w !== currentWord) {
      if (currentWord) currentWord.classList.remove("now");
      currentWord = w;
      if (w) w.classList.add("now");
    }
  }
  function seek(t, play) {
    audio.currentTime = t;
    update();
    if (play) { var p = audio.play(); if (p && p.catch) p.catch(function () {}); }
  }
  audio.addEventListener("timeupdate", update);
  audio.addEventListener("seeked", update);

  box.addEventListener("click", function (e) {
    var el = e.target.closest("[data-t]");
    if (!el) return;
    e.preventDefault();
    var t = parseFloat(el.getAttribute("data-t"));
    seek(t, true);
    history.replaceState(null, "", "#t=" + mmss(t));
  });
  // Words are reachable by keyboard through the time links; make words operable too when focused.
  words.forEach(function (w) { w.setAttribute("tabindex", "-1"); });
  box.addEventListener("keydown", function (e) {
    var el = e.target.closest("[data-t]");
    if (el && (e.key === "Enter" || e.key === " ") && el.tagName !== "A") { e.preventDefault(); seek(parseFloat(el.getAttribute("data-t")), true); }
  });

  function startFromUrl() {
    var hash = /[#&]t=([^&]+)/.exec(location.hash);
    var query = /[?&]t=([^&#]+)/.exec(location.search);
    var t = parseTime(hash ? hash[1] : query ? query[1] : null);
    if (t === null) return;
    var go = function () { seek(t, true); };
    if (audio.readyState >= 1) go(); else audio.addEventListener("loadedmetadata", go, { once: true });
    audio.load && audio.readyState === 0 && audio.preload === "none" && audio.load();
  }
  window.addEventListener("hashchange", startFromUrl);
  startFromUrl();

  var cite = document.getElementById("cite"), out = document.getElementById("cite-out");
  if (cite) {
    cite.hidden = false;
    if (follow) follow.parentNode.hidden = false;
    cite.addEventListener("click", function () {
      var t = Math.floor(audio.currentTime);
      var url = document.querySelector("article.story").getAttribute("data-permalink") + "?t=" + t + "#t=" + mmss(t);
      out.textContent = url;
      out.setAttribute("data-url", url);
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(url).then(function () { out.textContent = url + " ✓"; }, function () {});
      }
    });
  }
})();
