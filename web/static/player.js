// The story page as an interview reader: follow-along transcript (highlight and scroll with playback,
// click a time or word to seek), the table of contents (jump, current part), the player's buttons
// (15 s back/forward, speed, previous/next part), #t=MM:SS and ?t= deep links (scrolled to and
// highlighted even when the browser blocks autoplay, with a "play from" button), search inside the
// story (next/previous, count, Esc clears) and "cite this moment". The page works without this file.
(function () {
  "use strict";
  var audio = document.getElementById("player");
  var box = document.getElementById("transcript");
  if (!audio || !box) return;
  var segs = Array.prototype.slice.call(box.querySelectorAll(".seg"));
  var words = Array.prototype.slice.call(box.querySelectorAll(".w"));
  var parts = Array.prototype.slice.call(document.querySelectorAll("#toc li[data-start]"));
  var follow = document.getElementById("follow");
  var current = null, currentWord = null, currentPart = null;

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
  function center(el) {
    // The pinned player covers the top of the screen on a phone: centre the passage, below it.
    el.scrollIntoView({ block: "center", behavior: "auto" });
  }
  function settle(el) {
    // On arrival the browser scrolls to the URL's #fragment by itself until the page has loaded (on a
    // phone that leaves it under the pinned player): centre now, and again once it is done.
    center(el);
    if (document.readyState !== "complete") window.addEventListener("load", function () { center(el); }, { once: true });
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
    var part = find(parts, t, "data-start");
    if (part !== currentPart) {
      if (currentPart) { currentPart.classList.remove("current"); currentPart.querySelector("a").removeAttribute("aria-current"); }
      currentPart = part;
      if (part) { part.classList.add("current"); part.querySelector("a").setAttribute("aria-current", "true"); }
    }
  }
  function play() {
    var p = audio.play();
    return p && p.then ? p : Promise.resolve();
  }
  function seek(t, andPlay) {
    audio.currentTime = Math.max(0, t);
    update();
    if (andPlay) play().catch(function () {});
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

  // -- table of contents and the player's buttons --------------------------------------------------
  var toc = document.getElementById("toc");
  if (toc) {
    toc.addEventListener("click", function (e) {
      var a = e.target.closest("a[data-t]");
      if (!a) return;
      e.preventDefault();
      var t = parseFloat(a.getAttribute("data-t"));
      seek(t, true);
      var seg = find(segs, t, "data-start");
      if (seg) center(seg);
      history.replaceState(null, "", "#t=" + mmss(t));
    });
  }
  var controls = document.getElementById("controls");
  if (controls) {
    controls.hidden = false;
    Array.prototype.forEach.call(controls.querySelectorAll("[data-skip]"), function (b) {
      b.addEventListener("click", function () {
        var to = audio.currentTime + parseFloat(b.getAttribute("data-skip"));
        if (isFinite(audio.duration)) to = Math.min(to, audio.duration);
        seek(to, false);
      });
    });
    var speeds = [0.75, 1, 1.25, 1.5, 2];
    var speed = document.getElementById("speed");
    var showSpeed = function () {
      var text = String(audio.playbackRate).replace(".", document.documentElement.lang === "nl" ? "," : ".") + "×";
      speed.textContent = text;
      speed.setAttribute("aria-label", speed.getAttribute("data-label") + " " + text);
    };
    speed.addEventListener("click", function () {
      var i = speeds.indexOf(audio.playbackRate);
      audio.playbackRate = speeds[(i + 1) % speeds.length];
    });
    audio.addEventListener("ratechange", showSpeed);
    var starts = parts.map(function (li) { return parseFloat(li.getAttribute("data-start")); });
    var toPart = function (t) {
      seek(t, !audio.paused);
      var seg = find(segs, t, "data-start");
      if (seg) center(seg);
    };
    var prev = document.getElementById("prev-part"), next = document.getElementById("next-part");
    if (prev) prev.addEventListener("click", function () {
      // As on a music player: back to the start of this part, or to the one before when just past its start.
      var t = audio.currentTime, to = 0;
      starts.forEach(function (s) { if (s < t - 2) to = s; });
      toPart(to);
    });
    if (next) next.addEventListener("click", function () {
      var t = audio.currentTime;
      for (var i = 0; i < starts.length; i++) { if (starts[i] > t + 0.5) { toPart(starts[i]); return; } }
    });
  }

  // -- deep links ----------------------------------------------------------------------------------
  var playFrom = document.getElementById("play-from");
  function startFromUrl() {
    var hash = /[#&]t=([^&]+)/.exec(location.hash);
    var query = /[?&]t=([^&#]+)/.exec(location.search);
    var t = parseTime(hash ? hash[1] : query ? query[1] : null);
    if (t === null) return;
    // Scroll first, whatever the browser decides about playing: the passage is what the link points at.
    var target = box.querySelector(".seg.target") || find(segs, t, "data-start");
    if (target) {
      target.classList.add("target");
      settle(target);
    }
    var go = function () {
      seek(t, false);
      play().then(function () { if (playFrom) playFrom.hidden = true; }, function () {
        // Autoplay blocked: say so with a button a click on which is allowed to play.
        if (playFrom) { playFrom.setAttribute("data-t", t); playFrom.hidden = false; }
      });
    };
    if (audio.readyState >= 1) go(); else audio.addEventListener("loadedmetadata", go, { once: true });
    audio.load && audio.readyState === 0 && audio.preload === "none" && audio.load();
  }
  if (playFrom) {
    playFrom.addEventListener("click", function () {
      seek(parseFloat(playFrom.getAttribute("data-t")), true);
      playFrom.hidden = true;
    });
  }
  window.addEventListener("hashchange", startFromUrl);
  startFromUrl();

  // -- search inside the story ---------------------------------------------------------------------
  var results = document.getElementById("zoekresultaten");
  var hitNav = document.getElementById("hit-nav");
  if (results && hitNav) {
    var hits = Array.prototype.slice.call(box.querySelectorAll(".seg.hit"));
    var links = Array.prototype.slice.call(results.querySelectorAll("a.moment"));
    var pos = document.getElementById("hit-pos");
    var at = -1;
    var show = function (i, arriving) {
      if (!hits.length) return;
      if (at >= 0) hits[at].classList.remove("hit-current");
      at = (i + hits.length) % hits.length;
      hits[at].classList.add("hit-current");
      (arriving ? settle : center)(hits[at]);
      pos.textContent = hitNav.getAttribute("data-of").replace("{i}", at + 1).replace("{n}", hits.length);
    };
    var clear = function () {
      hits.forEach(function (p) {
        p.classList.remove("hit", "hit-current");
        Array.prototype.forEach.call(p.querySelectorAll("mark"), function (m) { m.replaceWith(document.createTextNode(m.textContent)); });
      });
      hits = [];
      results.hidden = true;
      hitNav.hidden = true;
      var input = document.getElementById("q-story");
      if (input) input.value = "";
      var url = new URL(location.href);
      url.searchParams.delete("q");
      history.replaceState(null, "", url.pathname + url.search + location.hash.replace(/^#zoekresultaten$/, ""));
    };
    hitNav.hidden = false;
    document.getElementById("hit-next").addEventListener("click", function () { show(at + 1); });
    document.getElementById("hit-prev").addEventListener("click", function () { show(at - 1); });
    document.getElementById("hit-clear").addEventListener("click", clear);
    document.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && hits.length) { clear(); document.getElementById("q-story").focus(); }
    });
    links.forEach(function (a) {
      a.addEventListener("click", function (e) {
        var p = document.getElementById(a.getAttribute("data-seg"));
        if (!p || hits.indexOf(p) < 0) return;
        e.preventDefault();
        show(hits.indexOf(p));
        seek(parseFloat(a.getAttribute("data-t")), true);
      });
    });
    // A deep link chose its passage; otherwise the first hit is where the reader wants to be.
    if (!/[?&]t=/.test(location.search) && !/[#&]t=/.test(location.hash)) show(0, true);
    else pos.textContent = hitNav.getAttribute("data-of").replace("{i}", "–").replace("{n}", hits.length);
  }

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
