import { TIME_ZONES } from '../time-zone-choice.js';

/** Chooses the zone of the overview's days and of the times on every page: a plain GET form, no script. */
export function TimeZoneForm({ action, days, timeZone }: { action: string; days: number; timeZone: string }) {
  const zones: string[] = TIME_ZONES.includes(timeZone as (typeof TIME_ZONES)[number]) ? [...TIME_ZONES] : [...TIME_ZONES, timeZone];
  return (
    <form class="time-zone" method="get" action={action}>
      <input type="hidden" name="days" value={String(days)} />
      <label>
        <span>Time zone</span>{' '}
        <select name="tz">
          {zones.map((zone) => (
            <option value={zone} selected={zone === timeZone}>
              {zone}
            </option>
          ))}
        </select>
      </label>{' '}
      <button type="submit" class="small">Show</button>
    </form>
  );
}
