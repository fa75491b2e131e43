// The operator console: a client of the service's public API, nothing more. Every action is an API call with the
// caller's token (kept in sessionStorage only), so the API's scopes apply: topology:read to look, topology:write
// to redrive, subscriptions:read and subscriptions:write for push subscriptions. No library, no build step; text from the API is always set with textContent, never as HTML.
"use strict";

(function () {
  const REFRESH_MS = 5000;
  const REDRIVE_POLL_MS = 1000;
  const TOKEN_KEY = "queue-service-token";
  const LOOK_LIMIT = 20;

  const $ = (id) => document.getElementById(id);
  let previousStats = null;
  let redriveQueue = null;
  let redrivePoll = null;
  let refreshTimer = null;

  // ---- API ----------------------------------------------------------------------------------------------

  class ApiError extends Error {
    constructor(status, problem) {
      super((problem && (problem.detail || problem.title)) || "HTTP " + status);
      this.status = status;
      this.problem = problem;
    }
  }

  async function api(method, path, body) {
    const headers = { Accept: "application/json" };
    const token = sessionStorage.getItem(TOKEN_KEY);
    if (token) {
      headers.Authorization = "Bearer " + token;
    }
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
    }
    const response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "omit",
      cache: "no-store",
    });
    const text = await response.text();
    let json = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch (e) {
      json = null;
    }
    if (response.status === 401) {
      showAuth(true);
    }
    if (!response.ok) {
      throw new ApiError(response.status, json);
    }
    return json;
  }

  function describe(error) {
    if (error instanceof ApiError) {
      const fields = error.problem && error.problem.errors
        ? " (" + error.problem.errors.map((e) => e.field + ": " + e.message).join("; ") + ")"
        : "";
      return "HTTP " + error.status + ": " + error.message + fields;
    }
    return "The service cannot be reached: " + error.message;
  }

  function showError(error) {
    const box = $("error");
    if (!error) {
      box.hidden = true;
      box.textContent = "";
      return;
    }
    box.textContent = typeof error === "string" ? error : describe(error);
    box.hidden = false;
  }

  function announce(text) {
    $("announce").textContent = text;
  }

  // ---- Token ----------------------------------------------------------------------------------------------

  function showAuth(needed) {
    $("auth").hidden = !needed && !sessionStorage.getItem(TOKEN_KEY);
    if (needed) {
      $("connection").textContent = "The API needs a token.";
    }
  }

  $("token-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const value = $("token").value.trim().replace(/^Bearer\s+/i, "");
    if (value) {
      sessionStorage.setItem(TOKEN_KEY, value);
    }
    $("token").value = "";
    announce("Token saved for this tab.");
    refresh();
  });

  $("forget-token").addEventListener("click", () => {
    sessionStorage.removeItem(TOKEN_KEY);
    announce("Token forgotten.");
    refresh();
  });

  // ---- Tables ---------------------------------------------------------------------------------------------

  // Cells carry their column's name (data-label): phone-width CSS shows it beside each value.
  function cell(row, label, content, className) {
    const td = document.createElement("td");
    td.setAttribute("role", "cell");
    td.dataset.label = label;
    if (className) {
      td.className = className;
    }
    if (content instanceof Node) {
      td.appendChild(content);
    } else {
      td.textContent = content === null || content === undefined ? "–" : String(content);
    }
    row.appendChild(td);
    return td;
  }

  function newRow(tbody, key) {
    const tr = document.createElement("tr");
    tr.setAttribute("role", "row");
    if (key !== undefined) {
      tr.dataset.key = key;
    }
    tbody.appendChild(tr);
    return tr;
  }

  function button(text, label, onClick, className) {
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = text;
    if (label) {
      b.setAttribute("aria-label", label);
    }
    if (className) {
      b.className = className;
    }
    b.addEventListener("click", onClick);
    return b;
  }

  function rate(now, before, seconds) {
    if (before === undefined || seconds <= 0) {
      return null;
    }
    return Math.max(0, (now - before) / seconds).toFixed(1);
  }

  // Replaces a table's rows while keeping keyboard focus on the same button when it is still there.
  function replaceRows(tbody, fill) {
    const focused = document.activeElement;
    const focusKey = focused && tbody.contains(focused) ? focused.dataset.focusKey : null;
    tbody.replaceChildren();
    fill();
    if (focusKey) {
      const again = tbody.querySelector('[data-focus-key="' + CSS.escape(focusKey) + '"]');
      if (again) {
        again.focus();
      }
    }
  }

  // ---- Queues -------------------------------------------------------------------------------------------------

  function renderStats(stats) {
    const at = Date.parse(stats.at);
    const seconds = previousStats ? (at - Date.parse(previousStats.at)) / 1000 : 0;
    const before = new Map((previousStats ? previousStats.queues : []).map((q) => [q.name, q]));
    const tbody = $("queues").tBodies[0];
    replaceRows(tbody, () => {
      for (const q of stats.queues) {
        const p = before.get(q.name) || {};
        const tr = newRow(tbody, q.name);
        tr.dataset.queue = q.name;
        cell(tr, "Queue", q.name, "name");
        cell(tr, "Ready", q.messages, "num");
        cell(tr, "Consumers", q.consumers, "num");
        cell(tr, "Published/s", rate(q.published, p.published, seconds), "num");
        cell(tr, "Consumed/s", rate(q.consumed, p.consumed, seconds), "num");
        cell(tr, "Dead-lettered/s", rate(q.deadLettered, p.deadLettered, seconds), "num");
      }
    });
    $("queues-empty").hidden = stats.queues.length > 0;
    const exBefore = new Map((previousStats ? previousStats.exchanges : []).map((e) => [e.name, e]));
    const exBody = $("exchanges").tBodies[0];
    replaceRows(exBody, () => {
      for (const e of stats.exchanges) {
        const p = exBefore.get(e.name) || {};
        const tr = newRow(exBody, e.name);
        cell(tr, "Exchange", e.name, "name");
        cell(tr, "Published/s", rate(e.published, p.published, seconds), "num");
        cell(tr, "Failed/s", rate(e.failed, p.failed, seconds), "num");
        cell(tr, "Published in all", e.published, "num");
      }
    });
    previousStats = stats;
  }

  // ---- Dead-letter queues ---------------------------------------------------------------------------------

  function renderDeadLetters(listing) {
    $("dlq-scope").textContent = listing.complete
      ? "Every dead-letter queue of the virtual host (from the RabbitMQ management API)."
      : "The dead-letter queues this instance knows: its workers', and those of queues declared through it. "
        + "Set RABBITMQ_MANAGEMENT_URL to see every one of the virtual host.";
    const tbody = $("deadletters").tBodies[0];
    replaceRows(tbody, () => {
      for (const q of listing.deadLetterQueues) {
        const tr = newRow(tbody, q.name);
        tr.dataset.queue = q.name;
        cell(tr, "Dead-letter queue", q.name, "name");
        cell(tr, "Serves", q.serves.join(", "));
        cell(tr, "Messages", q.messages, "num");
        const actions = document.createElement("div");
        actions.className = "actions";
        const lookButton = button("Look", "Look at the messages of " + q.name, () => look(q.name), "secondary");
        lookButton.dataset.focusKey = "look:" + q.name;
        lookButton.dataset.action = "look";
        const redriveButton = button("Redrive", "Redrive " + q.name, () => openRedrive(q.name));
        redriveButton.dataset.focusKey = "redrive:" + q.name;
        redriveButton.dataset.action = "redrive";
        redriveButton.disabled = q.messages === 0;
        actions.append(lookButton, redriveButton);
        cell(tr, "Actions", actions);
      }
    });
    $("dlq-empty").hidden = listing.deadLetterQueues.length > 0;
  }

  function fact(dl, term, value) {
    if (value === null || value === undefined || value === "") {
      return;
    }
    const dt = document.createElement("dt");
    dt.textContent = term;
    const dd = document.createElement("dd");
    dd.textContent = String(value);
    dl.append(dt, dd);
  }

  function details(summary, text) {
    const d = document.createElement("details");
    const s = document.createElement("summary");
    s.textContent = summary;
    const pre = document.createElement("pre");
    pre.textContent = text;
    d.append(s, pre);
    return d;
  }

  function bodyText(body) {
    if (body.encoding === "text") {
      try {
        return JSON.stringify(JSON.parse(body.data), null, 2);
      } catch (e) {
        return body.data;
      }
    }
    return "(base64) " + body.data;
  }

  async function look(queue) {
    showError(null);
    try {
      const found = await api("GET", "/api/v1/queues/" + encodeURIComponent(queue) + "/messages?limit=" + LOOK_LIMIT);
      const section = $("messages");
      section.hidden = false;
      section.dataset.queue = queue;
      $("messages-title").textContent = "Messages in " + queue;
      $("messages-summary").textContent = found.messages.length + " shown of " + found.depth + " ready.";
      const list = $("message-list");
      list.replaceChildren();
      found.messages.forEach((m, i) => {
        const li = document.createElement("li");
        li.className = "message";
        const h = document.createElement("h3");
        const dead = m.deadLetter;
        h.textContent = "#" + (i + 1) + (dead ? ": " + dead.reason : "");
        li.appendChild(h);
        const dl = document.createElement("dl");
        dl.className = "facts";
        if (dead) {
          fact(dl, "Reason", dead.reason);
          fact(dl, "Dead-lettered by", dead.source === "broker" ? "RabbitMQ (x-death)" : "a worker");
          fact(dl, "Exception", dead.exceptionClass
            ? dead.exceptionClass + (dead.exceptionMessage ? ": " + dead.exceptionMessage : "") : null);
          fact(dl, "Attempts", dead.attempts);
          fact(dl, "First failure", dead.firstFailedAt);
          fact(dl, "Last failure", dead.lastFailedAt);
          fact(dl, "From queue", dead.queue);
          if (dead.originalExchange !== null && dead.originalExchange !== undefined) {
            fact(dl, "Original exchange", dead.originalExchange === "" ? "(default exchange)" : dead.originalExchange);
          }
          fact(dl, "Original routing key", dead.originalRoutingKey);
        } else {
          fact(dl, "Failure", "none recorded in its headers");
        }
        fact(dl, "Message id", m.properties.messageId);
        fact(dl, "Content type", m.properties.contentType);
        fact(dl, "Size", m.body.size + " bytes" + (m.body.truncated ? " (shown: the first 64 KiB)" : ""));
        li.appendChild(dl);
        li.appendChild(details("Body", bodyText(m.body)));
        li.appendChild(details("Headers", JSON.stringify(m.headers, null, 2)));
        list.appendChild(li);
      });
      $("messages-title").focus();
      announce(found.messages.length + " messages shown for " + queue);
    } catch (error) {
      showError(error);
    }
  }

  // ---- Redrives -----------------------------------------------------------------------------------------------

  function openRedrive(queue) {
    redriveQueue = queue;
    const section = $("redrive");
    section.hidden = false;
    section.dataset.queue = queue;
    $("redrive-title").textContent = "Redrive " + queue;
    $("redrive-title").focus();
  }

  $("redrive-close").addEventListener("click", () => {
    $("redrive").hidden = true;
    redriveQueue = null;
  });

  $("redrive-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    showError(null);
    const body = {};
    const limit = $("redrive-limit").value.trim();
    const rateValue = $("redrive-rate").value.trim();
    const exchange = $("redrive-exchange").value;
    const routingKey = $("redrive-key").value;
    if (limit) {
      body.limit = Number(limit);
    }
    if (rateValue) {
      body.ratePerSecond = Number(rateValue);
    }
    if (exchange || routingKey) {
      body.destination = { exchange, routingKey };
    }
    const start = $("redrive-start");
    start.disabled = true;
    try {
      const started = await api("POST", "/api/v1/queues/" + encodeURIComponent(redriveQueue) + "/redrive", body);
      announce("Redrive of " + started.queue + " started: " + started.toMove + " to move.");
      $("redrive").hidden = true;
      await refreshRedrives();
      const row = document.querySelector('#redrives tr[data-key="' + CSS.escape(started.id) + '"] button');
      (row || $("redrives-title")).focus();
    } catch (error) {
      showError(error);
    } finally {
      start.disabled = false;
    }
  });

  function renderRedrives(redrives) {
    const tbody = $("redrives").tBodies[0];
    replaceRows(tbody, () => {
      for (const r of redrives) {
        const tr = newRow(tbody, r.id);
        tr.dataset.queue = r.queue;
        tr.dataset.state = r.state;
        cell(tr, "Queue", r.queue, "name");
        const state = cell(tr, "State", r.state + (r.reason ? ": " + r.reason : ""), "state-" + r.state);
        state.dataset.role = "state";
        const progress = document.createElement("progress");
        progress.max = Math.max(1, r.toMove);
        progress.value = r.moved + r.failed;
        progress.setAttribute("aria-label", "Redrive of " + r.queue + ": " + (r.moved + r.failed) + " of " + r.toMove);
        cell(tr, "Progress", progress);
        cell(tr, "Moved", r.moved, "num");
        cell(tr, "Failed", r.failed, "num");
        cell(tr, "To move", r.toMove, "num");
        cell(tr, "Started", new Date(r.startedAt).toLocaleTimeString());
        const actions = document.createElement("div");
        actions.className = "actions";
        if (r.state === "running") {
          const cancel = button("Cancel", "Cancel the redrive of " + r.queue, () => cancelRedrive(r.id), "danger");
          cancel.dataset.focusKey = "cancel:" + r.id;
          actions.appendChild(cancel);
        }
        cell(tr, "Actions", actions);
      }
    });
    $("redrives-empty").hidden = redrives.length > 0;
  }

  async function refreshRedrives() {
    const listed = await api("GET", "/api/v1/redrives");
    const running = listed.redrives.some((r) => r.state === "running");
    const wasRunning = redrivePoll !== null;
    renderRedrives(listed.redrives);
    if (running && !wasRunning) {
      redrivePoll = setInterval(() => refreshRedrives().catch(showError), REDRIVE_POLL_MS);
    } else if (!running && wasRunning) {
      clearInterval(redrivePoll);
      redrivePoll = null;
      const last = listed.redrives[0];
      if (last) {
        announce("Redrive of " + last.queue + " " + last.state + ": " + last.moved + " moved, " + last.failed + " failed.");
      }
      refresh();
    }
  }

  async function cancelRedrive(id) {
    try {
      await api("DELETE", "/api/v1/redrives/" + encodeURIComponent(id));
      announce("Cancelling the redrive.");
      await refreshRedrives();
    } catch (error) {
      showError(error);
    }
  }

  // ---- Push subscriptions ---------------------------------------------------------------------------------

  function renderSubscriptions(subs) {
    const tbody = $("subscriptions").tBodies[0];
    replaceRows(tbody, () => {
      for (const sub of subs) {
        const tr = newRow(tbody, sub.name);
        tr.dataset.subscription = sub.name;
        tr.dataset.state = sub.state;
        cell(tr, "Subscription", sub.name, "name");
        cell(tr, "Queue", sub.queue, "name");
        cell(tr, "State", sub.state + (sub.pausedReason ? ": " + sub.pausedReason : ""), "state-" + sub.state);
        const counts = sub.counts || {};
        cell(tr, "Delivered", counts.delivered, "num");
        cell(tr, "Failed attempts", counts.failedAttempts, "num");
        cell(tr, "Dead-lettered", counts.deadLettered, "num");
        const e = sub.lastError;
        cell(tr, "Last error", e ? e.at + ": " + (e.httpStatus ? "HTTP " + e.httpStatus + ", " : "") + e.cause : null);
        const actions = document.createElement("div");
        actions.className = "actions";
        const paused = sub.state === "paused";
        const action = paused ? "resume" : "pause";
        const b = button(paused ? "Resume" : "Pause", (paused ? "Resume " : "Pause ") + sub.name,
          () => pauseOrResume(sub.name, action), paused ? undefined : "secondary");
        b.dataset.focusKey = "sub:" + sub.name;
        b.dataset.action = action;
        actions.appendChild(b);
        cell(tr, "Actions", actions);
      }
    });
    $("subs-empty").hidden = subs.length > 0;
  }

  async function refreshSubscriptions() {
    const note = $("subs-note");
    try {
      const listed = await api("GET", "/api/v1/subscriptions");
      note.hidden = true;
      renderSubscriptions(listed.subscriptions);
    } catch (error) {
      // Not configured (501) or not allowed (403) for this token: say so here, the rest of the page works.
      if (error instanceof ApiError && (error.status === 501 || error.status === 403)) {
        note.textContent = error.message;
        note.hidden = false;
        renderSubscriptions([]);
        $("subs-empty").hidden = true;
        return;
      }
      throw error;
    }
  }

  async function pauseOrResume(name, action) {
    showError(null);
    try {
      const sub = await api("POST", "/api/v1/subscriptions/" + encodeURIComponent(name) + "/" + action);
      announce("Subscription " + sub.name + " is " + sub.state + ".");
      await refreshSubscriptions();
    } catch (error) {
      showError(error);
    }
  }

  // ---- Refresh ------------------------------------------------------------------------------------------------

  async function refresh() {
    clearTimeout(refreshTimer);
    try {
      const [stats, deadLetters] = await Promise.all([api("GET", "/api/v1/stats"), api("GET", "/api/v1/deadletters")]);
      renderStats(stats);
      renderDeadLetters(deadLetters);
      await refreshRedrives();
      await refreshSubscriptions();
      showAuth(false);
      showError(null);
      $("connection").textContent = "Updated " + new Date().toLocaleTimeString();
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 401)) {
        showError(error);
      }
    } finally {
      refreshTimer = setTimeout(refresh, REFRESH_MS);
    }
  }

  document.querySelectorAll("table").forEach((t) => t.setAttribute("role", "table"));
  document.querySelectorAll("thead tr").forEach((tr) => tr.setAttribute("role", "row"));
  document.querySelectorAll("th").forEach((th) => th.setAttribute("role", "columnheader"));
  $("interval").textContent = String(REFRESH_MS / 1000);
  refresh();
})();
