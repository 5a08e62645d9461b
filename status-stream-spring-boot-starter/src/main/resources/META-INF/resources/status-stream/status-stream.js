// status-stream browser client: an ES module, no build step. Served by the starter at /status-stream/status-stream.js.
//
//   import { openStatusStream } from './status-stream/status-stream.js';   // relative to a page at the app's root
//   const stream = openStatusStream('api/v1/bots/status-stream?ids=1,2', {
//     onEvent: ({ key, kind, state, id }) => render(key, state),   // kind: 'snapshot' | 'change' | 'removed'
//     onStatus: (status) => indicator.textContent = status,        // 'connecting' | 'live' | 'reconnecting' | 'closed'
//   });
//   stream.close();
//
// A relative stream URL ('api/v1/...', no leading slash) is resolved against the application's root, which the
// client takes from its own URL (it is served at <context-path>/status-stream/status-stream.js), so the same code works
// under any server.servlet.context-path. A URL with a leading slash or a scheme is used as it is.
//
// What it adds to a bare EventSource:
// - a watchdog: the server sends a `ping` event on idle streams every heartbeat interval; when nothing at all
//   arrives for 2.5 intervals (a proxy silently dropped the connection, a laptop woke from sleep) it reconnects;
// - resumption: every reconnect it makes itself sends the last event id (as the `lastEventId` query parameter,
//   since EventSource cannot set headers), so the server replays what was missed, or sends snapshots;
// - one connection per URL for all tabs of an origin: browsers allow only 6 HTTP/1.1 connections per origin, so
//   the 7th tab of a dashboard would hang. One tab (the leader, chosen with a Web Lock) holds the EventSource and
//   relays events over a BroadcastChannel; when it closes, another tab takes over and resumes from the last id.
//   Without Web Locks or BroadcastChannel every tab connects on its own.

const HEARTBEAT_MS = 15000;
const APPLICATION_ROOT = new URL('../', import.meta.url).href;
const MAX_RETRY_MS = 60000;

export function openStatusStream(url, options = {}) {
  const onEvent = options.onEvent || (() => {});
  const onStatus = options.onStatus || (() => {});
  const heartbeatMs = options.heartbeatIntervalMs || HEARTBEAT_MS;
  const absoluteUrl = new URL(url, /^([a-z][a-z0-9+.-]*:|\/)/i.test(url) ? window.location.href : APPLICATION_ROOT).href;
  const shared = options.shareAcrossTabs !== false && 'locks' in navigator && 'BroadcastChannel' in window;

  let closed = false;
  let lastEventId = null;
  const latestByKey = new Map();
  let status = null;

  function setStatus(next) {
    if (next !== status) {
      status = next;
      onStatus(next);
    }
  }

  function deliver(event) {
    if (event.id) {
      lastEventId = event.id;
    }
    latestByKey.set(event.key, event);
    onEvent(event);
  }

  if (!shared) {
    const connection = connect(absoluteUrl, () => lastEventId, heartbeatMs, deliver, setStatus);
    return { close() { closed = true; connection.close(); setStatus('closed'); } };
  }

  const channel = new BroadcastChannel('status-stream:' + absoluteUrl);
  let releaseLeadership = null;
  let connection = null;

  channel.onmessage = ({ data: message }) => {
    if (closed) {
      return;
    }
    if (message.type === 'event' && connection === null) {
      deliver(message.event);
    } else if (message.type === 'status' && connection === null) {
      setStatus(message.status);
    } else if (message.type === 'hello' && connection !== null) {
      // A new follower: give it the latest state of every key, then the status.
      channel.postMessage({ type: 'catch-up', events: [...latestByKey.values()], status });
    } else if (message.type === 'catch-up' && connection === null) {
      message.events.forEach((event) => {
        const known = latestByKey.get(event.key);
        if (!known || !known.id || !event.id || compareIds(event.id, known.id) > 0) {
          deliver(event);
        }
      });
      setStatus(message.status);
    }
  };

  setStatus('connecting');
  channel.postMessage({ type: 'hello' });
  navigator.locks.request('status-stream:' + absoluteUrl, () => {
    if (closed) {
      return undefined;
    }
    connection = connect(absoluteUrl, () => lastEventId, heartbeatMs, (event) => {
      deliver(event);
      channel.postMessage({ type: 'event', event });
    }, (next) => {
      setStatus(next);
      channel.postMessage({ type: 'status', status: next });
    });
    return new Promise((resolve) => { releaseLeadership = resolve; });
  });

  return {
    close() {
      closed = true;
      if (connection) {
        connection.close();
      }
      if (releaseLeadership) {
        releaseLeadership();
      }
      channel.close();
      setStatus('closed');
    },
  };
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

/** One EventSource with a watchdog; reopens it itself when it stays silent or gives up. */
function connect(url, lastId, heartbeatMs, deliver, setStatus) {
  let source = null;
  let watchdog = null;
  let retryTimer = null;
  let retryMs = 1000;
  let stopped = false;

  function open() {
    const id = lastId();
    const target = new URL(url);
    if (id) {
      target.searchParams.set('lastEventId', id);
    }
    source = new EventSource(target.href, { withCredentials: true });
    source.onopen = () => {
      retryMs = 1000;
      setStatus('live');
      arm();
    };
    source.onmessage = (message) => {
      arm();
      let envelope;
      try {
        envelope = JSON.parse(message.data);
      } catch (e) {
        console.warn('status-stream: ignoring an event that is not JSON', message.data);
        return;
      }
      deliver({ key: String(envelope.key), kind: envelope.kind, state: envelope.state, id: message.lastEventId });
    };
    source.addEventListener('ping', arm);
    source.onerror = () => {
      if (source.readyState === EventSource.CLOSED) {
        // The server refused the stream (an HTTP error) or the browser gave up: retry ourselves, backing off.
        reopenLater();
      } else {
        setStatus('reconnecting');
      }
    };
    setStatus(id ? 'reconnecting' : 'connecting');
    arm();
  }

  function arm() {
    clearTimeout(watchdog);
    watchdog = setTimeout(() => {
      // Nothing, not even a heartbeat, for 2.5 intervals: the connection is dead without knowing it.
      source.close();
      setStatus('reconnecting');
      open();
    }, heartbeatMs * 2.5);
  }

  function reopenLater() {
    source.close();
    clearTimeout(watchdog);
    setStatus('reconnecting');
    const delay = retryMs / 2 + Math.random() * retryMs / 2;
    retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
    retryTimer = setTimeout(() => { if (!stopped) open(); }, delay);
  }

  open();
  return {
    close() {
      stopped = true;
      clearTimeout(watchdog);
      clearTimeout(retryTimer);
      if (source) {
        source.close();
      }
    },
  };
}
