/**
 * The audit filters pick calendar days; audit.list takes instants. A day is read in the user's time
 * zone: "from 3 May" starts at 00:00 there, "to 5 May" includes the whole of 5 May (the API's `to`
 * is exclusive, so it becomes 00:00 on 6 May).
 */

const dayPattern = /^(\d{4})-(\d{2})-(\d{2})$/;

/** How far the zone's wall clock is ahead of UTC at an instant, in ms. */
function zoneOffset(instant: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(instant);
  const part = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value);
  const wallClock = Date.UTC(
    part('year'),
    part('month') - 1,
    part('day'),
    part('hour'),
    part('minute'),
    part('second'),
  );
  return wallClock - Math.floor(instant / 1000) * 1000;
}

/** 00:00 of a YYYY-MM-DD day (plus `addDays`) in a zone, as an ISO instant; null for a malformed day. */
export function dayStartIn(day: string, timeZone: string, addDays = 0): string | null {
  const match = dayPattern.exec(day);
  if (!match) return null;
  const wallMidnight = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]) + addDays);
  if (Number.isNaN(wallMidnight)) return null;
  // Two rounds settle the offset on the right side of a daylight-saving change.
  const first = wallMidnight - zoneOffset(wallMidnight, timeZone);
  return new Date(wallMidnight - zoneOffset(first, timeZone)).toISOString();
}
