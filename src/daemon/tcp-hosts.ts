import { InvalidArgumentError } from '../common/errors.js';
import { tlsMode, type DaemonConfig } from './config.js';

// dockerd 27 warns and slows down on an unauthenticated tcp:// host and says it will become a hard
// failure; berth makes it one now for anything but loopback, where a warning stays.

const INSECURE =
  'Binding to IP address without --tlsverify is insecure and gives root access on this machine to everyone who has access to your network.';

function isLoopback(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/**
 * Checks the tcp:// hosts against the TLS settings before anything starts: refuses a non-loopback
 * address without client verification, returns the warnings for loopback ones.
 */
export function checkTcpHosts(config: Pick<DaemonConfig, 'hosts' | 'tls' | 'tlsverify'>): string[] {
  if (tlsMode(config) === 'mutual') return [];
  const warnings: string[] = [];
  for (const host of config.hosts) {
    if (!host.startsWith('tcp://')) continue;
    const url = new URL(host);
    if (!isLoopback(url.hostname || '0.0.0.0')) {
      throw new InvalidArgumentError(
        `refusing to listen on ${host}: ${INSECURE} Set "tlsverify": true with tlscacert, tlscert and tlskey ` +
          `(\`berth tls init\` makes them), or reach the daemon over ssh://. Learn more at: https://docs.docker.com/go/api-security/`,
      );
    }
    warnings.push(`${INSECURE} Binding to an IP address, even on localhost, can also give access to scripts run in a browser. Be safe out there!`);
  }
  return warnings;
}
