import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { basename, dirname } from 'node:path';
import { PassThrough, type Readable, type Writable } from 'node:stream';
import { RuntimeError } from './runtime-errors.js';

// conmon's attach socket is SOCK_SEQPACKET, which Node's net module cannot open. A few lines of
// perl (perl-base is essential on Debian, starts in ~4 ms with no modules) connect it and relay each
// message as [u32 length][message]; a message is conmon's [1 byte stream: 2 stdout, 3 stderr][payload].
// Stdin bytes go to the socket in ≤8 KiB messages; stdin EOF becomes shutdown(SHUT_WR).
// The socket path is made relative (chdir) so long data-roots never hit sun_path's 108 bytes.
const RELAY = String.raw`
my ($dir, $name, $fwd) = @ARGV;
$SIG{PIPE} = 'IGNORE';
chdir $dir or die "chdir $dir: $!\n";
socket(my $s, 1, 5, 0) or die "socket: $!\n";
connect($s, pack('S a108', 1, $name)) or die "connect $dir/$name: $!\n";
binmode STDOUT; binmode STDIN;
sub out { my $d = shift; while (length $d) { my $w = syswrite(STDOUT, $d); exit 0 unless defined $w; substr($d, 0, $w) = ''; } }
out(pack('N', 0));
my $in = $fwd eq '1';
while (1) {
  my $rin = '';
  vec($rin, fileno($s), 1) = 1;
  vec($rin, fileno(STDIN), 1) = 1 if $in;
  my $n = select(my $rout = $rin, undef, undef, undef);
  next if $n < 0;
  if (vec($rout, fileno($s), 1)) {
    my $r = sysread($s, my $buf, 65536);
    last unless $r;
    out(pack('N', length $buf) . $buf);
  }
  if ($in && vec($rout, fileno(STDIN), 1)) {
    my $r = sysread(STDIN, my $buf, 8192);
    if (!$r) { shutdown($s, 1); $in = 0; } else { defined(syswrite($s, $buf)) or $in = 0; }
  }
}
`;

export interface AttachStream {
  /** Container stdout (everything, for a TTY). Ends when the container's output ends. */
  stdout: Readable;
  stderr: Readable;
  /** Writes to the container's stdin; null when the container was not created with openStdin. */
  stdin: Writable | null;
  /** Closes the container's stdin (unless conmon keeps it open: --leave-stdin-open). */
  closeStdin(): void;
  /** Detaches without touching the container. */
  close(): void;
  /** Resolves when the attach socket closes (the container exited or close() was called). */
  done: Promise<void>;
}

/** Connects to a conmon attach socket; resolves once connected, so output from then on is kept. */
export async function connectAttachSocket(socketPath: string, forwardStdin: boolean): Promise<AttachStream> {
  const child = spawn('perl', ['-e', RELAY, dirname(socketPath), basename(socketPath), forwardStdin ? '1' : '0'], {
    stdio: [forwardStdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
  });
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let errText = '';
  child.stderr!.on('data', (b: Buffer) => (errText += b.toString()));

  let pending: Buffer = Buffer.alloc(0);
  let connected = false;
  let onConnect!: () => void;
  const connectedP = new Promise<void>((r) => (onConnect = r));
  child.stdout!.on('data', (chunk: Buffer) => {
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    while (pending.length >= 4) {
      const len = pending.readUInt32BE(0);
      if (pending.length < 4 + len) break;
      const msg = pending.subarray(4, 4 + len);
      pending = pending.subarray(4 + len);
      if (!connected) {
        connected = true;
        onConnect();
        continue;
      }
      if (msg.length < 1) continue;
      const payload = msg.subarray(1);
      if (msg[0] === 3) stderr.write(payload);
      else stdout.write(payload);
    }
  });
  const exited = once(child, 'close') as Promise<[number | null]>;
  const first = await Promise.race([connectedP.then(() => 'ok' as const), exited.then(() => 'exit' as const)]);
  if (first === 'exit') {
    throw new RuntimeError(`attach: ${errText.trim() || 'relay exited'}`, 'attach');
  }
  const done = exited.then(() => {
    stdout.end();
    stderr.end();
  });
  const stdin = forwardStdin ? child.stdin! : null;
  stdin?.on('error', () => {}); // the container may exit while a client still writes
  return {
    stdout,
    stderr,
    stdin,
    closeStdin: () => stdin?.end(),
    close: () => {
      child.kill('SIGTERM');
    },
    done,
  };
}
