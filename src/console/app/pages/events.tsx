import { useEffect, useState } from 'preact/hooks';
import { call, ndjson } from '../api.js';

interface BerthEvent {
  Type: string;
  Action: string;
  Actor: { ID: string; Attributes?: Record<string, string> };
  time: number;
  timeNano?: number;
}

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
      <table class="list" data-testid="events">
        <thead>
          <tr>
            <th>Time</th>
            <th>Type</th>
            <th>Action</th>
            <th>Object</th>
          </tr>
        </thead>
        <tbody>
          {events.map((e) => (
            <tr>
              <td data-label="Time">{new Date(e.time * 1000).toLocaleTimeString()}</td>
              <td data-label="Type">{e.Type}</td>
              <td data-label="Action">{e.Action}</td>
              <td data-label="Object">{e.Actor.Attributes?.name ?? e.Actor.ID.slice(0, 12)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {!events.length && <p class="muted">No events in the last hour yet.</p>}
    </section>
  );
}
