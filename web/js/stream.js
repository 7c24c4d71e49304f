// The live stream: one WebSocket, reconnecting on its own with backoff; subscribers get events.
const handlers = new Set();
const stateHandlers = new Set();
let socket = null;
let wanted = false;
let delay = 1000;

export function onEvent(f) { handlers.add(f); return () => handlers.delete(f); }
export function onState(f) { stateHandlers.add(f); }

function setState(on) { stateHandlers.forEach((f) => f(on)); }

export function connect() {
  wanted = true;
  const proto = location.protocol === "https:" ? "wss:" : "ws:";
  socket = new WebSocket(`${proto}//${location.host}/api/v1/stream`);
  socket.onopen = () => { delay = 1000; setState(true); };
  socket.onmessage = (msg) => {
    let event;
    try { event = JSON.parse(msg.data); } catch { return; }
    handlers.forEach((f) => f(event));
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
