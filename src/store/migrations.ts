// Versioned schema. Append a migration; never edit one that has shipped. Each runs in its own
// transaction together with the bump of user_version, so a crash leaves the old schema or the new.

export const migrations: readonly string[] = [
  // 1: the spine of every resource. Docker-shaped documents are kept as JSON next to the columns
  // that are searched or joined on, so a new field never needs a migration.
  `
  CREATE TABLE images (
    id          TEXT PRIMARY KEY,            -- sha256:<config digest>
    config      TEXT NOT NULL,               -- the image config JSON, as pulled
    manifest_digest TEXT,                    -- digest of the platform manifest it came from
    layers      TEXT NOT NULL,               -- JSON [{digest, diffId, chainId, size, mediaType}]
    size        INTEGER NOT NULL DEFAULT 0,  -- unpacked bytes
    created     INTEGER NOT NULL             -- unix seconds it was stored here
  );
  CREATE TABLE image_tags (
    ref      TEXT PRIMARY KEY,               -- normalised name:tag, e.g. docker.io/library/nginx:latest
    image_id TEXT NOT NULL REFERENCES images(id)
  );
  CREATE INDEX image_tags_image ON image_tags(image_id);
  CREATE TABLE image_digests (
    ref      TEXT PRIMARY KEY,               -- name@sha256:... (RepoDigests)
    image_id TEXT NOT NULL REFERENCES images(id)
  );
  CREATE INDEX image_digests_image ON image_digests(image_id);
  CREATE TABLE layers (
    chain_id  TEXT PRIMARY KEY,              -- sha256 chain id: the overlay snapshot key
    diff_id   TEXT NOT NULL,
    parent    TEXT,                          -- parent chain id
    size      INTEGER NOT NULL DEFAULT 0,
    short     TEXT NOT NULL UNIQUE           -- short link name under overlay/l/
  );
  CREATE TABLE containers (
    id       TEXT PRIMARY KEY,
    name     TEXT NOT NULL UNIQUE,           -- without the leading slash
    image_id TEXT NOT NULL,
    created  TEXT NOT NULL,                  -- RFC3339Nano
    doc      TEXT NOT NULL                   -- JSON: config, host config, state, network settings
  );
  CREATE INDEX containers_image ON containers(image_id);
  CREATE TABLE image_history (              -- every image version a container ran (rollback)
    container_name TEXT NOT NULL,
    image_id       TEXT NOT NULL,
    image_ref      TEXT NOT NULL,
    first_run      TEXT NOT NULL,
    PRIMARY KEY (container_name, image_id)
  );
  CREATE TABLE networks (
    id   TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    doc  TEXT NOT NULL
  );
  CREATE TABLE ip_allocations (
    network_id TEXT NOT NULL,
    address    TEXT NOT NULL,
    owner      TEXT NOT NULL,                -- container id (or 'gateway')
    PRIMARY KEY (network_id, address)
  );
  CREATE TABLE volumes (
    name    TEXT PRIMARY KEY,
    doc     TEXT NOT NULL
  );
  CREATE TABLE exec_sessions (
    id           TEXT PRIMARY KEY,
    container_id TEXT NOT NULL,
    doc          TEXT NOT NULL
  );
  `,
  // 2: network endpoints (one per container per network) and sandboxes (a container's netns,
  // published ports, DNS settings), so berthd can rebuild bridges and firewall rules after a restart.
  `
  CREATE TABLE network_endpoints (
    network_id   TEXT NOT NULL,
    container_id TEXT NOT NULL,
    doc          TEXT NOT NULL,              -- JSON: endpoint id, names, address, MAC, host veth
    PRIMARY KEY (network_id, container_id)
  );
  CREATE INDEX network_endpoints_container ON network_endpoints(container_id);
  CREATE TABLE network_sandboxes (
    container_id TEXT PRIMARY KEY,
    doc          TEXT NOT NULL               -- JSON: netns path, mode, published ports, dns settings
  );
  `,
  // 3: the image an image was made from here (commit, build): inspect's Parent, history's ids.
  `
  ALTER TABLE images ADD COLUMN parent TEXT;
  CREATE INDEX images_parent ON images(parent);
  `,
  // 4: revisions: every image version a container line ran, with the create request as given, so
  // `berth upgrade` can re-apply it to a new image and `berth rollback` to an old one. An upgrade in
  // flight is a row of container_upgrades, so a berthd killed mid-way finishes or undoes it.
  `
  CREATE TABLE container_revisions (
    lineage      TEXT NOT NULL,              -- id of the first container of the line
    revision     INTEGER NOT NULL,
    container_id TEXT,                       -- the container that runs (or last ran) it
    name         TEXT NOT NULL,              -- container name, without the slash
    image_ref    TEXT NOT NULL,              -- the image reference as given
    image_id     TEXT NOT NULL,
    repo_digest  TEXT,
    request      TEXT NOT NULL,              -- JSON {Config, HostConfig, NetworkingConfig} as given
    created      TEXT NOT NULL,
    state        TEXT NOT NULL,              -- pending | current | replaced | rolled-back | failed
    reason       TEXT,
    logs         TEXT,                       -- last lines of a failed one
    ended        TEXT,
    PRIMARY KEY (lineage, revision)
  );
  CREATE INDEX container_revisions_container ON container_revisions(container_id);
  CREATE INDEX container_revisions_image ON container_revisions(image_id);
  CREATE TABLE container_upgrades (
    lineage TEXT PRIMARY KEY,
    doc     TEXT NOT NULL                    -- JSON: the upgrade's step and the containers it moves
  );
  `,
  // 5: the recent events (/events?since=), kept across berthd restarts; bounded by the repository.
  `
  CREATE TABLE events (
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    time_nano INTEGER NOT NULL,
    doc       TEXT NOT NULL              -- the event message as /events sends it
  );
  CREATE INDEX events_time ON events(time_nano);
  `,
];
