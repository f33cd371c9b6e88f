/**
 * Choose one client out of 100,000: a search-as-you-type combobox (ARIA 1.2 pattern) over
 * clients.list with `search`, debounced, ten suggestions at a time. A labelled input owns a listbox;
 * ↓/↑ move through it, Enter picks, Esc closes. A <select> of every client would not scale.
 */
import { useQuery } from '@tanstack/react-query';
import { type KeyboardEvent, useEffect, useId, useRef, useState } from 'react';
import { trpc } from '../../app/trpc.ts';
import { Field } from '../../ui/field.tsx';
import { useDebounced } from '../../ui/url-state.ts';

export type PickedClient = { id: string; name: string };

type Props = {
  label: string;
  value: PickedClient | null;
  onChange: (client: PickedClient | null) => void;
  error?: string | undefined;
  /** Only clients of this owner (a `user` may put tasks only on their own clients). */
  ownerId?: string | undefined;
  hint?: string;
  disabled?: boolean;
};

const suggestionCount = 10;

export function ClientPicker({ label, value, onChange, error, ownerId, hint, disabled }: Props) {
  const listId = useId();
  const [text, setText] = useState(value?.name ?? '');
  const [isOpen, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  // The value may arrive later (a client read by id) or be cleared from outside ("Clear filters").
  // Cleared by typing, the typed text stays: it no longer equals the name that was chosen.
  const chosenName = value?.name ?? null;
  const previousName = useRef(chosenName);
  useEffect(() => {
    const before = previousName.current;
    previousName.current = chosenName;
    if (chosenName !== null) setText(chosenName);
    else if (before !== null) setText((typed) => (typed === before ? '' : typed));
  }, [chosenName]);

  const search = useDebounced(text.trim());
  const clients = useQuery({
    ...trpc.clients.list.queryOptions({
      search: search === value?.name ? null : search || null,
      ownerId: ownerId ?? null,
      sort: 'name',
      limit: suggestionCount,
    }),
    enabled: isOpen,
    placeholderData: (previous) => previous,
  });
  const options = clients.data?.items ?? [];

  const pick = (client: PickedClient) => {
    onChange({ id: client.id, name: client.name });
    setText(client.name);
    setOpen(false);
    setActive(-1);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      if (!isOpen) return setOpen(true);
      const step = event.key === 'ArrowDown' ? 1 : -1;
      setActive((current) => Math.max(0, Math.min(options.length - 1, current + step)));
    } else if (event.key === 'Enter' && isOpen) {
      // Enter picks a suggestion instead of submitting the form around it.
      event.preventDefault();
      const option = options[active] ?? (options.length === 1 ? options[0] : undefined);
      if (option) pick(option);
    } else if (event.key === 'Escape' && isOpen) {
      // Closes the list only, not a dialog the picker sits in.
      event.preventDefault();
      event.stopPropagation();
      setOpen(false);
    }
  };

  const status = clients.isError
    ? 'Could not load clients'
    : clients.isPending
      ? 'Searching…'
      : options.length === 0
        ? 'No client matches'
        : `${options.length} of ${clients.data?.total ?? options.length} clients${
            (clients.data?.total ?? 0) > options.length ? ': type to narrow' : ''
          }`;

  return (
    <Field label={label} error={error} {...(hint && { hint })}>
      {(control) => (
        <div className="combobox">
          <input
            {...control}
            type="text"
            role="combobox"
            autoComplete="off"
            spellCheck={false}
            aria-autocomplete="list"
            aria-expanded={isOpen}
            aria-controls={listId}
            aria-activedescendant={isOpen && options[active] ? `${listId}-${active}` : undefined}
            value={text}
            disabled={disabled}
            placeholder="Type a name, company or e-mail"
            onChange={(event) => {
              setText(event.target.value);
              setOpen(true);
              setActive(-1);
              // Typing away from the chosen client un-chooses it; a blank input means "none".
              if (value && event.target.value !== value.name) onChange(null);
            }}
            onFocus={() => setOpen(true)}
            onClick={() => setOpen(true)}
            onBlur={() => {
              setOpen(false);
              // Leaving with the chosen client's name edited away shows what is actually chosen.
              if (value) setText(value.name);
            }}
            onKeyDown={onKeyDown}
          />
          {isOpen && (
            <div className="combobox-popup">
              <div id={listId} role="listbox" aria-label={`${label} suggestions`}>
                {options.map((client, index) => (
                  // The keyboard stays in the input (aria-activedescendant), so options take clicks only.
                  // biome-ignore lint/a11y/useKeyWithClickEvents: ↓/↑/Enter on the combobox input choose options
                  <div
                    key={client.id}
                    tabIndex={-1}
                    id={`${listId}-${index}`}
                    role="option"
                    aria-selected={index === active}
                    data-active={index === active || undefined}
                    // mousedown would blur the input (closing the list) before the click lands.
                    onMouseDown={(event) => event.preventDefault()}
                    onClick={() => pick(client)}
                  >
                    {client.name}
                    {client.company && <span className="muted"> · {client.company}</span>}
                  </div>
                ))}
              </div>
              <p className="muted" aria-live="polite">
                {status}
              </p>
            </div>
          )}
        </div>
      )}
    </Field>
  );
}
