// status-stream browser client: an ES module, no build step. Served by the starter at /status-stream/status-stream.js.
//
//   import { openStatusStream } from './status-stream/status-stream.js';   // relative to a page at the app's root
//   const stream = openStatusStream('api/v1/bots/status-stream?ids=1,2', {
//     onEvent: ({ key, kind, state, id }) => render(key, state),
//     onStatus: (status, reason) => indicator.textContent = status,
//     heartbeatIntervalMs: 15000,      // the watchdog's interval until the server's first ping says its own
//     pauseWhenHiddenMs: 300000,       // close the connection once every tab has been hidden this long (default: never)
//   });
//   stream.close();
//
// onEvent kinds: 'snapshot' (current state), 'change', 'removed' (the key no longer exists; state null), 'revoked'
// (the user lost access to the key; state null: drop it from the page; it is left out of later reconnects).
// onStatus values: 'connecting', 'live', 'reconnecting', 'paused' (every tab hidden; reopens when one is visible),
// 'unauthorized' (the stream was refused with 401/403 or redirected to a login page; final), 'ended' with a reason
// (the server ended the stream: 'revoked' no key left, 'logged-out', 'expired'; final), 'closed' (close() was called).
// After a final status the client makes no more requests; a new page load (or a new openStatusStream) starts again.
//
// A relative stream URL ('api/v1/...', no leading slash) is resolved against the application's root, which the
// client takes from its own URL (it is served at <context-path>/status-stream/status-stream.js), so the same code works
// under any server.servlet.context-path. A URL with a leading slash or a scheme is used as it is.
//
// What it adds to a bare EventSource:
// - a watchdog: the server sends a `ping` event on idle streams every heartbeat interval (its data: the interval in
//   ms, also sent first on every stream); when nothing at all arrives for 2.5 intervals (a proxy silently dropped the
//   connection, a laptop woke from sleep) it reconnects;
// - resumption: every reconnect it makes itself sends the last event id (as the `lastEventId` query parameter,
//   since EventSource cannot set headers), so the server replays what was missed, or sends snapshots;
// - refusals: EventSource never shows an HTTP status, so when it fails the client asks with a HEAD request why;
//   401, 403 or a redirect (to a login page) stop it instead of retrying forever;
// - one connection per URL for all tabs of an origin: browsers allow only 6 HTTP/1.1 connections per origin, so
//   the 7th tab of a dashboard would hang. One tab (the leader, chosen with a Web Lock) holds the EventSource and
//   relays events, statuses and revocations over a BroadcastChannel, where every tab also says whether it is visible;
//   when the leader closes, another tab takes over and resumes from the last id. Without Web Locks or BroadcastChannel
//   every tab connects on its own.

const HEARTBEAT_MS = 15000;
const APPLICATION_ROOT = new URL('../', import.meta.url).href;
const MAX_RETRY_MS = 60000;
const FINAL = new Set(['unauthorized', 'ended']);
// How long a leader whose stream ended keeps its lock, so that every follower has heard of the end before one of them
// could take over (and reconnect) in its place.
const END_GRACE_MS = 1000;

