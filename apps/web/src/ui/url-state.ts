/**
 * List filters kept in the query string, so a filtered list is a shareable link and Back restores
 * it. Empty values are dropped from the URL.
 */
import { useEffect, useRef, useState } from 'react';
import { useSearchParams } from 'wouter';

export function useUrlFilters<K extends string>(keys: readonly K[]) {
  const [params, setParams] = useSearchParams();
  const values = Object.fromEntries(keys.map((key) => [key, params.get(key) ?? ''])) as Record<K, string>;
  const set = (changes: Partial<Record<K, string | null>>) =>
    setParams(
      (current) => {
        const next = new URLSearchParams(current);
        for (const [key, value] of Object.entries(changes) as [K, string | null][]) {
          if (value) next.set(key, value);
          else next.delete(key);
        }
        return next;
      },
      { replace: true },
    );
  return [values, set] as const;
}

/** The value after it stopped changing for `delay` ms: search as you type without a request per key. */
export function useDebounced<T>(value: T, delay = 250): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), delay);
    return () => clearTimeout(timer);
  }, [value, delay]);
  return settled;
}

/**
 * A search box whose text lives in the URL (`value`, written with `write`): the text is written once
 * typing settles, so a list asks once per pause, not per key; a value changed from elsewhere (a link,
 * Back, "Clear filters") shows in the box. `submit` writes the text at once (Enter).
 */
export function useUrlSearch(value: string, write: (text: string) => void, delay?: number) {
  const [text, setText] = useState(value);
  const settled = useDebounced(text, delay);
  // What the box last wrote: a different value in the URL came from elsewhere.
  const written = useRef(value);

  useEffect(() => {
    if (settled === written.current) return;
    written.current = settled;
    write(settled);
  }, [settled]);

  useEffect(() => {
    if (value === written.current) return;
    written.current = value;
    setText(value);
  }, [value]);

  const submit = () => {
    written.current = text;
    write(text);
  };
  return { text, setText, submit };
}
