import type { CreateBody } from '../containers/container-create.js';
// The manifest of a container backup: the last member of the archive, written once every other
// member's digest is known. A restore refuses an archive whose members do not match it.

export const BACKUP_FORMAT_VERSION = 1;
export const MANIFEST_NAME = 'manifest.json';

export interface BackupVolume {
  /** The volume's name on the source; anonymous volumes get a new name on restore. */
  name: string;
  anonymous: boolean;
  /** Where the container mounts it. */
  destination: string;
  driver: string;
  labels: Record<string, string> | null;
  options: Record<string, string> | null;
  /** Archive prefix of its contents. */
  member: string;
}

/** The labels migrate leaves on the source it stopped: where the container went, and when. */
export const MIGRATED_TO_LABEL = 'berth.migrated-to';
export const MIGRATED_AT_LABEL = 'berth.migrated-at';

export interface BackupNetwork {
  name: string;
  aliases: string[] | null;
  ipAddress: string;
  ipamConfig: Record<string, unknown> | null;
  macAddress: string;
  /** How to create the network where it is missing (absent for the predefined ones). */
  create?: Record<string, unknown>;
}

export interface BackupManifest {
  formatVersion: number;
  berthVersion: string;
  sourceHost: string;
  created: string;
  container: {
    id: string;
    name: string;
    /** The create request (Config with HostConfig and NetworkingConfig) that makes it again. */
    create: CreateBody;
  };
  networks: BackupNetwork[];
  image: {
    /** The reference the container was created from (Config.Image). */
    reference: string;
    id: string;
    /** repo@sha256:… as the registry knows it, when the image was pulled. */
    repoDigest: string | null;
    /** Whether the archive holds the image (an OCI layout under image/). */
    included: boolean;
    /**
     * Diff IDs of layers whose blobs the layout leaves out (a migration's destination had them):
     * the restore takes them from its own store.
     */
    omittedLayers?: string[];
  };
  volumes: BackupVolume[];
  /** Whether the archive holds the container's own changes under rootfs/. */
  rootfs: boolean;
  /** The sha256 of every other member, by name. */
  members: Record<string, string>;
}