export function openStatusStream(url, options = {}) {
  const onEvent = options.onEvent || (() => {});
  const onStatus = options.onStatus || (() => {});
  const heartbeatMs = options.heartbeatIntervalMs || HEARTBEAT_MS;
  const pauseWhenHiddenMs = options.pauseWhenHiddenMs || 0;
  const absoluteUrl = new URL(url, /^([a-z][a-z0-9+.-]*:|\/)/i.test(url) ? window.location.href : APPLICATION_ROOT).href;
  const multiKey = new URL(absoluteUrl).searchParams.has('ids');
  const shared = options.shareAcrossTabs !== false && 'locks' in navigator && 'BroadcastChannel' in window;
  const tab = Math.random().toString(36).slice(2);

  let stopped = false;  // closed, or ended for good
  let status = null;
  let lastEventId = null;
  const latestByKey = new Map();
  const revoked = new Set();
  let leading = false;
  let connection = null;  // the leader's, while not paused
  let paused = false;
  let pauseTimer = null;
  const visibleTabs = new Set();  // other tabs of this stream that are visible, as they told
  const channel = shared ? new BroadcastChannel('status-stream:' + absoluteUrl) : null;
  const broadcast = (message) => { if (channel) channel.postMessage(message); };
  let releaseLeadership = () => {};
  const waitForLeadership = new AbortController();

  function setStatus(next, reason) {
    if (next !== status) {
      status = next;
      onStatus(next, reason);
    }
  }

  /** The URL of the next connection: without the keys revoked meanwhile (nothing left: null). */
  function keysUrl() {
    if (revoked.size === 0) {
      return absoluteUrl;
    }
    const keys = multiKey
      ? new URL(absoluteUrl).searchParams.get('ids').split(',').filter((key) => !revoked.has(key.trim()))
      : [];
    return keys.length > 0 ? withParameter(absoluteUrl, 'ids', keys.join(',')) : null;
  }

  function deliver(event) {
    if (event.id) {
      lastEventId = event.id;
    }
    if (event.kind === 'revoked') {
      revoked.add(event.key);
      latestByKey.delete(event.key);
    } else {
      latestByKey.set(event.key, event);
    }
    onEvent(event);
    if (event.kind === 'revoked' && keysUrl() === null) {
      finish('ended', 'revoked');
    }
  }

  /** The stream is over for good, in this tab; the leader has told the others. */
  function finish(next, reason) {
    stopped = true;
    clearTimeout(pauseTimer);
    if (connection) {
      connection.close();
      connection = null;
    }
    waitForLeadership.abort();
    setTimeout(() => releaseLeadership(), END_GRACE_MS);
    setStatus(next, reason);
  }

  /** A status from the leader's own connection. */
  function report(next, reason) {
    broadcast({ type: 'status', status: next, reason });
    if (FINAL.has(next)) {
      finish(next, reason);
    } else {
      setStatus(next);
    }
  }

  function openConnection() {
    connection = connect(keysUrl, () => lastEventId, heartbeatMs, (event) => {
      deliver(event);
      broadcast({ type: 'event', event });
    }, report);
  }

  function lead() {
    leading = true;
    broadcast({ type: 'visibility?' });
    openConnection();
    checkVisibility();
  }

  // Pausing: the leader closes the connection once no tab has been visible for pauseWhenHiddenMs.
  function checkVisibility() {
    if (!leading || stopped || !pauseWhenHiddenMs) {
      return;
    }
    if (document.visibilityState === 'visible' || visibleTabs.size > 0) {
      clearTimeout(pauseTimer);
      pauseTimer = null;
      if (paused) {
        paused = false;
        openConnection();
      }
    } else if (!paused && pauseTimer === null) {
      pauseTimer = setTimeout(() => {
        pauseTimer = null;
        paused = true;
        connection.close();
        connection = null;
        report('paused');
      }, pauseWhenHiddenMs);
    }
  }

  const tellVisibility = () => {
    broadcast({ type: 'visibility', tab, visible: document.visibilityState === 'visible' });
    checkVisibility();
  };
  document.addEventListener('visibilitychange', tellVisibility);

  function noteVisibility(message) {
    if (message.visible) {
      visibleTabs.add(message.tab);
    } else {
      visibleTabs.delete(message.tab);
    }
    checkVisibility();
  }

  const handlers = {
    event: (message) => leading || deliver(message.event),
    status: (message) => leading || (FINAL.has(message.status) ? finish(message.status, message.reason)
      : setStatus(message.status)),
    hello: (message) => {
      noteVisibility(message);
      // A new follower: give it the latest state of every key, what was revoked, then the status.
      if (leading) {
        channel.postMessage({ type: 'catch-up', events: [...latestByKey.values()], revoked: [...revoked], status });
      }
    },
    'catch-up': (message) => {
      if (leading) {
        return;
      }
      message.revoked.filter((key) => !revoked.has(key))
        .forEach((key) => deliver({ key, kind: 'revoked', state: null, id: '' }));
      message.events.forEach((event) => {
        const known = latestByKey.get(event.key);
        if (!stopped && (!known || !known.id || !event.id || compareIds(event.id, known.id) > 0)) {
          deliver(event);
        }
      });
      if (!stopped) {
        setStatus(message.status);
      }
    },
    visibility: noteVisibility,
    'visibility?': () => tellVisibility(),
  };

  setStatus('connecting');
  if (!shared) {
    lead();
  } else {
    channel.onmessage = ({ data: message }) => {
      if (!stopped && handlers[message.type]) {
        handlers[message.type](message);
      }
    };
    channel.postMessage({ type: 'hello', tab, visible: document.visibilityState === 'visible' });
    navigator.locks.request('status-stream:' + absoluteUrl, { signal: waitForLeadership.signal }, () => {
      if (stopped) {
        return undefined;
      }
      lead();
      return new Promise((resolve) => { releaseLeadership = resolve; });
    }).catch(() => {});  // aborted: the stream ended before this tab's turn
  }

  return {
    close() {
      stopped = true;
      clearTimeout(pauseTimer);
      document.removeEventListener('visibilitychange', tellVisibility);
      if (connection) {
        connection.close();
      }
      waitForLeadership.abort();
      releaseLeadership();
      if (channel) {
        channel.postMessage({ type: 'visibility', tab, visible: false });
        channel.close();
      }
      setStatus('closed');
    },
  };
}

/** The URL with the query parameter set; commas stay as they are (`ids=1,2`), as people write them. */
function withParameter(url, name, value) {
  const target = new URL(url);
  target.searchParams.set(name, value);
  target.search = target.search.replace(/%2C/gi, ',');
  return target.href;
}

