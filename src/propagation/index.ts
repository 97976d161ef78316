// Propagation's public face: the W3C, B3, Jaeger and request-ID formats, and the composite that combines them.
export * from './types.js';
export * from './w3c.js';
export * from './b3.js';
export * from './jaeger.js';
export * from './request-id.js';
export * from './composite.js';
