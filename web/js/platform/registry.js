// The views the page has, as app.js registered them from its one list of capabilities; for
// views that link to another ("open this incident in the command view") only when it exists.
let views = [];

/// Called once by app.js with every capability's views, in navigation order.
export function setViews(list) { views = list; }

/// Every view, in navigation order: `{ id, label, permission, nav, render }`.
export function allViews() { return views; }

/// Whether the page has the view `id` (whatever the signed-in role may use).
export function hasView(id) { return views.some((v) => v.id === id); }

let words = {};

/// Called once by app.js with every capability's ledger actions in words:
/// `{ "incident.create": ["记录警情", "Incident recorded"], … }`.
export function setActionWords(map) { words = map; }

/// A ledger action in words (`[zh, en]`), or undefined when no capability names it.
export function actionWords(code) { return words[code]; }
