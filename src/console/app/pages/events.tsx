import { useEffect, useState } from 'preact/hooks';
import { call, ndjson } from '../api.js';
import { ListTable, type Column } from '../list-table.js';

interface BerthEvent {
  Type: string;
  Action: string;
  Actor: { ID: string; Attributes?: Record<string, string> };
  time: number;
  timeNano?: number;
}

const COLUMNS: Column<BerthEvent>[] = [
  { label: 'Time', cell: (e) => new Date(e.time * 1000).toLocaleTimeString() },
  { label: 'Type', cell: (e) => e.Type },
  { label: 'Action', cell: (e) => e.Action },
  { label: 'Object', cell: (e) => e.Actor.Attributes?.name ?? e.Actor.ID.slice(0, 12) },
];

/** The daemon's events as they happen, newest first, with the last hour to begin with. */
export function EventsPage() {
  const [events, setEvents] = useState<BerthEvent[]>([]);
  useEffect(() => {
    const ctl = new AbortController();
    const since = Math.floor(Date.now() / 1000) - 3600;
    call('GET', `/events?since=${since}`)
      .then((res) => ndjson(res, (m) => setEvents((e) => [m as unknown as BerthEvent, ...e].slice(0, 500)), ctl.signal))
      .catch(() => undefined);
    return () => ctl.abort();
  }, []);
  return (
    <section>
      <h1>Events</h1>
      <ListTable columns={COLUMNS} rows={events} empty="No events in the last hour yet." testId="events" />
    </section>
  );
}
