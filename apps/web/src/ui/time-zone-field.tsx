/** A time-zone input that suggests every IANA zone as you type (a native, searchable datalist). */
import { useId } from 'react';
import { TextField } from './field.tsx';
import { timeZones } from './time.ts';

type Props = { label?: string; value: string; onChange: (zone: string) => void; error?: string | undefined };

export function TimeZoneField({ label = 'Time zone', value, onChange, error }: Props) {
  const listId = useId();
  return (
    <>
      <TextField
        label={label}
        list={listId}
        value={value}
        onChange={(event) => onChange(event.target.value)}
        error={error}
        hint="Type to search, e.g. Berlin or New_York"
        autoComplete="off"
        spellCheck={false}
      />
      <datalist id={listId}>
        {timeZones.map((zone) => (
          <option key={zone} value={zone} />
        ))}
      </datalist>
    </>
  );
}
