// The berth CLI's entry (dist/berth.mjs). dist/berth starts the same code from a V8 snapshot.
import { runCli } from './run-cli.js';

void runCli();
