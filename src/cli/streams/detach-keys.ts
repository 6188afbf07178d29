// The detach-key parser and filter live in common/, shared with the API's attach proxy.
export { DEFAULT_DETACH_KEYS, DetachKeyFilter, parseDetachKeys } from '../../common/detach-keys.js';
