/**
 * `@gatehouse/api`: the wire contract shared by the Gatehouse server and its clients.
 * @module
 */
export * from './admin.js';
export * from './clusters.js';
export * from './errors.js';
export * from './events.js';
export * from './options.js';
export * from './browser.js';
export * from './cluster-view.js';
export * from './format.js';
export * from './shares.js';
export * from './budget.js';
