// Migrate's layer negotiation: the source asks which image layers (by diff ID, as in an image's
// RootFS.Layers) the destination has and leaves their blobs out of the archive; the restore there
// writes them back from its own store (the image service's layer tars) before loading the image.

export const MAX_NEGOTIATED_LAYERS = 1000;

export type { LayerTarSource as LayerSource } from '../images/layer-tar-source.js';
