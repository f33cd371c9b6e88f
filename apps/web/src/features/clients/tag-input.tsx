/**
 * Tags typed as text and shown as removable chips, for the client form and the list's tag filter.
 * A comma or Enter ends a tag, Backspace in the empty box removes the last one, and leaving the box
 * keeps what was typed (so Save never drops a half-typed tag). Existing tags are offered by a native
 * datalist; picking one adds it at once. Tags are stored trimmed and lower-case (the Tag schema), so
 * they are shown that way.
 */
import { type ChangeEvent, type KeyboardEvent, useId, useState } from 'react';
import { Field } from '../../ui/field.tsx';

export type TagSuggestion = { tag: string; count: number };

type Props = {
  label: string;
  tags: readonly string[];
  onChange: (tags: string[]) => void;
  /** Existing tags with how many clients carry them. */
  suggestions?: readonly TagSuggestion[] | undefined;
  error?: string | undefined;
  hint?: string;
};

const normalise = (text: string) =>
  text
    .split(',')
    .map((tag) => tag.trim().toLowerCase())
    .filter(Boolean);

export function TagInput({ label, tags, onChange, suggestions, error, hint }: Props) {
  const [draft, setDraft] = useState('');
  const listId = useId();

  const add = (text: string) => {
    const next = [...new Set([...tags, ...normalise(text)])];
    if (next.length !== tags.length) onChange(next);
    setDraft('');
  };

  const onInput = (event: ChangeEvent<HTMLInputElement>) => {
    const value = event.target.value;
    // Chromium reports a datalist pick as a replacement (other browsers as a plain Event).
    const native = event.nativeEvent;
    const isPick = !(native instanceof InputEvent) || native.inputType === 'insertReplacementText';
    if (value.includes(',') || (isPick && suggestions?.some((s) => s.tag === value))) add(value);
    else setDraft(value);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'Enter' && draft.trim()) {
      // Enter ends the tag; with nothing typed it falls through and submits the form.
      event.preventDefault();
      add(draft);
    } else if (event.key === 'Backspace' && draft === '' && tags.length > 0) {
      onChange(tags.slice(0, -1));
    }
  };

  return (
    <Field label={label} error={error} hint={hint ?? 'Press Enter or type a comma after each tag'}>
      {(control) => (
        <div className="tag-input">
          {tags.length > 0 && (
            <ul className="tags" aria-label={`${label}: chosen`}>
              {tags.map((tag) => (
                <li key={tag} className="chip">
                  {tag}
                  <button
                    type="button"
                    aria-label={`Remove tag ${tag}`}
                    onClick={() => onChange(tags.filter((other) => other !== tag))}
                  >
                    ×
                  </button>
                </li>
              ))}
            </ul>
          )}
          <input
            {...control}
            value={draft}
            onChange={onInput}
            onKeyDown={onKeyDown}
            onBlur={() => draft.trim() && add(draft)}
            list={suggestions ? listId : undefined}
            autoComplete="off"
            spellCheck={false}
          />
          {suggestions && (
            <datalist id={listId}>
              {suggestions
                .filter((suggestion) => !tags.includes(suggestion.tag))
                .map((suggestion) => (
                  <option key={suggestion.tag} value={suggestion.tag}>
                    {`${suggestion.count} ${suggestion.count === 1 ? 'client' : 'clients'}`}
                  </option>
                ))}
            </datalist>
          )}
        </div>
      )}
    </Field>
  );
}
