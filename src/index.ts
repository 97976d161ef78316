// logstitch's public API: the record model, propagation formats and the active trace context.
export * from './model/index.js';
export * from './propagation/index.js';
export * from './context/index.js';
