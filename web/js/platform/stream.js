// The live stream: one WebSocket, reconnecting on its own with backoff; subscribers get events.
//
// State: `onState(f)` calls f(true) each time events flow from that moment on and anything
// earlier may have been missed: the server's `stream.hello` (sent once it has subscribed this
// connection, so a snapshot loaded after it misses nothing) and a `stream.lagged` notice (this
// client fell behind and events were dropped). Holders of a snapshot reload it then. f(false)
// when the connection drops.
import { emitter } from "./life.js";

const events = emitter();
const states = emitter();
let socket = null;
let wanted = false;
let delay = 1000;

/** Subscribes to every event; returns the unsubscribe function. */
export function onEvent(f) { return events.on(f); }
/** Subscribes to the connection's state; returns the unsubscribe function. */
export function onState(f) { return states.on(f); }

function setState(on) { states.emit(on); }

export function connect() {
  wanted = true;
  const proto = location.protocol === "https:" ? "wss:" : "ws:";
  socket = new WebSocket(`${proto}//${location.host}/api/v1/stream`);
  socket.onopen = () => { delay = 1000; };
  socket.onmessage = (msg) => {
    let event;
    try { event = JSON.parse(msg.data); } catch { return; }
    if (event.kind === "stream.hello" || event.kind === "stream.lagged") setState(true);
    events.emit(event);
  };
  socket.onclose = () => {
    setState(false);
    if (wanted) { setTimeout(connect, delay); delay = Math.min(delay * 2, 30000); }
  };
}

export function disconnect() {
  wanted = false;
  if (socket) socket.close();
}