/** Ids are `<epoch>-<seq>`; within one epoch the sequence orders them. */
function compareIds(a, b) {
  const [epochA, seqA] = splitId(a);
  const [epochB, seqB] = splitId(b);
  return epochA === epochB ? seqA - seqB : 0;
}

function splitId(id) {
  const dash = id.lastIndexOf('-');
  return [id.substring(0, dash), Number(id.substring(dash + 1))];
}

/**
 * One EventSource with a watchdog; reopens it itself when it stays silent or gives up, leaves reconnects after a
 * closed stream to the browser (which honours the server's `retry:`), and stops for good on a refusal or an `end`.
 */
function connect(keysUrl, lastId, initialHeartbeatMs, deliver, report) {
  let source = null;
  let sourceKeysUrl = null;
  let heartbeatMs = initialHeartbeatMs;
  let watchdog = null;
  let retryTimer = null;
  let retryMs = 1000;
  let stopped = false;

  function open() {
    const id = lastId();
    sourceKeysUrl = keysUrl();
    const current = new EventSource(id ? withParameter(sourceKeysUrl, 'lastEventId', id) : sourceKeysUrl,
      { withCredentials: true });
    let opened = false;
    let probed = false;
    source = current;
    current.onopen = () => {
      opened = true;
      retryMs = 1000;
      report('live');
      arm();
    };
    current.onmessage = (message) => {
      arm();
      let envelope;
      try {
        envelope = JSON.parse(message.data);
      } catch (e) {
        console.warn('status-stream: ignoring an event that is not JSON', message.data);
        return;
      }
      const event = { key: String(envelope.key), kind: envelope.kind, state: envelope.state, id: message.lastEventId };
      deliver(envelope.kind === 'revoked' ? { ...event, id: '' } : event);
    };
    current.addEventListener('ping', (message) => {
      // The server's heartbeat interval in ms; an older server sends none.
      const interval = Number(message.data);
      if (message.data && interval > 0) {
        heartbeatMs = interval;
      }
      arm();
    });
    current.addEventListener('end', (message) => {
      let reason = 'unknown';
      try {
        reason = JSON.parse(message.data).reason || reason;
      } catch (e) {
        // an end without a readable reason is still an end
      }
      if (reason === 'shutdown') {
        // The server is going down and closes the stream: the browser reconnects after the retry: it sent.
        report('reconnecting');
      } else {
        close();
        report('ended', reason);
      }
    });
    current.onerror = () => {
      if (stopped || current !== source) {
        return;
      }
      if (current.readyState !== EventSource.CLOSED) {
        report('reconnecting');
        if (keysUrl() !== sourceKeysUrl) {
          // The browser would reconnect with keys revoked meanwhile (and be refused): reconnect without them, after
          // the client's own backoff, since EventSource does not tell the server's retry: delay.
          reopenLater();
          return;
        }
        if (opened || probed) {
          return;
        }
      }
      // Refused (an HTTP error, a response that is not a stream) or never open: ask why, since EventSource cannot say.
      probed = true;
      probe(current.url).then((answer) => {
        if (stopped || current !== source) {
          return;
        }
        if (answer.unauthorized) {
          close();
          report('unauthorized');
        } else if (current.readyState === EventSource.CLOSED) {
          reopenLater(answer.retryAfterMs);
        }
      });
    };
    report(id ? 'reconnecting' : 'connecting');
    arm();
  }

  function arm() {
    clearTimeout(watchdog);
    watchdog = setTimeout(() => {
      // Nothing, not even a heartbeat, for 2.5 intervals: the connection is dead without knowing it.
      source.close();
      report('reconnecting');
      open();
    }, heartbeatMs * 2.5);
  }

  function reopenLater(retryAfterMs) {
    source.close();
    clearTimeout(watchdog);
    report('reconnecting');
    const delay = retryAfterMs || retryMs / 2 + Math.random() * retryMs / 2;
    retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
    retryTimer = setTimeout(() => { if (!stopped) open(); }, delay);
  }

  function close() {
    stopped = true;
    clearTimeout(watchdog);
    clearTimeout(retryTimer);
    if (source) {
      source.close();
    }
  }

  open();
  return { close };
}

/** Why a stream request fails: a HEAD request gets the status a GET would, without subscribing. */
async function probe(url) {
  try {
    const response = await fetch(url, { method: 'HEAD', credentials: 'include', redirect: 'manual', cache: 'no-store' });
    const retryAfter = Number(response.headers.get('Retry-After'));
    return {
      unauthorized: response.type === 'opaqueredirect' || response.status === 401 || response.status === 403,
      retryAfterMs: retryAfter > 0 ? retryAfter * 1000 : 0,
    };
  } catch (e) {
    return { unauthorized: false, retryAfterMs: 0 };  // the server is unreachable: keep trying
  }
}
