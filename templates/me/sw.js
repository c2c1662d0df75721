// The athlete app's service worker, served at /me/sw.js with scope /me/ (web/me/views.py: service_worker).
//
// Pages under /me/: network first, and a copy of each page the athlete opened is kept in the cache so that it
// opens without signal. Static files: from the cache first. Nothing here posts: a session log or a morning report
// made offline is kept by static/js/offline.js in the page (localStorage, with its client id) and sent when the
// network returns, on the next page open and on the `online` event. No Background Sync (Safari has none).
'use strict';
var VERSION = '__VERSION__';
var PAGES = 'rehab-me-pages';            // kept across versions: the athlete's pages, refreshed on every visit
var STATIC = 'rehab-me-static-' + VERSION;
var PRECACHE_PAGES = {{ pages|safe }};
var PRECACHE_STATIC = {{ static_files|safe }};
var OFFLINE_PAGE = '<!doctype html><html lang="en"><head><meta charset="utf-8">' +
  '<meta name="viewport" content="width=device-width, initial-scale=1"><title>Offline · Sprint Rehab</title>' +
  '<link rel="stylesheet" href="' + PRECACHE_STATIC[0] + '"></head><body><main class="narrow">' +
  '<h1>No signal</h1><p>This page is not saved on this phone yet. Your other pages are:</p>' +
  '<p><a class="btn block" href="/me/">Today</a></p><p><a class="btn secondary block" href="/me/log/?another=1">' +
  'Log a session</a></p></main></body></html>';

function keep(cache, url) {
  return fetch(url, {credentials: 'same-origin'}).then(function (response) {
    // A page that redirected (to the login page, say) is not the athlete's page: do not keep it.
    if (response.ok && !response.redirected) { return cache.put(url, response); }
  }).catch(function () {});
}

self.addEventListener('install', function (event) {
  event.waitUntil(Promise.all([
    caches.open(STATIC).then(function (cache) { return cache.addAll(PRECACHE_STATIC); }),
    caches.open(PAGES).then(function (cache) { return Promise.all(PRECACHE_PAGES.map(function (url) { return keep(cache, url); })); })
  ]).then(function () { return self.skipWaiting(); }));
});

self.addEventListener('activate', function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (key) {
      return key.indexOf('rehab-me-static-') === 0 && key !== STATIC;
    }).map(function (key) { return caches.delete(key); }));
  }).then(function () { return self.clients.claim(); }));
});

// A page asks for its links to be kept (the pending morning report, say): {type: 'keep', urls: [...]}.
self.addEventListener('message', function (event) {
  var data = event.data || {};
  if (data.type === 'keep' && Array.isArray(data.urls)) {
    var urls = data.urls.filter(function (url) { return new URL(url, self.location.origin).pathname.indexOf('/me/') === 0; });
    event.waitUntil(caches.open(PAGES).then(function (cache) {
      return Promise.all(urls.map(function (url) { return keep(cache, url); }));
    }));
  } else if (data.type === 'forget') {
    event.waitUntil(caches.delete(PAGES));
  }
});

function offline() {
  return new Response(OFFLINE_PAGE, {status: 503, headers: {'Content-Type': 'text/html; charset=utf-8'}});
}

self.addEventListener('fetch', function (event) {
  var request = event.request;
  if (request.method !== 'GET') { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname === '/me/sw.js') { return; }
  if (url.pathname.indexOf('/static/') === 0) {
    event.respondWith(caches.match(request).then(function (hit) {
      return hit || fetch(request).then(function (response) {
        if (response.ok) {
          var copy = response.clone();
          caches.open(STATIC).then(function (cache) { cache.put(request, copy); });
        }
        return response;
      });
    }));
    return;
  }
  if (request.mode === 'navigate' && url.pathname.indexOf('/me/') === 0) {
    event.respondWith(fetch(request).then(function (response) {
      if (response.ok && response.type === 'basic' && !response.redirected) {
        var copy = response.clone();
        caches.open(PAGES).then(function (cache) { cache.put(request.url, copy); });
      }
      return response;
    }).catch(function () {
      return caches.open(PAGES).then(function (cache) {
        return cache.match(request.url).then(function (hit) { return hit || offline(); });
      });
    }));
  }
});
