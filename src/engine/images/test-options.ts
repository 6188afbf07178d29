import type { ImageServiceConfig } from './image-service.js';

// For the engine's image tests: the image service's own options with dockerd's defaults, so the
// tests need nothing from the daemon's configuration.

export function testImageConfig(overrides: Partial<ImageServiceConfig> = {}): ImageServiceConfig {
  return { 'insecure-registries': [], 'registry-mirrors': [], 'max-concurrent-downloads': 3, ...overrides };
}
