/** What berth does to a container that turned unhealthy: Podman's --health-on-failure. */
export type HealthAction = 'none' | 'kill' | 'restart' | 'stop';

/** The CLI stores --health-on-failure here; compose users set the label themselves. */
export const HEALTH_ON_FAILURE_LABEL = 'berth.health-on-failure';

const ACTIONS: readonly HealthAction[] = ['none', 'kill', 'restart', 'stop'];

/** The container's action; an unknown value acts as none (Docker's default: unhealthy is only reported). */
export function healthOnFailure(labels: Record<string, string> | null | undefined): HealthAction {
  const v = labels?.[HEALTH_ON_FAILURE_LABEL]?.trim().toLowerCase();
  return ACTIONS.includes(v as HealthAction) ? (v as HealthAction) : 'none';
}
