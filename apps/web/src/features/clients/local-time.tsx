/** The time now where the client is, ticking over at each minute. */
import { useEffect, useState } from 'react';
import { clockIn } from '../../ui/time.ts';

/** PostgreSQL may know a zone this browser does not (Intl throws): say so rather than break the page. */
function clockOrNull(timeZone: string, now: Date) {
  try {
    return clockIn(timeZone, now);
  } catch {
    return null;
  }
}

export function LocalTime({ timeZone }: { timeZone: string }) {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout>;
    const tick = () => {
      setNow(new Date());
      timer = setTimeout(tick, 60_000 - (Date.now() % 60_000));
    };
    timer = setTimeout(tick, 60_000 - (Date.now() % 60_000));
    return () => clearTimeout(timer);
  }, []);
  const clock = clockOrNull(timeZone, now);
  return (
    <>
      {clock ? (
        <time dateTime={now.toISOString()}>{clock}</time>
      ) : (
        <span className="muted">unknown to this browser</span>
      )}{' '}
      <span className="muted">({timeZone})</span>
    </>
  );
}
