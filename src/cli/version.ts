export const BERTH_CLI_VERSION = '0.1.0';
