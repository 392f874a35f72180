// A clinic's redemptions survive a dropped connection and a reload, and are never doubled.
// Each redemption is stored in localStorage with its Idempotency-Key before it is sent, and
// sent again (same key: the service answers the first result) until the service answers.
(function () {
  "use strict";
  var STORE = "pana.redemptions";
  var text = JSON.parse(document.getElementById("messages").textContent);
  var csrf = document.querySelector('meta[name="csrf"]').content;
  var flushing = false;

  function load() { try { return JSON.parse(localStorage.getItem(STORE)) || {}; } catch (e) { return {}; } }
  function save(all) { localStorage.setItem(STORE, JSON.stringify(all)); }
  function put(item) { var all = load(); all[item.key] = item; save(all); render(); }

  function render() {
    var all = load(), keys = Object.keys(all);
    var section = document.getElementById("pending"), list = document.getElementById("pending-list");
    section.hidden = keys.length === 0;
    list.textContent = "";
    keys.sort(function (a, b) { return all[a].at - all[b].at; }).forEach(function (key) {
      var item = all[key], li = document.createElement("li"), state = document.createElement("span");
      state.className = "state state-" + item.state;
      state.textContent = text[item.state];
      li.appendChild(state);
      var line = " " + text.code + " " + item.code + " · " + text.receipt + " " + item.receipt_number + " · " + text.amount + " " + item.amount;
      if (item.state === "redeemed" && item.remaining_text) { line += " · " + text.remaining + " " + item.remaining_text; }
      if (item.state === "refused" && item.message) { line += " · " + item.message; }
      li.appendChild(document.createTextNode(line));
      if (item.state !== "pending") {
        var dismiss = document.createElement("button");
        dismiss.type = "button"; dismiss.className = "link"; dismiss.textContent = text.dismiss;
        dismiss.addEventListener("click", function () { var all2 = load(); delete all2[key]; save(all2); render(); });
        li.appendChild(document.createTextNode(" ")); li.appendChild(dismiss);
      }
      list.appendChild(li);
    });
  }

  function status(message) { document.getElementById("connection").textContent = message; }

  function send(item) {
    return fetch("/clinica/canje", {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Idempotency-Key": item.key, "X-CSRF-Token": csrf },
      body: JSON.stringify({ code: item.code, amount: item.amount, receipt_number: item.receipt_number, services: item.services })
    }).then(function (answer) {
      return answer.json().catch(function () { return {}; }).then(function (body) {
        if (answer.ok) {
          item.state = "redeemed"; item.remaining_text = body.remaining_text; put(item); status(text.redeemed);
          var remaining = document.getElementById("remaining");
          if (remaining && body.remaining_text) { remaining.textContent = body.remaining_text; }
        } else if (answer.status === 401 || answer.status === 403 && !body.rule || answer.status === 408 || answer.status === 429 || answer.status >= 500) {
          status(answer.status === 401 ? text.signin : text.offline);  // kept: sent again later
        } else {
          item.state = "refused"; item.message = body.message || ""; put(item); status(text.refused);
        }
      });
    }, function () { status(text.offline); });  // no answer: the network dropped; kept pending
  }

  function flush() {
    if (flushing) { return; }
    var all = load(), pending = Object.keys(all).filter(function (k) { return all[k].state === "pending"; });
    if (pending.length === 0) { return; }
    flushing = true;
    status(text.sending);
    pending.reduce(function (chain, key) { return chain.then(function () { return send(all[key]); }); }, Promise.resolve())
      .then(function () { flushing = false; }, function () { flushing = false; });
  }

  var form = document.getElementById("redeem");
  if (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var services = Array.prototype.map.call(form.querySelectorAll('input[name="services"]:checked'), function (i) { return i.value; });
      var item = { key: form.dataset.key, code: form.dataset.code, amount: form.amount.value,
                   receipt_number: form.receipt_number.value, services: services, state: "pending", at: Date.now() };
      var existing = load()[item.key];
      if (existing) { item = existing; }  // the same form sent twice: one redemption
      put(item);
      form.querySelector("button[type=submit]").disabled = true;
      flush();
    });
  }
  window.addEventListener("online", flush);
  setInterval(flush, 5000);
  render();
  flush();
})();
