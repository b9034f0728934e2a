/**
 * A minimal observable value: the app's state lives in a few of these, owned
 * by the ChatApp model, and components subscribe with useStore(). Preact
 * Signals would do the same, but this keeps the dependency list at preact.
 */
import { useEffect, useState } from 'preact/hooks';

export type Unsubscribe = () => void;

export class Store<T> {
  private readonly listeners = new Set<(value: T) => void>();

  constructor(private current: T) {}

  get value(): T {
    return this.current;
  }

  set(next: T): void {
    if (Object.is(next, this.current)) return;
    this.current = next;
    for (const l of [...this.listeners]) l(next);
  }

  update(fn: (value: T) => T): void {
    this.set(fn(this.current));
  }

  subscribe(listener: (value: T) => void): Unsubscribe {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/** The store's current value; re-renders the component when it changes. */
export function useStore<T>(store: Store<T>): T {
  const [value, setValue] = useState(() => store.value);
  useEffect(() => {
    // The value may have moved between render and subscription.
    setValue(() => store.value);
    return store.subscribe((v) => setValue(() => v));
  }, [store]);
  return value;
}
