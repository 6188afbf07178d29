// The network records are the store's shapes (src/store/network-records.ts); the engine speaks them.
export type * from '../../store/network-records.js';
