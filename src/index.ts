// logstitch's public API: the record model, propagation formats and the active trace context.
export * from './model/index.js';
