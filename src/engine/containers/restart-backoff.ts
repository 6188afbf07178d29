// Docker's restart manager: the delay before a restart starts at 100 ms and doubles with each
// restart in a row, up to a minute; a container that stayed up 10 s or more starts over at 100 ms.
const FIRST_MS = 100;
const MAX_MS = 60_000;
const RESET_AFTER_MS = 10_000;

/** The delay before the next restart, given the previous one (none yet: undefined) and how long the container ran. */
export function nextRestartDelay(previousMs: number | undefined, ranMs: number): number {
  if (previousMs === undefined || ranMs >= RESET_AFTER_MS) return FIRST_MS;
  return Math.min(previousMs * 2, MAX_MS);
}

/** How long a container ran, from its State times (0 when they are not both known). */
export function ranFor(state: { StartedAt?: string; FinishedAt?: string }): number {
  const ran = Date.parse(state.FinishedAt ?? '') - Date.parse(state.StartedAt ?? '');
  return Number.isFinite(ran) && ran > 0 ? ran : 0;
}
