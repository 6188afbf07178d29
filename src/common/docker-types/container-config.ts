// Docker's container.Config and the port types it shares with HostConfig (moby api/types/container,
// go-connections/nat), as the wire carries them: the CLI sends them, the engine keeps and shows them.
// Type aliases, not interfaces, so a document passes wherever a plain JSON object is expected.

/** container.HealthConfig; durations in nanoseconds. */
export type HealthConfig = {
  Test?: string[] | null;
  Interval?: number;
  Timeout?: number;
  StartPeriod?: number;
  StartInterval?: number;
  Retries?: number;
};

/** Docker's port sets and maps, keyed "80/tcp". */
export type PortSet = Record<string, object>;
/** nat.PortBinding as a request sends it (either part may be left out). */
export type PortBinding = { HostIp?: string; HostPort?: string };
export type PortMap = Record<string, PortBinding[] | null>;
/** NetworkSettings.Ports as dockerd answers: both parts of every binding filled in. */
export type PublishedPortMap = Record<string, Required<PortBinding>[] | null>;

/** container.Config: what the container runs, independent of the host. */
export type ContainerConfig = {
  Hostname?: string;
  Domainname?: string;
  User?: string;
  AttachStdin?: boolean;
  AttachStdout?: boolean;
  AttachStderr?: boolean;
  ExposedPorts?: PortSet | null;
  Tty?: boolean;
  OpenStdin?: boolean;
  StdinOnce?: boolean;
  Env?: string[] | null;
  Cmd?: string[] | null;
  Healthcheck?: HealthConfig | null;
  ArgsEscaped?: boolean;
  /** The image as the client named it (a container record's own Image is the image's id). */
  Image: string;
  Volumes?: Record<string, object> | null;
  WorkingDir?: string;
  Entrypoint?: string[] | null;
  NetworkDisabled?: boolean;
  MacAddress?: string;
  OnBuild?: string[] | null;
  Labels?: Record<string, string> | null;
  StopSignal?: string;
  StopTimeout?: number;
  Shell?: string[] | null;
};
