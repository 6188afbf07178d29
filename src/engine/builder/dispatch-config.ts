import { posix } from 'node:path';
import { InvalidArgumentError } from '../../common/errors.js';
import { parseKeyValues } from '../../common/shell-words.js';
import { applyChanges } from '../images/image-config-changes.js';
import { metaStep } from './build-step.js';
import type { Stage } from './build-types.js';
import type { StageDispatcher } from './dispatch-types.js';
import { goHealthcheck, goQuoted, healthcheckFlags, type HealthConfig } from './go-format.js';

// The instructions that change only the image config (WORKDIR also makes its directory): each
// a config-only image, named in history as dockerd names it.

/** dockerd's history comment: the stage's shell, then "#(nop) " and the step as Go prints it. */
const nop = (s: Stage, text: string, shell = s.shell) => `${shell.join(' ')} #(nop) ${text}`;

export const dispatchShell: StageDispatcher = async (b, s, { ins }) => {
  if (!ins.json) throw new InvalidArgumentError('SHELL requires the arguments to be in JSON form');
  const shell = ins.json;
  const config = { ...s.config, Shell: shell };
  s.shell = shell;
  await metaStep(b, s, config, nop(s, ` SHELL [${shell.join(' ')}]`, shell));
};

/** CMD and ENTRYPOINT: the exec form as given, the shell form run by the stage's shell. */
export const dispatchCommand: StageDispatcher = async (b, s, { ins, args }) => {
  const cmd = ins.json ?? [...s.shell, args];
  const isCmd = ins.cmd === 'CMD';
  const config = { ...s.config, [isCmd ? 'Cmd' : 'Entrypoint']: cmd };
  // A new ENTRYPOINT drops the base image's CMD, unless this stage has set one.
  if (!isCmd && !s.cmdSet) config.Cmd = null;
  s.cmdSet = s.cmdSet || isCmd;
  await metaStep(b, s, config, nop(s, ` ${ins.cmd} ${goQuoted(cmd)}`));
};

export const dispatchMaintainer: StageDispatcher = async (b, s, { args }) => {
  s.maintainer = args;
  await metaStep(b, s, s.config, nop(s, ` MAINTAINER ${args}`));
};

/** ENV and LABEL: key=value pairs (or the old `ENV key value`). */
export const dispatchKeyValues: StageDispatcher = async (b, s, { ins, args, escape }) => {
  const pairs = parseKeyValues(ins.cmd, args, escape);
  const text = pairs.map(([k, v]) => `${k}=${v}`).join(' ');
  const change = `${ins.cmd} ${pairs.map(([k, v]) => `${JSON.stringify(k)}=${JSON.stringify(v)}`).join(' ')}`;
  await metaStep(b, s, applyChanges(s.config, [change]), nop(s, ` ${ins.cmd} ${text}`));
};

export const dispatchWorkdir: StageDispatcher = async (b, s, { args }) => {
  const dir = posix.resolve(s.config.WorkingDir || '/', args.trim());
  // dockerd writes this one comment with a single space after #(nop).
  await metaStep(b, s, { ...s.config, WorkingDir: dir }, nop(s, `WORKDIR ${dir}`), dir);
};

/** EXPOSE, USER, STOPSIGNAL, ONBUILD: the change `docker commit --change` would make. */
export const dispatchChange: StageDispatcher = async (b, s, { ins, args }) => {
  const text = `${ins.cmd} ${args}`;
  await metaStep(b, s, applyChanges(s.config, [text]), nop(s, ` ${text}`));
};

export const dispatchVolume: StageDispatcher = async (b, s, { ins, args }) => {
  const config = applyChanges(s.config, [`VOLUME ${args}`]);
  const text = `VOLUME [${(ins.json ?? args.split(/\s+/).filter(Boolean)).join(' ')}]`;
  await metaStep(b, s, config, nop(s, ` ${text}`));
};

export const dispatchHealthcheck: StageDispatcher = async (b, s, { ins, args }) => {
  const rest = args.replace(/^(--[a-z-]+=\S+\s+)+/i, '');
  const config = applyChanges(s.config, [`HEALTHCHECK ${rest}`]);
  Object.assign(config.Healthcheck ?? {}, healthcheckFlags(ins.flags));
  await metaStep(b, s, config, nop(s, ` HEALTHCHECK ${goHealthcheck(config.Healthcheck as HealthConfig)}`));
};
