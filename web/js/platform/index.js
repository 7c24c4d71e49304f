// The platform's own views: the situation map, the audit ledger, administration (accounts,
// devices, geography).
import map from "./map-view.js";
import audit from "./audit.js";
import admin from "./admin.js";

export default { name: "platform", views: [map, audit, admin] };
