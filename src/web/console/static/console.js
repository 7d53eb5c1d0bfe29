/*
 * The console page in the browser: fills the tiles, charts and boards from the data routes, keeps
 * them live through server-sent events (reconnecting after a restart) and runs the three actions
 * with the session's CSRF token. It holds no words of its own: they come from the page.
 */
(function () {
  'use strict';
  var csrfMeta = document.querySelector('meta[name="csrf-token"]');
  var csrf = csrfMeta ? csrfMeta.getAttribute('content') : '';

  function post(url, body) {
    return fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', 'x-csrf-token': csrf, accept: 'application/json' },
      body: JSON.stringify(body || {}),
    });
  }

  /**
   * Signing out also forgets the door's scanner pages kept on this device (static/checkin-sw.js and
   * checkin.js): their offline caches, service workers and stored rosters. Unsynced scans stay queued.
   */
  function forgetScannerPages() {
    var jobs = [];
    if (window.caches) {
      jobs.push(caches.keys().then(function (keys) {
        return Promise.all(keys.filter(function (k) { return k.indexOf('huiwu-door:') === 0; }).map(function (k) { return caches.delete(k); }));
      }));
    }
    if (navigator.serviceWorker) {
      jobs.push(navigator.serviceWorker.getRegistrations().then(function (registrations) {
        return Promise.all(registrations.filter(function (r) { return new URL(r.scope).pathname.indexOf('/checkin/') === 0; }).map(function (r) { return r.unregister(); }));
      }));
    }
    try {
      Object.keys(localStorage).filter(function (k) { return /^huiwu-door-.*-roster$/.test(k); }).forEach(function (k) { localStorage.removeItem(k); });
    } catch (e) { /* no storage */ }
    return Promise.all(jobs).catch(function () {});
  }

  var signOut = document.getElementById('sign-out');
  if (signOut) signOut.addEventListener('click', function () { post('/auth/sign-out').then(forgetScannerPages).then(function () { location.reload(); }); });

  // A tap opens a tile's explanation (hover does it with a mouse).
  document.addEventListener('click', function (event) {
    var tile = event.target.closest ? event.target.closest('.tile') : null;
    if (tile) tile.classList.toggle('open');
  });

  var root = document.getElementById('console');
  if (!root) return;
  var meetingId = root.getAttribute('data-meeting');
  var base = '/console/api/meetings/' + meetingId;
  var words = JSON.parse(document.getElementById('console-words').textContent);

  function fill(template, params) {
    return template.replace(/\{(\w+)\}/g, function (whole, key) { return Object.prototype.hasOwnProperty.call(params, key) ? String(params[key]) : whole; });
  }
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }
  function pad(n) { return (n < 10 ? '0' : '') + n; }
  function duration(ms) {
    var s = Math.max(0, Math.round(ms / 1000));
    if (s < 60) return fill(words.duration.seconds, { s: s });
    if (s < 3600) return fill(words.duration.minutes, { m: Math.floor(s / 60), s: pad(s % 60) });
    return fill(words.duration.hours, { h: Math.floor(s / 3600), m: Math.floor((s % 3600) / 60) });
  }
  function getJson(url) {
    return fetch(url, { credentials: 'same-origin', headers: { accept: 'application/json' } }).then(function (res) {
      // A session that ended (signed out in chat, expired): show the sign-in page.
      if (res.status === 401) { location.reload(); throw new Error('signed out'); }
      return res.json();
    });
  }

  // ---- tiles and charts ------------------------------------------------------------------
  var tilesBox = document.getElementById('tiles');
  function renderTiles(tiles) {
    var open = {};
    tilesBox.querySelectorAll('.tile.open').forEach(function (t) { open[t.getAttribute('data-kpi')] = true; });
    tilesBox.textContent = '';
    tiles.forEach(function (tile) {
      var box = el('div', 'tile ' + tile.status + (open[tile.id] ? ' open' : ''));
      box.setAttribute('data-kpi', tile.id);
      box.setAttribute('tabindex', '0');
      box.appendChild(el('div', 'tile-label', tile.label));
      box.appendChild(el('div', 'tile-value', tile.value));
      var target = el('div', 'tile-target', tile.target ? tile.target + ' · ' : '');
      target.appendChild(el('span', 'tile-status', tile.statusText));
      box.appendChild(target);
      if (tile.parts.length) {
        var parts = el('ul', 'tile-parts');
        tile.parts.forEach(function (p) {
          var li = el('li', p.status);
          li.appendChild(el('span', '', p.label));
          li.appendChild(el('b', '', p.value));
          parts.appendChild(li);
        });
        box.appendChild(parts);
      }
      var how = el('div', 'how');
      tile.how.forEach(function (line) { how.appendChild(el('p', '', line)); });
      box.appendChild(how);
      tilesBox.appendChild(box);
    });
  }

  var charts = {};
  function renderCharts(specs) {
    Object.keys(specs).forEach(function (key) {
      var box = document.getElementById('chart-' + key);
      if (!box) return;
      var spec = specs[key];
      var empty = box.parentNode.querySelector('.chart-empty');
      empty.hidden = !spec.empty;
      // An empty chart still says which chart it is.
      empty.textContent = (spec.option.title && spec.option.title.text ? spec.option.title.text + ' · ' : '') + words.empty;
      box.hidden = spec.empty;
      if (spec.empty || !window.echarts) return;
      if (!charts[key]) charts[key] = window.echarts.init(box);
      charts[key].setOption(spec.option, true);
      charts[key].resize();
    });
  }
  window.addEventListener('resize', function () { Object.keys(charts).forEach(function (k) { charts[k].resize(); }); });

  var updated = document.getElementById('updated');
  function loadMeeting() {
    return getJson(base).then(function (data) {
      renderTiles(data.tiles);
      renderCharts(data.charts);
      updated.textContent = data.updated;
      root.setAttribute('data-figures', JSON.stringify(data.figures));
    });
  }

  // ---- boards ----------------------------------------------------------------------------
  var filterForm = document.getElementById('attendee-filter');
  var attendeePage = 0;
  var attendeePages = 1;
  function filters() {
    var out = { page: attendeePage };
    ['q', 'answer', 'meal', 'room', 'checkedIn'].forEach(function (name) { out[name] = filterForm.elements[name].value; });
    return out;
  }
  function loadAttendees() {
    return post(base + '/attendees', filters()).then(function (res) { return res.json(); }).then(function (data) {
      var body = document.getElementById('attendee-rows');
      body.textContent = '';
      if (!data.rows) return;
      if (data.rows.length === 0) {
        var tr = el('tr');
        var td = el('td', 'muted', words.noAttendees);
        td.colSpan = 8;
        tr.appendChild(td);
        body.appendChild(tr);
      }
      data.rows.forEach(function (r) {
        var tr = el('tr');
        [r.name, r.department, r.answer, r.meal, r.room, r.checkedIn, r.phone, r.idNumber].forEach(function (v) { tr.appendChild(el('td', '', v)); });
        body.appendChild(tr);
      });
      attendeePages = data.pages;
      document.getElementById('pager-text').textContent = fill(words.pager, { total: data.total, page: data.page + 1, pages: data.pages });
      document.getElementById('prev').disabled = data.page <= 0;
      document.getElementById('next').disabled = data.page + 1 >= data.pages;
    });
  }
  var filterTimer = null;
  function refilter() {
    clearTimeout(filterTimer);
    filterTimer = setTimeout(function () { attendeePage = 0; loadAttendees(); }, 250);
  }
  filterForm.addEventListener('input', refilter);
  filterForm.addEventListener('change', refilter);
  filterForm.addEventListener('submit', function (e) { e.preventDefault(); refilter(); });
  document.getElementById('prev').addEventListener('click', function () { if (attendeePage > 0) { attendeePage--; loadAttendees(); } });
  document.getElementById('next').addEventListener('click', function () { if (attendeePage + 1 < attendeePages) { attendeePage++; loadAttendees(); } });

  function emptyItem(list, text) { list.appendChild(el('li', 'muted', text)); }

  function loadIncidents() {
    return getJson(base + '/incidents').then(function (data) {
      var list = document.getElementById('incident-rows');
      list.textContent = '';
      if (data.rows.length === 0) emptyItem(list, words.noIncidents);
      data.rows.forEach(function (r) {
        var li = el('li', r.open ? (r.timer.late ? 'open late' : 'open') : 'closed');
        li.appendChild(el('div', 'line', r.line));
        var meta = el('div', 'meta');
        meta.appendChild(el('span', 'status', r.status));
        if (r.acked) meta.appendChild(el('span', '', r.acked));
        var timer = el('span', 'timer');
        timer.setAttribute('data-text', r.timer.text);
        timer.setAttribute('data-since', r.timer.since);
        if (r.timer.until) timer.setAttribute('data-until', r.timer.until);
        meta.appendChild(timer);
        li.appendChild(meta);
        list.appendChild(li);
      });
      tick();
    });
  }
  function tick() {
    document.querySelectorAll('.timer').forEach(function (node) {
      var since = Date.parse(node.getAttribute('data-since'));
      var until = node.getAttribute('data-until') ? Date.parse(node.getAttribute('data-until')) : Date.now();
      node.textContent = fill(node.getAttribute('data-text'), { elapsed: duration(until - since) });
    });
  }
  setInterval(tick, 1000);

  function taskItem(t) {
    var li = el('li', t.overdue ? 'open late' : t.done ? 'closed' : 'open');
    li.appendChild(el('div', 'line', t.line));
    var meta = el('div', 'meta');
    [t.status, t.overdueText, t.due, t.assignee].forEach(function (v) { if (v) meta.appendChild(el('span', '', v)); });
    li.appendChild(meta);
    return li;
  }
  function loadTasks() {
    return getJson(base + '/tasks').then(function (data) {
      var groups = document.getElementById('task-groups');
      groups.textContent = '';
      if (data.departments.length === 0) groups.appendChild(el('p', 'muted', words.noTasks));
      data.departments.forEach(function (d) {
        groups.appendChild(el('h3', '', d.name));
        var list = el('ul', 'board');
        d.tasks.forEach(function (t) { list.appendChild(taskItem(t)); });
        groups.appendChild(list);
      });
      var checklist = document.getElementById('checklist-rows');
      checklist.textContent = '';
      if (data.checklist.length === 0) emptyItem(checklist, words.noChecklist);
      data.checklist.forEach(function (t) { checklist.appendChild(taskItem(t)); });
    });
  }

  // ---- live ------------------------------------------------------------------------------
  var pending = {};
  var refreshTimer = null;
  var running = Promise.resolve();
  function refresh(kinds) {
    kinds.forEach(function (k) { pending[k] = true; });
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(function () {
      var todo = pending;
      pending = {};
      running = running.then(function () {
        var work = [loadMeeting()];
        if (todo.all || todo.answers || todo.checkins) work.push(loadAttendees());
        if (todo.all || todo.incidents) work.push(loadIncidents());
        if (todo.all || todo.tasks) work.push(loadTasks());
        return Promise.all(work);
      }).catch(function () { /* the next change or reconnect loads again */ });
    }, 100);
  }

  var live = document.getElementById('live');
  function connect() {
    var source = new EventSource(base + '/events');
    source.onopen = function () {
      live.textContent = words.live;
      live.className = 'live on';
      // Whatever happened while disconnected (a restart) is read again.
      refresh(['all']);
    };
    source.onerror = function () {
      live.textContent = words.reconnecting;
      live.className = 'live off';
      // The browser retries a dropped stream itself; a refused one is closed, so try again later.
      if (source.readyState === EventSource.CLOSED) setTimeout(connect, 2000);
    };
    source.addEventListener('change', function (event) { refresh(JSON.parse(event.data).kinds); });
  }
  refresh(['all']);
  connect();

  // ---- actions ---------------------------------------------------------------------------
  var result = document.getElementById('action-result');
  function show(res) {
    return res.json().then(function (body) {
      result.className = 'result ' + (res.ok ? 'ok' : 'bad');
      result.textContent = res.ok ? body.message : fill(words.failed, { error: body.error });
    });
  }
  function randomKey() {
    var bytes = new Uint8Array(12);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return (b < 16 ? '0' : '') + b.toString(16); }).join('');
  }
  document.getElementById('follow-up').addEventListener('click', function (event) {
    event.target.disabled = true;
    post(base + '/follow-up', { key: randomKey() }).then(show).finally(function () { event.target.disabled = false; });
  });
  document.getElementById('check-in').addEventListener('submit', function (event) {
    event.preventDefault();
    var input = event.target.elements.name;
    post(base + '/check-in', { name: input.value }).then(function (res) {
      if (res.ok) input.value = '';
      return show(res);
    });
  });
  function exportCsv(full) {
    if (full && !window.confirm(words.exportFullConfirm)) return;
    post(base + '/attendees.csv', { full: full }).then(function (res) {
      if (!res.ok) return show(res);
      var name = (/filename="([^"]+)"/.exec(res.headers.get('content-disposition') || '') || [])[1] || 'attendees.csv';
      return res.blob().then(function (blob) {
        var link = document.createElement('a');
        link.href = URL.createObjectURL(blob);
        link.download = name;
        document.body.appendChild(link);
        link.click();
        setTimeout(function () { URL.revokeObjectURL(link.href); link.remove(); }, 1000);
      });
    });
  }
  document.getElementById('export').addEventListener('click', function () { exportCsv(false); });
  document.getElementById('export-full').addEventListener('click', function () { exportCsv(true); });
})();
