// Keeps the trace context in event listeners that node:http calls from outside it (req 'data', 'end').
import { AsyncResource } from 'node:async_hooks';
import type { EventEmitter } from 'node:events';

type Listener = (...args: unknown[]) => void;
const BOUND = Symbol('logstitch.bound');
const ADD = ['on', 'addListener', 'once', 'prependListener', 'prependOnceListener'] as const;
const REMOVE = ['off', 'removeListener'] as const;

/**
 * Binds every listener added to `emitter` from now on to the async context current at the time it is
 * added. A legacy handler that reads its body with req.on('data') then logs with the request's trace ID,
 * as it would with `for await`. Removal still works with the original function.
 */
export function bindEmitter(emitter: EventEmitter): void {
  const target = emitter as EventEmitter & { [BOUND]?: boolean };
  if (target[BOUND] === true) return;
  target[BOUND] = true;
  const bound = new WeakMap<Listener, Map<string | symbol, Listener>>();
  for (const method of ADD) {
    const original = target[method] as (event: string | symbol, listener: Listener) => EventEmitter;
    target[method] = function (this: EventEmitter, event: string | symbol, listener: Listener) {
      if (typeof listener !== 'function') return original.call(this, event, listener);
      let byEvent = bound.get(listener);
      if (byEvent === undefined) bound.set(listener, (byEvent = new Map()));
      let wrapped = byEvent.get(event);
      if (wrapped === undefined) {
        wrapped = AsyncResource.bind(listener);
        byEvent.set(event, wrapped);
      }
      return original.call(this, event, wrapped);
    } as EventEmitter[typeof method];
  }
  for (const method of REMOVE) {
    const original = target[method] as (event: string | symbol, listener: Listener) => EventEmitter;
    target[method] = function (this: EventEmitter, event: string | symbol, listener: Listener) {
      const wrapped = bound.get(listener)?.get(event);
      return original.call(this, event, wrapped ?? listener);
    } as EventEmitter[typeof method];
  }
}
