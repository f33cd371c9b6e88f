/**
 * Tabs after the WAI-ARIA pattern: a tablist whose selected tab is the one Tab stop, ←/→ (and
 * Home/End) move between tabs and select them, and only the selected panel is rendered. The caller
 * keeps the selection (in the URL).
 */
import { type KeyboardEvent, type ReactNode, useId, useRef } from 'react';

type Panels<K extends string> = Record<K, { label: string; render: () => ReactNode }>;

type Props<K extends string> = { current: K; onChange: (tab: K) => void; panels: Panels<K> };

export function ClientTabs<K extends string>({ current, onChange, panels }: Props<K>) {
  const id = useId();
  const list = useRef<HTMLDivElement>(null);
  const keys = Object.keys(panels) as K[];

  const onKeyDown = (event: KeyboardEvent) => {
    const at = keys.indexOf(current);
    const moves: Record<string, number> = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: keys.length - 1 };
    const to = moves[event.key];
    if (to === undefined) return;
    event.preventDefault();
    const next = keys[(to + keys.length) % keys.length];
    if (next === undefined) return;
    onChange(next);
    list.current?.querySelector<HTMLElement>(`#${CSS.escape(`${id}-${next}-tab`)}`)?.focus();
  };

  return (
    <div className="client-tabs">
      <div className="tabs" role="tablist" aria-label="Client records" ref={list} onKeyDown={onKeyDown}>
        {keys.map((key) => (
          <button
            key={key}
            type="button"
            role="tab"
            id={`${id}-${key}-tab`}
            aria-selected={key === current}
            // Only the selected panel exists, so only its tab may point to it.
            aria-controls={key === current ? `${id}-${key}-panel` : undefined}
            tabIndex={key === current ? 0 : -1}
            onClick={() => onChange(key)}
          >
            {panels[key].label}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`${id}-${current}-panel`} aria-labelledby={`${id}-${current}-tab`}>
        {panels[current].render()}
      </div>
    </div>
  );
}
