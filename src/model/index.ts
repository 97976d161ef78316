// The record types and their validation, shared by every other module.
export * from './ids.js';
export * from './time.js';
export * from './severity.js';
export * from './errors.js';
export * from './records.js';
export * from './trace-context.js';
export * from './span-end.js';
export * from './search-plan.js';
export * from './json-record.js';
export * from './redact.js';
