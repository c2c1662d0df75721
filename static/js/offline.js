// The athlete app without signal (loaded on the athlete's pages only; no inline script: the CSP allows 'self').
//
//  - registers the service worker /me/sw.js (scope /me/), which keeps the athlete's pages for offline use;
//  - a form marked data-offline-queue (the session log, the next-morning report) submitted without network is kept
//    on this phone (localStorage) with its client id, and the page says "Saved on this phone, not sent yet";
//  - kept entries are sent on the next page open and on the `online` event (no Background Sync: Safari has none),
//    then the page says "Sent". A retry carries the same client id, so the server keeps the first record only.
(function () {
  'use strict';
  var KEY = 'rehab.offline-outbox.v1';
  var SENT = 'rehab.offline-sent';
  var body = document.body;
  var user = body.getAttribute('data-user') || '';
  if (!user) { return; }

  function load() {
    try { return JSON.parse(window.localStorage.getItem(KEY) || '[]'); } catch (e) { return []; }
  }
  function save(items) { window.localStorage.setItem(KEY, JSON.stringify(items)); }
  function mine(items) { return items.filter(function (item) { return item.user === user; }); }

  function uuid() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    var b = window.crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join('');
    return h.slice(0, 8) + '-' + h.slice(8, 12) + '-' + h.slice(12, 16) + '-' + h.slice(16, 20) + '-' + h.slice(20);
  }

  function status(text, kind) {
    var box = document.getElementById('offline-status');
    if (!box) {
      box = document.createElement('p');
      box.id = 'offline-status';
      box.setAttribute('role', 'status');
      var main = document.getElementById('main') || body;
      main.insertBefore(box, main.firstChild);
    }
    box.className = 'msg msg-' + kind;
    box.textContent = text;
  }

  function showWaiting() {
    var items = mine(load());
    if (!items.length) { return; }
    var what = items.map(function (item) { return item.label; }).join(', ');
    status('Saved on this phone, not sent yet: ' + what + '. It is sent as soon as there is signal.', 'warning');
  }

  function csrfToken(fallback) {
    var field = document.querySelector('input[name="csrfmiddlewaretoken"]');
    return (field && field.value) || fallback || '';
  }

  // One entry: 'sent' (the server has it), 'refused' (the server answered with an error: it never will), or
  // 'later' (no network, logged out, a server error: keep it and try again).
  function send(item) {
    var data = new URLSearchParams(item.fields);
    data.set('csrfmiddlewaretoken', csrfToken(item.csrf));
    return fetch(item.url, {method: 'POST', body: data, credentials: 'same-origin', redirect: 'follow'})
      .then(function (response) {
        var path = new URL(response.url).pathname;
        if (response.redirected && response.ok) {
          return path.indexOf('/me/') === 0 ? {outcome: 'sent', url: response.url} : {outcome: 'later'};
        }
        if (response.status === 200) {
          return response.text().then(function (html) {
            var page = new DOMParser().parseFromString(html, 'text/html');
            var error = page.querySelector('.errorlist');
            if (error) { return {outcome: 'refused', error: error.textContent.trim()}; }
            return {outcome: 'sent', url: null};  // already there (the same client id, or a report already sent)
          });
        }
        return {outcome: 'later'};
      }, function () { return {outcome: 'later'}; });
  }

  var busy = false;
  function flush() {
    if (busy || !mine(load()).length) { return Promise.resolve(); }
    busy = true;
    var sent = [], refused = [], stopAt = null;
    var chain = Promise.resolve();
    mine(load()).forEach(function (item) {
      chain = chain.then(function () {
        return send(item).then(function (result) {
          if (result.outcome === 'later') { return; }
          save(load().filter(function (other) { return other.id !== item.id; }));
          if (result.outcome === 'sent') {
            sent.push(item.label);
            if (result.url && result.url.indexOf('/stop/') !== -1) { stopAt = result.url; }
          } else {
            refused.push(item.label + ' (' + result.error + ')');
          }
        });
      });
    });
    return chain.then(function () {
      busy = false;
      if (refused.length) {
        status('Not accepted: ' + refused.join('; ') + '. Please enter it again.', 'error');
      } else if (sent.length) {
        status('Sent: ' + sent.join(', ') + '.', 'success');
      }
      showWaiting();
      if (stopAt) {
        window.location.assign(stopAt);  // pain 7+ or a red flag: the stop page, as when online
      } else if (sent.length && !refused.length && window.location.pathname.indexOf('/me/') === 0) {
        // The page was drawn before the entries arrived: draw it again, and say "Sent" on the fresh page.
        window.sessionStorage.setItem(SENT, 'Sent: ' + sent.join(', ') + '.');
        window.location.reload();
      }
    });
  }

  function keepForLater(form) {
    var fields = [];
    new FormData(form).forEach(function (value, name) {
      if (name !== 'csrfmiddlewaretoken') { fields.push([name, String(value)]); }
    });
    var clientId = form.querySelector('input[name="client_id"]');
    var items = load();
    items.push({
      id: clientId ? clientId.value : uuid(), user: user, url: form.getAttribute('action') || window.location.pathname,
      fields: fields, label: form.getAttribute('data-offline-label') || 'an entry', csrf: csrfToken(''),
      saved_at: new Date().toISOString()
    });
    save(items);
    var note = document.createElement('div');
    note.className = 'card';
    note.innerHTML = '<p><strong>Saved on this phone, not sent yet.</strong> There is no signal: it is sent by itself ' +
      'when the network returns (keep the app or this page open, or open it again later).</p>' +
      '<p><a class="btn secondary block" href="/me/">Back to today</a></p>';
    form.parentNode.replaceChild(note, form);
    showWaiting();
  }

  document.addEventListener('submit', function (event) {
    var form = event.target;
    if (!form.hasAttribute || !form.hasAttribute('data-offline-queue') || navigator.onLine) { return; }
    event.preventDefault();
    if (!form.checkValidity()) { form.reportValidity(); return; }
    keepForLater(form);
  });

  // A page opened from the phone's copy carries the client id of the day it was kept: every form gets a fresh one,
  // so that two sessions logged offline are two sessions (a retry of one entry keeps its id in the outbox).
  Array.prototype.forEach.call(document.querySelectorAll('form[data-offline-queue] input[name="client_id"]'),
    function (input) { input.value = uuid(); });

  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.register('/me/sw.js', {scope: '/me/'}).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (registration) {
      // Keep the pages this page links to (a pending morning report) for use without signal.
      var urls = Array.prototype.map.call(document.querySelectorAll('a[data-offline-keep]'), function (a) { return a.href; });
      if (urls.length && registration.active) { registration.active.postMessage({type: 'keep', urls: urls}); }
    }).catch(function () {});
  }

  // Logging out forgets the kept pages (health data) on this phone; entries not sent yet stay for this user.
  document.addEventListener('submit', function (event) {
    var form = event.target;
    if (!form.hasAttribute || !form.hasAttribute('data-logout') || form.hasAttribute('data-forgotten')) { return; }
    if (!('caches' in window)) { return; }
    event.preventDefault();
    form.setAttribute('data-forgotten', '1');
    var done = function () { form.submit(); };
    Promise.race([caches.delete('rehab-me-pages'), new Promise(function (r) { setTimeout(r, 1000); })]).then(done, done);
  });

  window.addEventListener('online', function () { flush(); });
  var justSent = window.sessionStorage.getItem(SENT);
  if (justSent) { window.sessionStorage.removeItem(SENT); status(justSent, 'success'); }
  showWaiting();
  if (navigator.onLine) { flush(); }
})();
