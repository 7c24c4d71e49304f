// Two small helpers every capability uses so that nothing outlives its view:
// - `emitter()`: a store's change notifications, whose subscriptions can be removed;
// - `lifecycle()`: collects a view's cleanups (subscriptions, timers, listeners) and runs them
//   all once when the view is left (a view's `render` may return `life.dispose`).

/** Subscribers to one kind of change: `on(f)` returns the function that removes `f`; `emit`
 * calls every subscriber, and one that throws does not stop the others. */
export function emitter() {
  const subscribers = new Set();
  return {
    on(f) { subscribers.add(f); return () => { subscribers.delete(f); }; },
    emit(...args) {
      for (const f of [...subscribers]) {
        try { f(...args); } catch (e) { console.error(e); }
      }
    },
    get size() { return subscribers.size; },
  };
}

function run(f) { try { f(); } catch (e) { console.error(e); } }

/** A view's cleanups, run once by `dispose()` (the latest first). A timer that has fired
 * forgets its cleanup, so a view that lives all day does not pile them up. */
export function lifecycle() {
  const cleanups = new Set();
  let disposed = false;
  const life = {
    /** Keeps `f` to run on dispose (a function returned by a subscription, for instance). */
    add(f) {
      if (typeof f !== "function") return f;
      if (disposed) run(f); else cleanups.add(f);
      return f;
    },
    /** setInterval, cleared on dispose. */
    every(ms, f) {
      const id = setInterval(f, ms);
      life.add(() => clearInterval(id));
      return id;
    },
    /** setTimeout, cleared on dispose; returns the function that cancels it. */
    later(ms, f) {
      const cancel = () => { clearTimeout(id); cleanups.delete(cancel); };
      const id = setTimeout(() => { cleanups.delete(cancel); f(); }, ms);
      life.add(cancel);
      return cancel;
    },
    /** addEventListener, removed on dispose. */
    listen(target, type, f, options) {
      target.addEventListener(type, f, options);
      life.add(() => target.removeEventListener(type, f, options));
    },
    get disposed() { return disposed; },
    get size() { return cleanups.size; },
    dispose() {
      if (disposed) return;
      disposed = true;
      const all = [...cleanups].reverse();
      cleanups.clear();
      all.forEach(run);
    },
  };
  return life;
}
