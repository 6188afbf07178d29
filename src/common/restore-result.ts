// The answer of berth's POST /berth/v1/restore: the engine returns it, the client and CLI read it.
export interface RestoreResult {
  Id: string;
  Name: string;
  Warnings: string[];
  /** What this restore made besides the container (a migration that fails removes them). */
  CreatedVolumes: string[];
  CreatedNetworks: string[];
}
