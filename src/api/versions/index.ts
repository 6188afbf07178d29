// Every API version answered as dockerd answers it: the gate tables, one per view or request,
// that the routes apply to the engine's newest-shape output and to older clients' requests.
export { applyGates, gateApplies, type Gate } from './gate-table.js';
export { CONTAINER_INSPECT_GATES, CONTAINER_LIST_GATES } from './container-gates.js';
export { IMAGE_INSPECT_GATES, IMAGE_LIST_GATES } from './image-gates.js';
export { INFO_GATES, DISK_USAGE_GATES, EVENT_GATES } from './system-gates.js';
export {
  CONTAINER_CREATE_GATES,
  CONTAINER_UPDATE_GATES,
  EXEC_CREATE_GATES,
  EXEC_START_GATES,
  NETWORK_CREATE_GATES,
  VOLUME_PRUNE_GATES,
  type CreateGateOptions,
} from './request-gates.js';
export { gateQuery, behaves, QUERY_PARAMS_SINCE, BEHAVIOURS, type QueryRoute } from './query-gates.js';
